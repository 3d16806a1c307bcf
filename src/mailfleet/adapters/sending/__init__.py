"""Adapters for sending: relays, the SQL queue, and in-memory twins of the sending ports."""
