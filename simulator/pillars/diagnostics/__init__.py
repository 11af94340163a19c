"""Diagnostics: the companion diagnostic whose approval gates a targeted drug's launch."""
