"""Shipped policy data (YAML), with the loaders that validate it into core values."""
