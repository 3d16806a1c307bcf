"""Warmup: ramps as data, metric gates, engagement tiers, pacing and cap arithmetic.

Everything here is pure: frozen values in, frozen values out, no clock read and no I/O. The
services feed it measured metrics and the time; the adapters keep its state and counters.
"""
