"""Limiter backends: in-process (embedded default) and Redis (shared by many workers)."""
