"""Analysis: results as pandas tables, risk metrics, comparisons, plots and exports."""

from .results import Result

__all__ = ["Result"]
