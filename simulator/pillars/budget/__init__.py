"""Budget: what a portfolio may spend on R&D, in expectation and year by year.

:mod:`.block` is the portfolio's ``budget`` block (a cap on expected R&D spend used to
size portfolios and bound the frontier, and an optional annual R&D budget);
:mod:`.schedule` enforces the annual budget in every iteration: stage starts wait until
the year's committed spend leaves room for them.
"""
