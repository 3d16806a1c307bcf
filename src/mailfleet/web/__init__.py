"""The web entry point: server-rendered dashboard, REST API, metrics and health checks.

``create_app`` builds the ASGI application from a wired ``mailfleet.bootstrap.App``; nothing
happens at import.
"""
