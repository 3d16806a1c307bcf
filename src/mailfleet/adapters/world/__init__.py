"""The loopback world: an authoritative DNS server, DNSBL zones and receiving mail providers.

``mailfleet demo`` runs the whole product against these parts on 127.0.0.0/8: DNS answered
by a real server over UDP and TCP, mail delivered over real SMTP to receivers that behave like
the large mailbox providers and send bounces and complaints back to the feedback intake.
"""
