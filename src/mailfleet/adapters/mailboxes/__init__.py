"""Mailbox providers: Google Workspace, Microsoft 365, Mailcow, PostfixAdmin SQL, in-memory."""
