"""Shipped policy data: tables of rules, loaded and validated by small modules."""
