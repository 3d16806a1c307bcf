"""Alert channels from the reputation settings: the composition root's factory for them."""

from __future__ import annotations

from collections.abc import Mapping

from mailfleet.adapters.notify.email import SmtpEmailNotifier
from mailfleet.adapters.notify.log import LogNotifier
from mailfleet.adapters.notify.webhook import SignedWebhookNotifier, SlackWebhookNotifier
from mailfleet.adapters.reputation.config import (
    AlertsConfig,
    EmailChannel,
    SlackChannel,
    WebhookChannel,
)
from mailfleet.adapters.secret_refs import resolve_secret_ref
from mailfleet.core.errors import ConfigError
from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.messages import monitoring_sender
from mailfleet.core.reputation.ports import Notifier


def build_notifiers(
    config: AlertsConfig, fleet: Fleet, env: Mapping[str, str] | None
) -> list[Notifier]:
    """The configured alert channels, secrets resolved from their references."""
    channels: list[Notifier] = []
    for channel in config.channels:
        if isinstance(channel, SlackChannel):
            url = resolve_secret_ref(channel.url, env)
            channels.append(SlackWebhookNotifier(url, name=channel.name))
        elif isinstance(channel, WebhookChannel):
            url, key = resolve_secret_ref(channel.url, env), resolve_secret_ref(channel.key, env)
            channels.append(SignedWebhookNotifier(url, key, name=channel.name))
        elif isinstance(channel, EmailChannel):
            sender = channel.sender or monitoring_sender(fleet, config.monitoring_segment)
            if sender is None:
                raise ConfigError(
                    f"alert email needs a sender: segment {config.monitoring_segment!r} has "
                    "no mailbox; add one or set 'sender' on the email channel"
                )
            password = resolve_secret_ref(channel.password, env) if channel.password else None
            channels.append(
                SmtpEmailNotifier(
                    channel.host,
                    channel.port,
                    sender,
                    channel.to,
                    username=channel.username,
                    password=password,
                    starttls=channel.starttls,
                    name=channel.name,
                )
            )
        else:
            channels.append(LogNotifier(name=channel.name))
    return channels
