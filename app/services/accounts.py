"""Coordinator accounts: creation and password checks."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from app.models import Coordinator, CoordinatorProgram, Program

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()


class AccountError(ValueError):
    """The account cannot be created or changed as asked; the message says why."""


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


def password_matches(coordinator: Coordinator, password: str) -> bool:
    try:
        return _hasher.verify(coordinator.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def _normalised_email(email: str) -> str:
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(f"{email!r} is not a valid email address: {error}") from None
