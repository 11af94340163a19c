"""Decisions at stage gates: what an asset has learned at each stage end (its signals),
the rules that continue or stop it there, and the value rule's forward-value estimate."""
