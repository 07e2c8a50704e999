"""Coordinator accounts: creation, signing in (with a lock-out after repeated wrong passwords or codes) and
out, and changing the password. Signing out and a new password end every session of the account, on any
device. The second factor itself is `app.services.two_factor`."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from app.hashing import matches, password_hasher
from app.models import Coordinator, CoordinatorProgram, Program
from app.models.account import new_session_token
from app.services.audit import record_event

MIN_PASSWORD_LENGTH = 12
MAX_FAILED_LOGINS = 5
LOCKOUT_PERIOD = timedelta(minutes=15)


class AccountError(ValueError):
    """The account cannot be created or changed as asked; the message says why."""


class Refusal(StrEnum):
    CREDENTIALS = "credentials"
    INACTIVE = "inactive"


class PasswordChangeRefused(AccountError):
    """The password was not changed; `field` names the form field the message is about."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


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
    if problem := password_problem(password):
        raise AccountError(problem)
    coordinator = Coordinator(
        email=address, password_hash=password_hasher().hash(password), is_admin=is_admin
    )
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
    """The account whose password this is (the first factor), or `SignInRefused`; failures and lock-outs
    are counted and audited in the caller's transaction, which must be committed either way.

    This does not sign the account in: `complete_sign_in` does, once every factor the account has was
    given. Until then the count of failures stands, so a known password cannot be used to wipe the count
    of wrong codes that follow it."""
    coordinator = find_by_email(session, email)
    if coordinator is None:
        _hasher_busywork(password)
        raise SignInRefused(Refusal.CREDENTIALS)
    if is_locked(coordinator, now):
        # The password is not checked: otherwise guessing could go on while the account is locked.
        _hasher_busywork(password)
        raise SignInRefused(Refusal.CREDENTIALS)
    if not password_matches(coordinator, password):
        count_failure(session, coordinator, now)
        raise SignInRefused(Refusal.CREDENTIALS)
    if not coordinator.active:
        raise SignInRefused(Refusal.INACTIVE)
    if password_hasher().check_needs_rehash(coordinator.password_hash):
        coordinator.password_hash = password_hasher().hash(password)
        session.add(coordinator)
    return coordinator


def complete_sign_in(session: Session, coordinator: Coordinator, *, now: datetime, **detail) -> None:
    """Every factor was given: clear the count of failures and audit the sign-in."""
    coordinator.failed_logins, coordinator.locked_until, coordinator.last_login_at = 0, None, now
    session.add(coordinator)
    record_account_event(session, "account.signed_in", coordinator, **detail)


def is_locked(coordinator: Coordinator, now: datetime) -> bool:
    return coordinator.locked_until is not None and coordinator.locked_until > now


def sign_out(session: Session, coordinator: Coordinator) -> None:
    """End every session of the account, not only the one signing out: a copy of its cookie (a stolen one,
    or one left in another browser) stops working too."""
    end_every_session(session, coordinator)
    record_account_event(session, "account.signed_out", coordinator)


def change_password(
    session: Session, coordinator: Coordinator, current: str, new: str, *, now: datetime
) -> None:
    """Set a new password after checking the current one, and end every other session of the account (the
    caller signs this browser in again). Wrong current passwords count towards the lock-out like wrong
    sign-ins, so a stolen session cannot be used to guess the password; commit either way."""
    if is_locked(coordinator, now):
        minutes = int(LOCKOUT_PERIOD.total_seconds() // 60)
        raise PasswordChangeRefused(
            "current_password", f"Too many wrong passwords: please try again in {minutes} minutes."
        )
    if not password_matches(coordinator, current):
        count_failure(session, coordinator, now)
        raise PasswordChangeRefused("current_password", "That is not your current password.")
    if problem := password_problem(new, current=current):
        raise PasswordChangeRefused("new_password", problem)
    coordinator.password_hash = password_hasher().hash(new)
    coordinator.failed_logins = 0
    end_every_session(session, coordinator)
    record_account_event(session, "account.password_changed", coordinator)


def reset_password(session: Session, email: str, new: str) -> Coordinator:
    """An administrator's reset for someone who forgot their password: set it, lift any lock-out, and end
    every session of the account (a reset after a suspected break-in must sign the intruder out too)."""
    coordinator = find_by_email(session, email)
    if coordinator is None:
        raise AccountError(f"There is no account for {email}.")
    if problem := password_problem(new):
        raise AccountError(problem)
    coordinator.password_hash = password_hasher().hash(new)
    coordinator.failed_logins, coordinator.locked_until = 0, None
    end_every_session(session, coordinator)
    record_account_event(session, "account.password_reset", coordinator)
    return coordinator


def end_every_session(session: Session, coordinator: Coordinator) -> None:
    """A new session token: every session signed in with the old one loads no account any more."""
    coordinator.session_token = new_session_token()
    session.add(coordinator)


def password_problem(password: str, *, current: str | None = None) -> str | None:
    """Why `password` will not do as a new password, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
    if current is not None and password == current:
        return "Choose a password other than your current one."
    return None


def password_matches(coordinator: Coordinator, password: str) -> bool:
    return matches(password_hasher(), coordinator.password_hash, password)


def find_by_email(session: Session, email: str) -> Coordinator | None:
    try:
        address = _normalised_email(email)
    except AccountError:
        return None
    return session.exec(select(Coordinator).where(Coordinator.email == address)).first()


def count_failure(session: Session, coordinator: Coordinator, now: datetime, **detail) -> None:
    """One more wrong password or code in a row; the fifth locks the account for LOCKOUT_PERIOD."""
    coordinator.failed_logins += 1
    if coordinator.failed_logins >= MAX_FAILED_LOGINS:
        coordinator.failed_logins, coordinator.locked_until = 0, now + LOCKOUT_PERIOD
        record_account_event(
            session, "account.locked", coordinator, until=coordinator.locked_until.isoformat(), **detail
        )
    else:
        record_account_event(
            session, "account.sign_in_failed", coordinator, failures=coordinator.failed_logins, **detail
        )
    session.add(coordinator)


def record_account_event(session: Session, action: str, coordinator: Coordinator, **detail) -> None:
    record_event(
        session,
        action,
        actor=coordinator.email,
        coordinator_id=coordinator.id,
        subject=("coordinator", coordinator.id),
        **detail,
    )


@cache
def _unknown_account_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("no account has this password")


def _hasher_busywork(password: str) -> None:
    """Spend the time a real password check takes, so the delay tells nothing about the account."""
    hasher = password_hasher()
    matches(hasher, _unknown_account_hash(hasher), password)


def _normalised_email(email: str) -> str:
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(f"{email!r} is not a valid email address: {error}") from None
