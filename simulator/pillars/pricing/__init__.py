"""Pricing and reimbursement: what a launched drug is paid, and when.

- :mod:`.block`: the asset's ``pricing`` block and the market's ``ira`` block, as a
  scenario writes them;
- :mod:`.policy`: what payers and the law do to the price (value-based ceiling, IRA
  negotiation, budget-impact cap), with its equations;
- :mod:`.contracts`: the payment contracts, one module per type, each with its fields,
  its equations and how it settles what the asset sold;
- :mod:`.kernels`: expected payment kernels and the monthly convolution that turns them
  into cash;
- :mod:`.step`: the chunk step that applies policy and contract to one asset's sales.
"""
