"""Tagging against the strategy's vocabulary: pure functions of text, metadata and config."""
