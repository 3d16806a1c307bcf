"""DNS and email authentication: record values, templates, SPF/DKIM/DMARC builders and plans.

Everything here is pure: values in, values out. Providers, resolvers and key storage sit
behind the ports in ``mailfleet.core.dns.ports``.
"""
