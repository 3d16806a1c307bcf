"""Mailbox provisioning: desired mailboxes, provider listings, plans, passwords (pure)."""
