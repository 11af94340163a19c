"""Analysis: results as pandas tables, risk metrics, comparisons, plots and exports."""

from simulator.results.result import Result

__all__ = ["Result"]
