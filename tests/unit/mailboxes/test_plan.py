"""Planning: the spec's mailboxes against a provider's listing."""

from __future__ import annotations

from dataclasses import replace

from mailfleet.core.fleet import Fleet
from mailfleet.core.mailboxes.model import ProviderMailbox, Setting, desired_mailboxes
from mailfleet.core.mailboxes.plan import ActionKind, plan_provider
from mailfleet.policy.mailboxes import capabilities


def _listed(fleet: Fleet) -> list[ProviderMailbox]:
    return [
        ProviderMailbox(
            m.address, f"id-{m.address}", m.display_name, m.daily_limit, m.forward_to, m.relay
        )
        for m in desired_mailboxes(fleet)["local"]
    ]


def test_an_empty_provider_plans_a_create_per_mailbox(fleet: Fleet) -> None:
    """Nothing listed: every spec mailbox is a create."""
    actions = plan_provider("local", desired_mailboxes(fleet)["local"], [], capabilities("memory"))
    assert [a.kind for a in actions] == [ActionKind.CREATE] * 5
    assert actions[0].address == "hello@one.example"


def test_a_matching_listing_is_unchanged(fleet: Fleet) -> None:
    """A provider that already has every mailbox as specified plans no change."""
    desired = desired_mailboxes(fleet)["local"]
    actions = plan_provider("local", desired, _listed(fleet), capabilities("memory"))
    assert {a.kind for a in actions} == {ActionKind.UNCHANGED}


def test_drift_in_a_supported_setting_is_an_update(fleet: Fleet) -> None:
    """A changed display name and daily limit are planned as an update naming both."""
    listing = _listed(fleet)
    listing[0] = replace(listing[0], display_name="Old", daily_limit=10)
    actions = plan_provider(
        "local", desired_mailboxes(fleet)["local"], listing, capabilities("memory")
    )
    assert actions[0].kind == ActionKind.UPDATE
    assert actions[0].changes == (Setting.DISPLAY_NAME, Setting.DAILY_LIMIT)


def test_drift_in_an_unsupported_setting_is_ignored(fleet: Fleet) -> None:
    """Google has no daily limit: a different one there is not drift."""
    listing = [replace(m, daily_limit=999) for m in _listed(fleet)]
    actions = plan_provider(
        "local", desired_mailboxes(fleet)["local"], listing, capabilities("google")
    )
    assert {a.kind for a in actions} == {ActionKind.UNCHANGED}


def test_a_suspended_mailbox_in_the_spec_is_resumed(fleet: Fleet) -> None:
    """A suspended mailbox that the spec still wants is planned as an update that resumes it."""
    listing = _listed(fleet)
    listing[1] = replace(listing[1], suspended=True)
    actions = plan_provider(
        "local", desired_mailboxes(fleet)["local"], listing, capabilities("memory")
    )
    assert actions[1].kind == ActionKind.UPDATE
    assert actions[1].changes == (Setting.SUSPENDED,)


def test_mailboxes_outside_the_spec_are_suspended_only_when_asked(fleet: Fleet) -> None:
    """An extra mailbox on a spec domain is suspended with suspend_missing, else left alone."""
    desired = desired_mailboxes(fleet)["local"]
    listing = [*_listed(fleet), ProviderMailbox("gone@one.example", "x")]
    listing.append(ProviderMailbox("other@elsewhere.example", "y"))
    caps = capabilities("memory")
    assert not [
        a for a in plan_provider("local", desired, listing, caps) if a.current and a.desired is None
    ]
    actions = plan_provider("local", desired, listing, caps, suspend_missing=True)
    suspended = [a.address for a in actions if a.kind == ActionKind.SUSPEND]
    assert suspended == ["gone@one.example"]


def test_a_username_the_provider_refuses_is_invalid_with_a_reason(fleet: Fleet) -> None:
    """Microsoft 365 refuses '+' in a nickname: the mailbox is invalid, the others go on."""
    desired = desired_mailboxes(fleet)["local"]
    desired[0] = replace(desired[0], username="a+b")
    actions = plan_provider("local", desired, [], capabilities("microsoft365"))
    assert actions[0].kind == ActionKind.INVALID
    assert "does not accept the username 'a+b'" in actions[0].reason
    assert [a.kind for a in actions[1:]] == [ActionKind.CREATE] * 4


def test_a_display_name_too_long_is_invalid(fleet: Fleet) -> None:
    """A display name over the provider's limit is reported, never sent."""
    desired = desired_mailboxes(fleet)["local"]
    desired[0] = replace(desired[0], display_name="x" * 300)
    actions = plan_provider("local", desired, [], capabilities("google"))
    assert actions[0].kind == ActionKind.INVALID
    assert "300 characters" in actions[0].reason
