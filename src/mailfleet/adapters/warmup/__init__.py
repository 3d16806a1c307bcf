"""In-memory twins of the warmup ports, for tests, the demo and the simulator."""
