"""Pulse: monitoring how third parties perceive Stockholm as a smart and connected city."""

__version__ = "0.1.0"
