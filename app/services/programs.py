"""Running programs from the console: their settings, conditions and stages, registration, and activity.

Submitted values are first checked into a typed value (every problem reported at once, keyed by field, as in
`app.schemas.registration`); only then is anything written. Every change is audited in the caller's
transaction, in the name of the coordinator who made it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func
from sqlmodel import Session, select

from app.i18n import SUPPORTED_LOCALES
from app.models import (
    AuditEvent,
    Cohort,
    CohortStatus,
    Condition,
    Coordinator,
    Host,
    Participant,
    ParticipantStatus,
    Program,
    Stage,
)
from app.schemas.registration import InvalidInput
from app.services.audit import record_event
from app.services.neutral_title import named_diagnosis, suggest_neutral_title
from app.services.registration import list_conditions

MAX_GROUP_SIZE = 50
EVENTS_PER_PAGE = 50
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
RESERVED_SLUGS = {"new"}  # /console/programs/new is the page for creating one
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ProgramError(ValueError):
    """The change cannot be made as asked; the message tells the coordinator why and what to do instead."""


# Field rules, shared with the host pool ----------------------------------------------------------------


class FieldProblem(ValueError):
    """One field's rule was broken; the message is shown next to that field."""


Rule = Callable[[Any], Any]


class FieldReader:
    """Reads submitted values field by field, keeping the first problem of each, so all are shown at once."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.errors: dict[str, str] = {}

    def read(self, field: str, rule: Rule) -> Any:
        try:
            return rule(self.data.get(field))
        except FieldProblem as problem:
            self.fail(field, str(problem))
            return None

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def finish(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


def text(max_length: int, missing: str | None = None) -> Rule:
    """Trimmed text of at most `max_length` characters; required when a `missing` message is given."""

    def rule(value: Any) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise FieldProblem("Enter text here.")
        value = value.strip()
        if not value and missing:
            raise FieldProblem(missing)
        if len(value) > max_length:
            raise FieldProblem(f"Please keep this to {max_length} characters or fewer.")
        if _CONTROL.search(value):
            raise FieldProblem("Please use only letters, numbers and punctuation here.")
        return value

    return rule


def number(low: int, high: int) -> Rule:
    def rule(value: Any) -> int:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise FieldProblem(f"Enter a whole number from {low} to {high}.")
        return value

    return rule


def email_address(value: Any) -> str:
    address = text(320, "Enter an email address.")(value)
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise FieldProblem("Enter an email address like name@example.org.") from None


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone(value: Any) -> str:
    zone = text(64, "Enter a time zone, such as Europe/Madrid.")(value)
    if zone not in _known_timezones():
        raise FieldProblem(f"“{zone}” is not a time zone we know. Use a name such as Europe/Madrid or UTC.")
    return zone


def optional_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise FieldProblem("Enter a date like 2026-03-31.") from None


def choices(allowed: Sequence[str], missing: str) -> Rule:
    """Several of `allowed`, each once, in the order given; at least one."""

    def rule(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not value:
            raise FieldProblem(missing)
        if any(item not in allowed for item in value):
            raise FieldProblem("Choose only from the options listed.")
        return tuple(dict.fromkeys(value))

    return rule


def flag(value: Any) -> bool:
    return value is True


def code_for(name: str, taken: Iterable[str]) -> str:
    """A short, stable code made from a name ("Lung cancer" → "lung-cancer"), unlike any `taken` one."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:56] or "item"
    taken = set(taken)
    code, number_ = base, 2
    while code in taken:
        code, number_ = f"{base}-{number_}", number_ + 1
    return code


