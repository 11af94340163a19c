"""The pillars of the model: pure, vectorized functions of arrays over iterations."""
