"""Hostile, extreme and interrupted runs: the command line never crashes, stalls, runs on
nonsense or leaves anything behind (issue 13)."""
