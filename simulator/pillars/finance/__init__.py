"""Finance: tax as a company pays it (consolidated or standalone), credits and depreciation.

- :mod:`.block`: the market's ``tax`` block, as a scenario writes it;
- :mod:`.tax`: the equations (loss carry-forward with the US 80% limit, the orphan-drug
  credit, straight-line depreciation), pure functions of arrays;
- :mod:`.step`: the chunk step that turns a portfolio's monthly pre-tax cash, capex and
  qualified clinical spend into the tax it pays.
"""
