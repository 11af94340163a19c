"""Diagnostics: the companion diagnostic whose approval gates a targeted drug's launch.

- :mod:`.block`: the ``cdx`` block; :mod:`.timeline`: when the CDx is approved and what
  that does to the launch; :mod:`.step`: its timeline and R&D spend inside a chunk;
- :mod:`.test_fees`: the partner's fee, once for each patient tested, after launch.
"""
