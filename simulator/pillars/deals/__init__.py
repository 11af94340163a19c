"""Deals: what an asset's partners pay and receive, and how a portfolio is financed.

One deal mechanism serves every partner (:mod:`.block`: in-licensing, out-licensing at a
named stage, co-development with an opt-out, a diagnostics partner): payments that happen
only in the iterations where their event happens (:mod:`.events`), tiered royalties on
net sales (:mod:`.royalties`), and the split of the asset's monthly cash between the
sponsor and the partner (:mod:`.step`). :mod:`.financing` funds a portfolio's cash
through debt tranches and equity (a megafund) and says who is paid and who defaults.
"""