# Program settings ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramSettings:
    """Everything a coordinator sets on a program, checked."""

    name: str
    neutral_title: str
    organisation: str
    description: str
    contact_email: str
    languages: tuple[str, ...]
    default_locale: str
    min_size: int
    target_size: int
    max_size: int
    max_stage_gap: int
    separate_roles: bool
    meeting_minutes: int
    timezone: str
    first_meeting_on: date | None
    last_meeting_on: date | None
    tips_days_before: int
    reminder_hours_before: int
    survey_hours_after: int
    zoom_user: str
    condition_in_title: bool
    host_as_alternative_host: bool
    retention_days: int

    def as_columns(self) -> dict[str, Any]:
        return {**asdict(self), "languages": list(self.languages)}


def validate_program_settings(
    data: Mapping[str, Any], conditions: Sequence[Condition] = ()
) -> ProgramSettings:
    """Check submitted settings; `conditions` are the program's, which its neutral title must not name."""
    reader = FieldReader(data)
    values = _read_settings(reader)
    _check_sizes(reader, values)
    _check_neutral_title(reader, values, conditions)
    if values["languages"] and values["default_locale"] not in values["languages"]:
        reader.fail("default_locale", "The main language must be one of the languages ticked.")
    first, last = values["first_meeting_on"], values["last_meeting_on"]
    if first and last and last < first:
        reader.fail("last_meeting_on", "The last meeting date must be on or after the first meeting date.")
    reader.finish()
    return ProgramSettings(**values)


def _read_settings(reader: FieldReader) -> dict[str, Any]:
    languages = choices(SUPPORTED_LOCALES, "Tick at least one language people can meet in.")
    return {
        "name": reader.read("name", text(200, "Enter the program's name.")),
        "neutral_title": reader.read("neutral_title", text(200)),
        "organisation": reader.read("organisation", text(200, "Enter the organisation that runs it.")),
        "description": reader.read("description", text(4000)),
        "contact_email": reader.read("contact_email", email_address),
        "languages": reader.read("languages", languages),
        "default_locale": reader.read("default_locale", text(8, "Choose the main language.")),
        "min_size": reader.read("min_size", number(2, MAX_GROUP_SIZE)),
        "target_size": reader.read("target_size", number(2, MAX_GROUP_SIZE)),
        "max_size": reader.read("max_size", number(2, MAX_GROUP_SIZE)),
        "max_stage_gap": reader.read("max_stage_gap", number(0, 10)),
        "separate_roles": reader.read("separate_roles", flag),
        "meeting_minutes": reader.read("meeting_minutes", number(15, 240)),
        "timezone": reader.read("timezone", time_zone),
        "first_meeting_on": reader.read("first_meeting_on", optional_date),
        "last_meeting_on": reader.read("last_meeting_on", optional_date),
        "tips_days_before": reader.read("tips_days_before", number(1, 30)),
        "reminder_hours_before": reader.read("reminder_hours_before", number(1, 72)),
        "survey_hours_after": reader.read("survey_hours_after", number(0, 168)),
        "zoom_user": reader.read("zoom_user", text(320, "Enter the Zoom user the meetings belong to.")),
        "condition_in_title": reader.read("condition_in_title", flag),
        "host_as_alternative_host": reader.read("host_as_alternative_host", flag),
        "retention_days": reader.read("retention_days", number(30, 3650)),
    }


def _check_sizes(reader: FieldReader, values: dict[str, Any]) -> None:
    smallest, target, largest = values["min_size"], values["target_size"], values["max_size"]
    if None in (smallest, target, largest):
        return
    if largest < smallest:
        reader.fail("max_size", f"The largest size must be at least the smallest size ({smallest}).")
    elif not smallest <= target <= largest:
        reader.fail("target_size", f"The usual size must lie between {smallest} and {largest}.")


def _check_neutral_title(
    reader: FieldReader, values: dict[str, Any], conditions: Sequence[Condition]
) -> None:
    title = values["neutral_title"]
    diagnosis = named_diagnosis(title, conditions) if title else None
    if diagnosis:
        suggestion = suggest_neutral_title(values["organisation"] or "", conditions)
        reader.fail(
            "neutral_title",
            f"The neutral title names a diagnosis too (“{diagnosis}”). Use words that say nothing about "
            f"anyone’s health, such as “{suggestion}”, or leave it empty to show the program’s name.",
        )


