"""Tagging of mentions against the strategy's vocabulary: pure functions of text + metadata + config."""
