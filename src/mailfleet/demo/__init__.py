"""``mailfleet demo``: the whole product, end to end, on loopback and in simulated time."""
