"""Manufacturing: the capacity-limited plant of a cell or gene therapy (fast queue, SimPy)."""
