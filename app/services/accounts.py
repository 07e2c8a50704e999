"""Coordinator accounts: creation, and signing in with a lock-out after repeated wrong passwords."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from app.models import Coordinator, CoordinatorProgram, Program
from app.services.audit import record_event

MIN_PASSWORD_LENGTH = 12
MAX_FAILED_LOGINS = 5
LOCKOUT_PERIOD = timedelta(minutes=15)
_hasher = PasswordHasher()


class AccountError(ValueError):
    """The account cannot be created or changed as asked; the message says why."""


class Refusal(StrEnum):
    CREDENTIALS = "credentials"
    INACTIVE = "inactive"


class SignInRefused(AccountError):
    """Signing in was refused. `CREDENTIALS` covers an unknown address, a wrong password and a locked account
    alike, so the answer never tells a stranger which addresses have accounts."""

    def __init__(self, reason: Refusal):
        super().__init__(reason.value)
        self.reason = reason


def create_coordinator(
    session: Session,
    email: str,
    password: str,
    *,
    is_admin: bool = False,
    program_slugs: tuple[str, ...] = (),
) -> Coordinator:
    address = _normalised_email(email)
    if session.exec(select(Coordinator).where(Coordinator.email == address)).first():
        raise AccountError(f"A coordinator with the address {address} already exists.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    coordinator = Coordinator(email=address, password_hash=_hasher.hash(password), is_admin=is_admin)
    session.add(coordinator)
    session.flush()
    for slug in program_slugs:
        program = session.exec(select(Program).where(Program.slug == slug)).first()
        if program is None:
            raise AccountError(f"There is no program {slug!r}.")
        session.add(CoordinatorProgram(coordinator_id=coordinator.id, program_id=program.id))
    session.flush()
    return coordinator


def authenticate(session: Session, email: str, password: str, *, now: datetime) -> Coordinator:
    """The account these credentials open, or `SignInRefused`; failures and lock-outs are counted and
    audited in the caller's transaction, which must be committed either way."""
    coordinator = _find_by_email(session, email)
    if coordinator is None:
        _hasher_busywork(password)
        raise SignInRefused(Refusal.CREDENTIALS)
    if coordinator.locked_until is not None and coordinator.locked_until > now:
        # The password is not checked: otherwise guessing could go on while the account is locked.
        _hasher_busywork(password)
        raise SignInRefused(Refusal.CREDENTIALS)
    if not password_matches(coordinator, password):
        _count_failure(session, coordinator, now)
        raise SignInRefused(Refusal.CREDENTIALS)
    if not coordinator.active:
        raise SignInRefused(Refusal.INACTIVE)
    if _hasher.check_needs_rehash(coordinator.password_hash):
        coordinator.password_hash = _hasher.hash(password)
    coordinator.failed_logins, coordinator.locked_until, coordinator.last_login_at = 0, None, now
    session.add(coordinator)
    _record(session, "account.signed_in", coordinator)
    return coordinator


def password_matches(coordinator: Coordinator, password: str) -> bool:
    try:
        return _hasher.verify(coordinator.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def _find_by_email(session: Session, email: str) -> Coordinator | None:
    try:
        address = _normalised_email(email)
    except AccountError:
        return None
    return session.exec(select(Coordinator).where(Coordinator.email == address)).first()


def _count_failure(session: Session, coordinator: Coordinator, now: datetime) -> None:
    coordinator.failed_logins += 1
    if coordinator.failed_logins >= MAX_FAILED_LOGINS:
        coordinator.failed_logins, coordinator.locked_until = 0, now + LOCKOUT_PERIOD
        _record(session, "account.locked", coordinator, until=coordinator.locked_until.isoformat())
    else:
        _record(session, "account.sign_in_failed", coordinator, failures=coordinator.failed_logins)
    session.add(coordinator)


def _record(session: Session, action: str, coordinator: Coordinator, **detail) -> None:
    record_event(
        session,
        action,
        actor=coordinator.email,
        coordinator_id=coordinator.id,
        subject=("coordinator", coordinator.id),
        **detail,
    )


@cache
def _unknown_account_hash() -> str:
    return _hasher.hash("no account has this password")


def _hasher_busywork(password: str) -> None:
    """Spend the time a real password check takes, so the delay tells nothing about the account."""
    with suppress(VerifyMismatchError):
        _hasher.verify(_unknown_account_hash(), password)


def _normalised_email(email: str) -> str:
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(f"{email!r} is not a valid email address: {error}") from None