def validate_slug(session: Session, value: Any) -> str:
    reader = FieldReader({"slug": value})
    slug = reader.read("slug", text(64, "Enter the short name used in the program's web address."))
    if slug and not SLUG_PATTERN.match(slug):
        reader.fail("slug", "Use only lowercase letters, digits and hyphens, like patient-cafe.")
    elif slug in RESERVED_SLUGS:
        reader.fail("slug", f"“{slug}” is kept for the console’s own pages. Choose another.")
    elif slug and session.exec(select(Program.id).where(Program.slug == slug)).first() is not None:
        reader.fail("slug", f"Another program already uses the address /p/{slug}. Choose another.")
    reader.finish()
    return slug


def create_program(session: Session, data: Mapping[str, Any], *, by: Coordinator) -> Program:
    """A new program, closed to registration until it has conditions and a coordinator opens it."""
    problems: dict[str, str] = {}
    try:
        slug = validate_slug(session, data.get("slug"))
    except InvalidInput as invalid:
        problems.update(invalid.errors)
    try:
        settings = validate_program_settings(data)
    except InvalidInput as invalid:
        problems.update(invalid.errors)
    if problems:
        raise InvalidInput(problems)
    program = Program(slug=slug, registration_open=False, **settings.as_columns())
    session.add(program)
    session.flush()
    record_change(session, "program.created", program, by, subject=("program", program.id), slug=slug)
    return program


