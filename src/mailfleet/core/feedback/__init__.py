"""Feedback: what comes back after a send (bounces, complaints, auto-replies), understood.

The entry point is :func:`mailfleet.core.feedback.parse.parse_feedback`: raw bytes in, a
classified :class:`~mailfleet.core.feedback.model.FeedbackReport` out, never an exception.
Classification rules are data (``mailfleet/policy/bounce_rules.toml``), loaded into
:class:`~mailfleet.core.feedback.rules.BounceRules`.
"""
