"""Two-factor sign-in for coordinators: an authenticator app (TOTP, RFC 6238, through pyotp) and ten
single-use recovery codes for when the phone is lost.

A code is accepted from the step before to the step after the current one (clocks drift), and only once:
`Coordinator.totp_last_step` keeps the step of the last accepted code, and a code of that step or an
earlier one is refused. Recovery codes are kept as argon2 hashes only and shown once, when made. Wrong
codes count towards the same lock-out as wrong passwords (`accounts.count_failure`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pyotp
from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, select

from app.hashing import matches, recovery_code_hasher
from app.models import Coordinator, RecoveryCode
from app.services.accounts import (
    LOCKOUT_PERIOD,
    AccountError,
    count_failure,
    end_every_session,
    is_locked,
    record_account_event,
)
from app.services.audit import record_event

ISSUER = "Peer Meet-ups"
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_BYTES = 5  # ten hexadecimal characters, shown as two groups of five
VALID_WINDOW = 1  # steps either side of the current one
APP_CODE = re.compile(r"\d{6}")


class Factor(StrEnum):
    APP = "authenticator app"
    RECOVERY_CODE = "recovery code"


class CodeRefused(AccountError):
    """The code was not accepted; the message says why, in words for the person who typed it."""


@dataclass(frozen=True)
class AccountSecurity:
    """An account as the admins' accounts page lists it."""

    coordinator: Coordinator
    recovery_codes_left: int


def start_enrolment(session: Session, coordinator: Coordinator) -> str:
    """The secret to put in the authenticator app. It stays the same until enrolment is confirmed, so a
    page reloaded after scanning still matches the app."""
    if coordinator.two_factor_enabled:
        raise AccountError("Two-factor sign-in is already on for this account.")
    if coordinator.totp_secret is None:
        coordinator.totp_secret = pyotp.random_base32()
        session.add(coordinator)
    return coordinator.totp_secret


def provisioning_uri(coordinator: Coordinator) -> str:
    """The otpauth:// address an authenticator app reads from the enrolment QR code."""
    return pyotp.TOTP(coordinator.totp_secret).provisioning_uri(name=coordinator.email, issuer_name=ISSUER)


def confirm_enrolment(session: Session, coordinator: Coordinator, code: str, *, now: datetime) -> list[str]:
    """Switch two-factor sign-in on once the app shows a right code; returns the new recovery codes, which
    are never shown again. Wrong codes here do not count towards the lock-out: the secret is new and
    guessing it opens nothing."""
    if coordinator.two_factor_enabled or coordinator.totp_secret is None:
        raise CodeRefused("Two-factor sign-in is already on, or was not being set up. Please start again.")
    step = _matching_step(coordinator.totp_secret, _normalised(code), now)
    if step is None:
        raise CodeRefused(
            "That code does not match. Check that your app shows the Peer Meet-ups account you just added, "
            "and type the code it shows now."
        )
    coordinator.totp_confirmed_at, coordinator.totp_last_step = now, step
    session.add(coordinator)
    codes = _replace_recovery_codes(session, coordinator)
    record_account_event(session, "account.two_factor_enabled", coordinator)
    return codes


def check_second_factor(session: Session, coordinator: Coordinator, code: str, *, now: datetime) -> Factor:
    """Accept a current code from the app or an unused recovery code (each only once), or raise
    `CodeRefused`. Each refusal counts towards the lock-out; commit either way."""
    if not coordinator.two_factor_enabled:
        raise AccountError("Two-factor sign-in is not on for this account.")
    if is_locked(coordinator, now):
        raise CodeRefused(_locked_message())
    typed = _normalised(code)
    if APP_CODE.fullmatch(typed):
        problem = _use_app_code(session, coordinator, typed, now)
        factor = Factor.APP
    else:
        problem = _use_recovery_code(session, coordinator, typed, now)
        factor = Factor.RECOVERY_CODE
    if problem is None:
        return factor
    count_failure(session, coordinator, now, factor="second")
    raise CodeRefused(_locked_message() if is_locked(coordinator, now) else problem)


def regenerate_recovery_codes(
    session: Session, coordinator: Coordinator, code: str, *, now: datetime
) -> list[str]:
    """New recovery codes for the account, after a code; every earlier recovery code stops working."""
    check_second_factor(session, coordinator, code, now=now)
    codes = _replace_recovery_codes(session, coordinator)
    record_account_event(session, "account.recovery_codes_regenerated", coordinator)
    return codes


def restart_enrolment(session: Session, coordinator: Coordinator, code: str, *, now: datetime) -> str:
    """Move to a new phone: after a code (from the old app, or a recovery code), forget the old secret and
    recovery codes and start enrolment with a new secret, which is returned. Until a code from the new app
    confirms it, a coordinator signs in with the password alone, and an admin reaches only the set-up page."""
    check_second_factor(session, coordinator, code, now=now)
    _forget_second_factor(session, coordinator)
    record_account_event(session, "account.two_factor_restarted", coordinator)
    return start_enrolment(session, coordinator)


