"""Running a program from the console: creating it, changing its settings, opening and closing registration.

Submitted settings are checked first (`app.inputs.program_settings`); only then is anything written. Every
change is audited in the caller's transaction, in the name of the coordinator who made it (`record_change`,
which conditions, hosts and the survey use too).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from sqlmodel import Session, select

from app.content import Translations, with_texts
from app.inputs.program_settings import validate_new_program, validate_program_settings
from app.models import Coordinator, Program
from app.services.audit import record_event
from app.services.main_language import check_main_language_change, move_main_language
from app.services.registration import list_conditions
from app.services.text_consent import stop_program_texts


class ProgramError(ValueError):
    """The change cannot be made as asked; the message tells the coordinator why and what to do instead."""


def create_program(session: Session, data: Mapping[str, Any], *, by: Coordinator) -> Program:
    """A new program, closed to registration until it has conditions and a coordinator opens it."""
    slug, settings = validate_new_program(data, slug_taken=lambda slug: _slug_taken(session, slug))
    translations = _merged({}, settings.translated)
    program = Program(slug=slug, registration_open=False, translations=translations, **settings.as_columns())
    session.add(program)
    session.flush()
    record_change(session, "program.created", program, by, subject=("program", program.id), slug=slug)
    return program


def programs_open_for_registration(session: Session) -> list[Program]:
    """The programs taking registrations now, by name: what the site's front door lists."""
    return list(session.exec(select(Program).where(Program.registration_open).order_by(Program.name)).all())


def _slug_taken(session: Session, slug: str) -> bool:
    return session.exec(select(Program.id).where(Program.slug == slug)).first() is not None


def update_program(
    session: Session, program: Program, data: Mapping[str, Any], *, by: Coordinator
) -> list[str]:
    """Apply checked settings; returns the names of the settings that changed (none: nothing is recorded).
    A new main language takes its place in every text of the program (`app.services.main_language`)."""
    offers = list_conditions(session, program)
    settings = validate_program_settings(data, [offer.condition for offer in offers])
    columns = {**settings.as_columns(), "translations": _merged(program.translations, settings.translated)}
    old_main, new_main = program.default_locale, columns["default_locale"]
    if new_main != old_main:
        check_main_language_change(SimpleNamespace(**columns), offers, old_main, new_main)
    changed = [name for name, value in columns.items() if getattr(program, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(program, name, columns[name])
    if new_main != old_main:
        session.add_all(move_main_language(program, offers, old_main, new_main))
    session.add(program)
    if "texts_enabled" in changed and not program.texts_enabled:
        stop_program_texts(session, program)
    record_change(
        session, "program.settings_changed", program, by, subject=("program", program.id), fields=changed
    )
    return changed


def _merged(translations: Translations, translated: Mapping[str, Mapping[str, str]]) -> Translations:
    """`translations` with the texts sent for each field (`translated`) in place of those they had."""
    for field, texts in translated.items():
        translations = with_texts(translations, field, texts)
    return translations


def set_registration(session: Session, program: Program, is_open: bool, *, by: Coordinator) -> None:
    if is_open and not list_conditions(session, program):
        raise ProgramError("Add at least one condition before opening registration: people must choose one.")
    if program.registration_open == is_open:
        return
    program.registration_open = is_open
    session.add(program)
    action = "program.registration_opened" if is_open else "program.registration_closed"
    record_change(session, action, program, by, subject=("program", program.id))


def record_change(
    session: Session, action: str, program: Program, by: Coordinator, *, subject: tuple[str, Any], **detail
) -> None:
    record_event(
        session,
        action,
        actor=by.email,
        coordinator_id=by.id,
        program_id=program.id,
        subject=subject,
        **detail,
    )
