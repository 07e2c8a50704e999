"""The argon2 hashers for what people type to prove who they are: coordinators' passwords and recovery codes.

An app made for the test suite (`TESTING`, which only `create_app`'s test configuration sets, never the
environment) hashes with argon2's cheapest parameters: at real cost a hash takes a tenth of a second, and the
suite would spend most of its time hashing. A hash keeps its own parameters, so checking one never depends
on which hasher made it, and a password hashed more cheaply than the current hasher would is hashed again
at the next sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from flask import current_app, has_app_context

PASSWORDS = PasswordHasher()  # argon2-cffi's default: RFC 9106's low-memory profile (64 MiB, 3 passes)
# Recovery codes are random (40 bits), not chosen by people, so a lighter argon2 than the passwords' one
# (OWASP's minimum: 19 MiB, 2 passes) is plenty, and checking a code against ten hashes stays quick.
RECOVERY_CODES = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
FOR_TESTS = PasswordHasher.from_parameters(profiles.CHEAPEST)


def password_hasher() -> PasswordHasher:
    return FOR_TESTS if _testing() else PASSWORDS


def recovery_code_hasher() -> PasswordHasher:
    return FOR_TESTS if _testing() else RECOVERY_CODES


def matches(hasher: PasswordHasher, hashed: str, typed: str) -> bool:
    """Whether `typed` is what `hashed` was made from; a damaged hash matches nothing."""
    try:
        return hasher.verify(hashed, typed)
    except (VerifyMismatchError, InvalidHashError):
        return False


def _testing() -> bool:
    return has_app_context() and current_app.testing