def turn_off_two_factor(session: Session, coordinator: Coordinator, code: str, *, now: datetime) -> None:
    """Back to signing in with the password alone, after a code; admins must keep their second factor."""
    if coordinator.is_admin:
        raise AccountError("Administrators always sign in with two factors, so it cannot be turned off.")
    check_second_factor(session, coordinator, code, now=now)
    _forget_second_factor(session, coordinator)
    record_account_event(session, "account.two_factor_disabled", coordinator)


def reset_two_factor(
    session: Session, account: Coordinator, *, actor: str, actor_id: int | None = None
) -> None:
    """An admin's (or the deployer's) reset for someone who lost their phone and their recovery codes:
    forget the second factor and end every session of the account, wherever it is. `actor` and `actor_id`
    say who did it in the audit log."""
    _forget_second_factor(session, account)
    end_every_session(session, account)
    record_event(
        session,
        "account.two_factor_reset",
        actor=actor,
        coordinator_id=actor_id,
        subject=("coordinator", account.id),
        account=account.email,
    )


def after_reset(account: Coordinator) -> str:
    """What the person whose second factor was reset does next, for whoever reset it."""
    if account.is_admin:
        return "As an administrator, they set it up again right after signing in with their password."
    return "They sign in with their password alone until they set it up again."


def recovery_codes_left(session: Session, coordinator: Coordinator) -> int:
    return session.exec(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.coordinator_id == coordinator.id, RecoveryCode.used_at.is_(None))
    ).one()


def list_account_security(session: Session) -> list[AccountSecurity]:
    """Every account by address, with how many recovery codes it has left."""
    left = dict(
        session.exec(
            select(RecoveryCode.coordinator_id, func.count())
            .where(RecoveryCode.used_at.is_(None))
            .group_by(RecoveryCode.coordinator_id)
        ).all()
    )
    accounts = session.exec(select(Coordinator).order_by(Coordinator.email)).all()
    return [AccountSecurity(account, left.get(account.id, 0)) for account in accounts]


def format_recovery_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def _use_app_code(session: Session, coordinator: Coordinator, typed: str, now: datetime) -> str | None:
    """None once the code is accepted, else why not. The step is claimed with one conditional UPDATE, so
    of two requests sent at once with the same code only one gets through."""
    step = _matching_step(coordinator.totp_secret, typed, now)
    if step is None:
        return "That code is not right, or it has expired. Type the code your authenticator app shows now."
    claimed = session.exec(
        update(Coordinator)
        .where(
            Coordinator.id == coordinator.id,
            or_(Coordinator.totp_last_step.is_(None), Coordinator.totp_last_step < step),
        )
        .values(totp_last_step=step)
    ).rowcount
    if not claimed:
        return "That code was used already. Wait until your app shows a new code, then type that one."
    coordinator.totp_last_step = step
    return None


def _use_recovery_code(session: Session, coordinator: Coordinator, typed: str, now: datetime) -> str | None:
    unused = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.coordinator_id == coordinator.id, RecoveryCode.used_at.is_(None)
        )
    ).all()
    match = next((row for row in unused if _recovery_code_matches(row, typed)), None)
    claimed = (
        match is not None
        and session.exec(
            update(RecoveryCode)
            .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
            .values(used_at=now)
        ).rowcount
    )
    if not claimed:
        return (
            "That is not a code from your authenticator app (six digits) or one of your unused recovery "
            "codes. Please check it and try again."
        )
    record_account_event(session, "account.recovery_code_used", coordinator, codes_left=len(unused) - 1)
    return None


def _matching_step(secret: str, typed: str, now: datetime) -> int | None:
    """The time step whose code `typed` is, within VALID_WINDOW steps of now, or None."""
    if not APP_CODE.fullmatch(typed):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(step), typed):
            return step
    return None


def _replace_recovery_codes(session: Session, coordinator: Coordinator) -> list[str]:
    session.exec(delete(RecoveryCode).where(RecoveryCode.coordinator_id == coordinator.id))
    codes = [secrets.token_hex(RECOVERY_CODE_BYTES) for _ in range(RECOVERY_CODE_COUNT)]
    hasher = recovery_code_hasher()
    session.add_all(
        RecoveryCode(coordinator_id=coordinator.id, code_hash=hasher.hash(code)) for code in codes
    )
    session.flush()
    return [format_recovery_code(code) for code in codes]


def _recovery_code_matches(row: RecoveryCode, typed: str) -> bool:
    return matches(recovery_code_hasher(), row.code_hash, typed)


def _forget_second_factor(session: Session, coordinator: Coordinator) -> None:
    coordinator.totp_secret = coordinator.totp_confirmed_at = coordinator.totp_last_step = None
    session.add(coordinator)
    session.exec(delete(RecoveryCode).where(RecoveryCode.coordinator_id == coordinator.id))


def _normalised(code: str) -> str:
    """What was typed, without the spaces and dashes people copy along with a code."""
    return re.sub(r"[\s-]", "", code).lower()


def _locked_message() -> str:
    minutes = int(LOCKOUT_PERIOD.total_seconds() // 60)
    return (
        f"Too many wrong codes in a row: this account is locked for {minutes} minutes. Please try again then."
    )
