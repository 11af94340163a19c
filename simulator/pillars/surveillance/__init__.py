"""Post-market surveillance: what a launched product's safety record costs and risks.

The block is :class:`.block.Surveillance`, its equations and chunk step are in
:mod:`.step`.
"""