def update_program(
    session: Session, program: Program, data: Mapping[str, Any], *, by: Coordinator
) -> list[str]:
    """Apply checked settings; returns the names of the settings that changed (none: nothing is recorded)."""
    conditions = [offer.condition for offer in list_conditions(session, program)]
    columns = validate_program_settings(data, conditions).as_columns()
    changed = [name for name, value in columns.items() if getattr(program, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(program, name, columns[name])
    session.add(program)
    record_change(
        session, "program.settings_changed", program, by, subject=("program", program.id), fields=changed
    )
    return changed


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


# Conditions and their stages ----------------------------------------------------------------------------


def add_condition(
    session: Session, program: Program, data: Mapping[str, Any], *, by: Coordinator
) -> Condition:
    existing = [offer.condition for offer in list_conditions(session, program)]
    reader = FieldReader(data)
    name = reader.read("name", text(200, "Enter the condition's name."))
    if name and name.casefold() in {condition.name.casefold() for condition in existing}:
        reader.fail("name", f"This program already has a condition called “{name}”.")
    reader.finish()
    condition = Condition(
        program_id=program.id,
        code=code_for(name, (condition.code for condition in existing)),
        name=name,
        position=max((condition.position for condition in existing), default=-1) + 1,
    )
    session.add(condition)
    session.flush()
    record_change(session, "condition.added", program, by, subject=("condition", condition.id), name=name)
    return condition


def update_condition(
    session: Session, program: Program, condition: Condition, data: Mapping[str, Any], *, by: Coordinator
) -> bool:
    """Rename the condition and its stages, and add a stage at the end; False when nothing changed."""
    stages = list_stages(session, condition)
    reader = FieldReader(data)
    name = reader.read("name", text(200, "Enter the condition's name."))
    renames = {
        stage.id: (
            reader.read(f"stage-{stage.id}-name", text(200, "Enter the stage's name, or remove the stage.")),
            reader.read(f"stage-{stage.id}-hint", text(500)),
        )
        for stage in stages
    }
    new_name = reader.read("new_stage_name", text(200))
    new_hint = reader.read("new_stage_hint", text(500))
    if new_hint and not new_name:
        reader.fail("new_stage_name", "Enter a name for the new stage, or clear its description.")
    _check_stage_names_differ(reader, stages, renames, new_name)
    reader.finish()
    changed = _rename(session, condition, stages, name, renames)
    if new_name:
        _append_stage(session, condition, stages, new_name, new_hint)
    if changed or new_name:
        record_change(
            session,
            "condition.changed",
            program,
            by,
            subject=("condition", condition.id),
            name=name,
            stages_renamed=changed,
            stage_added=new_name or None,
        )
    return bool(changed or new_name)


def _check_stage_names_differ(
    reader: FieldReader, stages: list[Stage], renames: dict[int, tuple], new_name: str | None
) -> None:
    seen: set[str] = set()
    for stage in stages:
        stage_name = renames[stage.id][0]
        if stage_name and stage_name.casefold() in seen:
            reader.fail(f"stage-{stage.id}-name", "Two stages have this name; give each its own.")
        seen.add((stage_name or "").casefold())
    if new_name and new_name.casefold() in seen:
        reader.fail("new_stage_name", f"This condition already has a stage called “{new_name}”.")


def _rename(
    session: Session, condition: Condition, stages: list[Stage], name: str, renames: dict[int, tuple]
) -> int:
    """Apply new names; returns how many of the condition and its stages changed."""
    changed = 0
    if condition.name != name:
        condition.name = name
        session.add(condition)
        changed += 1
    for stage in stages:
        stage_name, hint = renames[stage.id]
        if (stage.name, stage.hint) != (stage_name, hint):
            stage.name, stage.hint = stage_name, hint
            session.add(stage)
            changed += 1
    return changed


def _append_stage(session: Session, condition: Condition, stages: list[Stage], name: str, hint: str) -> None:
    session.add(
        Stage(
            condition_id=condition.id,
            code=code_for(name, (stage.code for stage in stages)),
            name=name,
            hint=hint,
            position=max((stage.position for stage in stages), default=-1) + 1,
        )
    )
    session.flush()


def delete_condition(session: Session, program: Program, condition: Condition, *, by: Coordinator) -> None:
    """Remove a condition nobody registered with; hosts stop listing it."""
    registrants = _count(session, Participant, Participant.condition_id == condition.id)
    if registrants:
        raise ProgramError(
            f"“{condition.name}” cannot be removed: {_people(registrants)} registered with it. "
            "You can rename it instead."
        )
    if _count(session, Cohort, Cohort.condition_id == condition.id):
        raise ProgramError(f"“{condition.name}” cannot be removed: groups were formed for it.")
    for host in session.exec(select(Host).where(Host.program_id == program.id)).all():
        if condition.code in host.conditions:
            host.conditions = [code for code in host.conditions if code != condition.code]
            session.add(host)
    for stage in list_stages(session, condition):
        session.delete(stage)
    session.delete(condition)
    record_change(
        session, "condition.removed", program, by, subject=("condition", condition.id), name=condition.name
    )
    session.flush()


def move_stage(session: Session, program: Program, stage: Stage, step: int, *, by: Coordinator) -> None:
    """Move a stage one place earlier (-1) or later (+1); the order is what the matcher's stage gap counts."""
    stages = list_stages(session, session.get(Condition, stage.condition_id))
    index = next(i for i, candidate in enumerate(stages) if candidate.id == stage.id)
    target = index + step
    if not 0 <= target < len(stages):
        raise ProgramError(f"“{stage.name}” is already the {'first' if step < 0 else 'last'} stage.")
    stages[index], stages[target] = stages[target], stages[index]
    for position, each in enumerate(stages):
        if each.position != position:
            each.position = position
            session.add(each)
    record_change(
        session, "stage.moved", program, by, subject=("stage", stage.id), name=stage.name, position=target + 1
    )
    session.flush()


def delete_stage(session: Session, program: Program, stage: Stage, *, by: Coordinator) -> None:
    registrants = _count(session, Participant, Participant.stage_id == stage.id)
    if registrants:
        raise ProgramError(
            f"The stage “{stage.name}” cannot be removed: {_people(registrants)} chose it. "
            "You can rename it instead."
        )
    session.delete(stage)
    record_change(session, "stage.removed", program, by, subject=("stage", stage.id), name=stage.name)
    session.flush()


def list_stages(session: Session, condition: Condition) -> list[Stage]:
    return list(
        session.exec(
            select(Stage).where(Stage.condition_id == condition.id).order_by(Stage.position, Stage.id)
        ).all()
    )


def _count(session: Session, model: type, where) -> int:
    return session.exec(select(func.count()).select_from(model).where(where)).one()


def _people(count: int) -> str:
    return "1 registrant" if count == 1 else f"{count} registrants"


# Figures and activity -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramSummary:
    registered: int = 0
    verified: int = 0
    proposed: int = 0
    approved: int = 0


def summarise_programs(session: Session, programs: Sequence[Program]) -> dict[int, ProgramSummary]:
    """A few figures for each program, in two queries however many programs there are."""
    ids = [program.id for program in programs]
    people = session.exec(
        select(Participant.program_id, Participant.status, func.count())
        .where(Participant.program_id.in_(ids))
        .group_by(Participant.program_id, Participant.status)
    ).all()
    cohorts = session.exec(
        select(Cohort.program_id, Cohort.status, func.count())
        .where(Cohort.program_id.in_(ids))
        .group_by(Cohort.program_id, Cohort.status)
    ).all()
    registered: Counter[int] = Counter()
    counts: Counter[tuple[int, str]] = Counter()
    for program_id, status, count in people:
        counts[program_id, status] += count
        registered[program_id] += count if status != ParticipantStatus.ERASED else 0
    for program_id, status, count in cohorts:
        counts[program_id, status] += count
    return {
        program_id: ProgramSummary(
            registered=registered[program_id],
            verified=counts[program_id, ParticipantStatus.VERIFIED],
            proposed=counts[program_id, CohortStatus.PROPOSED],
            approved=counts[program_id, CohortStatus.APPROVED],
        )
        for program_id in ids
    }


@dataclass(frozen=True)
class ActivityPage:
    events: list[tuple[AuditEvent, str]]
    page: int
    pages: int
    total: int


def activity_page(session: Session, program: Program, page: int) -> ActivityPage:
    """One page of the program's audit log, newest first, each event with a name for what it was about."""
    total = session.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.program_id == program.id)
    ).one()
    pages = max(1, -(-total // EVENTS_PER_PAGE))
    page = min(max(page, 1), pages)
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.program_id == program.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * EVENTS_PER_PAGE)
        .limit(EVENTS_PER_PAGE)
    ).all()
    names = _subject_names(session, events)
    return ActivityPage([(event, _subject_label(event, names)) for event in events], page, pages, total)


