"""Adapters: the outside world behind the core's ports, each with an in-memory twin."""
