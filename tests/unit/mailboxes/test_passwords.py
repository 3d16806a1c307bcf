"""Password generation to a provider's declared policy."""

from __future__ import annotations

import pytest

from mailfleet.core.mailboxes.model import PasswordPolicy
from mailfleet.core.mailboxes.passwords import generate_password, password_problems
from mailfleet.policy.mailboxes import capabilities, kinds


@pytest.mark.parametrize("kind", kinds())
def test_generated_passwords_meet_each_declared_policy(kind: str) -> None:
    """Every provider kind's password policy is met by 200 generated passwords."""
    policy = capabilities(kind).password
    for _ in range(200):
        assert password_problems(generate_password(policy).reveal(), policy) == []


def test_class_minimums_are_honoured_even_when_they_fill_the_password() -> None:
    """A policy demanding 3 of each class in 12 characters gets exactly that mix."""
    policy = PasswordPolicy(
        min_length=12, length=12, min_lower=3, min_upper=3, min_digits=3, min_symbols=3
    )
    value = generate_password(policy).reveal()
    assert len(value) == 12
    assert password_problems(value, policy) == []


def test_passwords_differ() -> None:
    """Two draws never repeat (a CSPRNG, not a fixed seed)."""
    policy = PasswordPolicy()
    assert len({generate_password(policy).reveal() for _ in range(100)}) == 100


def test_an_impossible_policy_is_refused() -> None:
    """A policy whose classes need more characters than its length raises, naming why."""
    with pytest.raises(ValueError, match="classes need"):
        generate_password(PasswordPolicy(length=3, min_length=3))


def test_problems_name_the_missing_class() -> None:
    """A password without digits is reported as needing digits."""
    assert "needs 1 digits, has 0" in password_problems("abcdefGHIJKL!!!!", PasswordPolicy())


def test_secret_wrapper_hides_the_value() -> None:
    """The generated password does not show in repr or str."""
    secret = generate_password(PasswordPolicy())
    assert secret.reveal() not in repr(secret)
    assert secret.reveal() not in str(secret)
