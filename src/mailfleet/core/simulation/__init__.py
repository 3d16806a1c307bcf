"""A world for the warmup to run against in simulated time: receivers, lists, scenarios."""
