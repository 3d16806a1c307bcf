"""Reputation: DNSBL checks (RFC 5782), alert rules and automatic isolation, as pure functions.

Nothing here does I/O. Resolvers, notifiers, metrics and storage sit behind the ports in
``ports.py``; the services wire them together.
"""