_NAMED_SUBJECTS = {
    "participant": (Participant, "display_name"),
    "host": (Host, "display_name"),
    "condition": (Condition, "name"),
    "stage": (Stage, "name"),
    "coordinator": (Coordinator, "email"),
    "program": (Program, "name"),
}


def _subject_names(session: Session, events: Sequence[AuditEvent]) -> dict[tuple[str, str], str]:
    """Names of the people and things the events are about, one query per kind."""
    names: dict[tuple[str, str], str] = {}
    for kind, (model, column) in _NAMED_SUBJECTS.items():
        ids = {
            int(event.subject_id)
            for event in events
            if event.subject_type == kind and event.subject_id.isdigit()
        }
        if ids:
            for row_id, name in session.exec(
                select(model.id, getattr(model, column)).where(model.id.in_(ids))
            ):
                names[kind, str(row_id)] = name
    return names


def _subject_label(event: AuditEvent, names: dict[tuple[str, str], str]) -> str:
    kind, key = event.subject_type, event.subject_id
    if not kind:
        return ""
    name = names.get((kind, key)) or event.detail.get("name")
    if kind == "participant":
        return f"registrant {name}" if name else "a registrant since erased"
    if kind == "cohort":
        return f"group {key}"
    return f"{kind} {name}" if name else f"{kind} #{key}"
