"""Helpers shared by the DNS tests: a small fleet built directly from core values."""
