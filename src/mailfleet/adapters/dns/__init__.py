"""DNS provider and resolver adapters; ``memory`` is the in-process twin of both ports."""
