"""Reputation adapters: DNSBL resolvers and the reputation store."""
