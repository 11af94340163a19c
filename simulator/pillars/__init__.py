"""The pillars of the model, one package per concept.

Each pillar keeps together its scenario block (``block``), its equations (pure functions
of arrays) and its step inside a chunk (``step``): cohort (the biomarker-defined patient
funnel), trials (mechanistic trial designs), development (stages, pathways), diagnostics
(the companion diagnostic), commercial (uptake, price, exclusivity, costs),
manufacturing (the cell and gene therapy plant: fast queue and SimPy) and pricing
(value-based ceilings, IRA, payment contracts). A pillar uses the core, its own package
and the pillars below it (pyproject.toml holds the order).
"""
