"""Pricing: value-based ceilings, the IRA, budget caps and payment contracts."""
