"""Results: one Result type over rows or streaming summaries, every metric declared once."""

from simulator.results.columns import Column, NoSamplesError
from simulator.results.plots import Plots
from simulator.results.result import Result

__all__ = ["Column", "NoSamplesError", "Plots", "Result"]
