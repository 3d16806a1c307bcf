"""Use cases, one module per verb family, written against the core's ports."""
