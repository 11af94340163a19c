"""The core: what every part of the simulator builds on and nothing else.

Distributions and their compact notation, the typed building blocks of scenario fields,
the monthly timeline and discounting, named random streams, typed draws, the one-factor
copula, registries of named kinds, and the code fingerprint. Nothing here imports any
other part of the simulator.
"""
