"""Shipped policy data: tables of rules that code loads and tests, never logic in prose."""
