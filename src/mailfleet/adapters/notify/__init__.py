"""Alert channels: Slack-compatible and signed JSON webhooks, email over SMTP, the log."""
