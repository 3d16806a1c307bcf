"""Sending: DKIM signing, message building, VERP, relay outcomes and the queue's rules."""
