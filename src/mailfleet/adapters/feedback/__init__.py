"""Adapters of the feedback capability."""
