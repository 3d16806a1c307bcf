"""Passwords generated to a provider's policy with the ``secrets`` module (a CSPRNG)."""

from __future__ import annotations

import secrets
import string

from mailfleet.core.mailboxes.model import PasswordPolicy
from mailfleet.core.secrets import Secret

# Look-alike characters are left out: people copy these passwords into mail clients.
LOWER = "".join(c for c in string.ascii_lowercase if c not in "lo")
UPPER = "".join(c for c in string.ascii_uppercase if c not in "IO")
DIGITS = "".join(c for c in string.digits if c not in "01")


def generate_password(policy: PasswordPolicy) -> Secret:
    """A random password of ``policy.length`` that meets every class minimum of ``policy``.

    The required characters are drawn first, the rest from the union of the allowed classes,
    then the whole is shuffled with the CSPRNG so that the classes sit at random positions.
    """
    problems = policy.problems()
    if problems:
        raise ValueError("impossible password policy: " + "; ".join(problems))
    chars = [secrets.choice(LOWER) for _ in range(policy.min_lower)]
    chars += [secrets.choice(UPPER) for _ in range(policy.min_upper)]
    chars += [secrets.choice(DIGITS) for _ in range(policy.min_digits)]
    chars += [secrets.choice(policy.symbols) for _ in range(policy.min_symbols)]
    alphabet = LOWER + UPPER + DIGITS + policy.symbols
    chars += [secrets.choice(alphabet) for _ in range(policy.length - len(chars))]
    for i in range(len(chars) - 1, 0, -1):  # Fisher-Yates with secrets.randbelow
        j = secrets.randbelow(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return Secret("".join(chars))


def password_problems(password: str, policy: PasswordPolicy) -> list[str]:
    """Why ``password`` breaks ``policy`` (empty when it meets it)."""
    found = []
    if not policy.min_length <= len(password) <= policy.max_length:
        found.append(f"length {len(password)} outside {policy.min_length}-{policy.max_length}")
    counts = {
        "lowercase": (sum(c in string.ascii_lowercase for c in password), policy.min_lower),
        "uppercase": (sum(c in string.ascii_uppercase for c in password), policy.min_upper),
        "digits": (sum(c in string.digits for c in password), policy.min_digits),
        "symbols": (sum(c in policy.symbols for c in password), policy.min_symbols),
    }
    for name, (have, need) in counts.items():
        if have < need:
            found.append(f"needs {need} {name}, has {have}")
    return found
