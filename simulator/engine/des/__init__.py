"""Event-level (SimPy) models of processes where events interact."""
