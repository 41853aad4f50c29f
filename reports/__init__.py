"""Outputs built on store.queries: exports now; digests, alerts and yearly reports later."""
