"""Cohort: the biomarker-defined patient funnel that feeds trials and the market."""
