"""The follow-up survey: finding whom a survey link was made for, checking and keeping their answers, the
"sorry we missed you" path for people who registered but never joined, and the program's own questions.

A program's questions are a list of plain dicts (see `DEFAULT_SURVEY_QUESTIONS`). An answer is stored under
its question's key: a scale as a whole number from 1 to 5, a choice as the chosen option's value, a text as
the words written; an unanswered optional question is left out.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.database import utcnow
from app.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from app.links import LinkError, read_token
from app.messages.queue import cancel_messages
from app.models import (
    Attendance,
    Cohort,
    CohortMember,
    Coordinator,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantStatus,
    Program,
    SurveyReceipt,
    SurveyResponse,
)
from app.schemas.registration import InvalidInput
from app.services.audit import record_event
from app.services.programs import FieldProblem, FieldReader, Rule, code_for, flag, number, record_change, text
from app.services.zoom_operations import leave_zoom_meetings

KINDS = ("scale", "choice", "text")
SCALE = range(1, 6)
MAX_ANSWER_LENGTH = 2000
MAX_QUESTION_LENGTH = 300
MAX_OPTIONS = 8
REMINDER_DAYS = (1, 14)
NEW_QUESTION = "New question"
# Invisible control characters are dropped from written answers; line breaks and tabs are kept.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Response ids are drawn at random from here (see `_add_answers`).
_RESPONSE_IDS = (2**20, 2**31 - 1)


class SurveyState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    ERASED = "erased"
    CANCELLED = "cancelled"


class AlreadyAnswered(Exception):
    """This participant has answered this meeting's survey already (perhaps a moment ago, in another tab)."""


class SurveyInvitation(NamedTuple):
    participant: Participant
    meeting: Meeting
    program: Program


def find_survey_invitation(session: Session, token: str) -> SurveyInvitation:
    """Whom and which meeting a survey link was made for; `LinkError` for a bad, old or foreign link."""
    payload = read_token("survey", token)
    participant = session.get(Participant, payload.get("p"))
    meeting = session.get(Meeting, payload.get("m"))
    if participant is None or meeting is None:
        raise LinkError("This link is not valid.")
    program = session.get(Program, session.get(Cohort, meeting.cohort_id).program_id)
    if participant.program_id != program.id:
        raise LinkError("This link is not valid.")
    return SurveyInvitation(participant, meeting, program)


def survey_state(session: Session, invitation: SurveyInvitation) -> SurveyState:
    if invitation.participant.status == ParticipantStatus.ERASED:
        return SurveyState.ERASED
    if invitation.meeting.status == MeetingStatus.CANCELLED:
        return SurveyState.CANCELLED
    if has_answered(session, invitation.meeting.id, invitation.participant.id):
        return SurveyState.ANSWERED
    return SurveyState.OPEN


def has_answered(session: Session, meeting_id: int, participant_id: int) -> bool:
    receipt = select(SurveyReceipt.id).where(
        SurveyReceipt.meeting_id == meeting_id, SurveyReceipt.participant_id == participant_id
    )
    return session.exec(receipt).first() is not None


def missed_meeting(session: Session, meeting: Meeting, participant_id: int) -> bool:
    """Whether this participant never joined a meeting we know was held (Zoom told us it started, or that
    someone joined). Without any attendance data (webhooks not set up) nobody counts as missing."""
    attended = select(Attendance.id).where(Attendance.meeting_id == meeting.id)
    if session.exec(attended.where(Attendance.participant_id == participant_id)).first() is not None:
        return False
    return meeting.started_at is not None or session.exec(attended).first() is not None


# Answering ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownQuestion:
    """A question as the page asks it, in one language; `options` are (value, label, hint) for the radios."""

    key: str
    kind: str
    required: bool
    text: str
    options: tuple[tuple[str, str, str | None], ...] = ()


@dataclass(frozen=True)
class Answers:
    """Checked answers by question key, and whether they are kept without the person's name."""

    values: Mapping[str, int | str]
    anonymous: bool


def questions_in(program: Program, locale: str) -> list[ShownQuestion]:
    """The program's questions worded in `locale`, each text falling back to English."""
    return [_shown(question, locale) for question in program.survey_questions]


def _shown(question: Mapping[str, Any], locale: str) -> ShownQuestion:
    kind = question["kind"]
    if kind == "scale":
        ends = {
            SCALE[0]: _words(question.get("low"), locale),
            SCALE[-1]: _words(question.get("high"), locale),
        }
        options = tuple((str(n), f"{n} – {ends[n]}" if ends.get(n) else str(n), None) for n in SCALE)
    else:
        options = tuple(
            (option["value"], _words(option["text"], locale), None) for option in question.get("options", ())
        )
    return ShownQuestion(
        question["key"], kind, bool(question.get("required")), _words(question["text"], locale), options
    )


def _words(texts: Mapping[str, str] | None, locale: str) -> str:
    texts = texts or {}
    return texts.get(locale) or texts.get(DEFAULT_LOCALE) or next(iter(texts.values()), "")


def validate_answers(program: Program, values: Mapping[str, str], *, anonymous: bool) -> Answers:
    """Check submitted answers (by question key) against the program's questions; every problem at once,
    keyed by question key, in words a patient can act on. A program whose survey is anonymous makes every
    answer anonymous."""
    checked: dict[str, int | str] = {}
    errors: dict[str, str] = {}
    for question in program.survey_questions:
        key = question["key"]
        try:
            value = _check_answer(question, values.get(key, ""))
        except ValueError as problem:
            errors[key] = str(problem)
            continue
        if value is not None:
            checked[key] = value
    if errors:
        raise InvalidInput(errors)
    return Answers(checked, anonymous or program.survey_anonymous)


def _check_answer(question: Mapping[str, Any], raw: str) -> int | str | None:
    """One answer, typed; None when an optional question was left unanswered."""
    kind = question["kind"]
    # Browsers send line breaks as CRLF, but count them as one character against the field's maxlength.
    value = _CONTROL.sub("", raw.replace("\r\n", "\n")).strip() if kind == "text" else raw.strip()
    if not value:
        if question.get("required"):
            raise ValueError(
                _("Please write an answer here.") if kind == "text" else _("Please choose an answer.")
            )
        return None
    if kind == "text":
        if len(value) > MAX_ANSWER_LENGTH:
            raise ValueError(_("Please keep this to %(count)d characters or fewer.", count=MAX_ANSWER_LENGTH))
        return value
    if kind == "scale":
        if value not in {str(n) for n in SCALE}:
            raise ValueError(_("Please choose an answer."))
        return int(value)
    if value not in {option["value"] for option in question.get("options", ())}:
        raise ValueError(_("Please choose an answer."))
    return value


def submit_answers(
    session: Session, invitation: SurveyInvitation, answers: Answers, *, now: datetime
) -> SurveyResponse:
    """Keep the answers and a receipt that this person answered, together; `AlreadyAnswered` when a receipt
    is there already (the unique receipt settles two submissions racing each other)."""
    participant, meeting, program = invitation
    response = _add_answers(session, invitation, answers, now)
    record_event(
        session, "survey.answered", actor="participant", program_id=program.id,
        subject=("participant", participant.id), meeting_id=meeting.id,
    )  # fmt: skip
    session.flush()
    return response


def answer_day(moment: datetime) -> datetime:
    """What an answer kept without a name holds of when it was given: the day alone."""
    return datetime.combine(moment.date(), time(), moment.tzinfo)


def _add_answers(session: Session, invitation: SurveyInvitation, answers: Answers, now: datetime):
    """The response row gets a random id and an anonymous one only the day: with ids counting up, the n-th
    receipt of a meeting would point at its n-th response, and the time at its author."""
    participant, meeting, _program = invitation
    for _attempt in range(3):
        response = SurveyResponse(
            id=secrets.randbelow(_RESPONSE_IDS[1] - _RESPONSE_IDS[0]) + _RESPONSE_IDS[0],
            meeting_id=meeting.id,
            participant_id=None if answers.anonymous else participant.id,
            response_key=secrets.token_urlsafe(32),
            anonymous=answers.anonymous,
            answers=dict(answers.values),
            submitted_at=answer_day(now) if answers.anonymous else now,
        )
        try:
            with session.begin_nested():
                session.add(SurveyReceipt(meeting_id=meeting.id, participant_id=participant.id))
                session.add(response)
        except IntegrityError:
            if has_answered(session, meeting.id, participant.id):
                raise AlreadyAnswered from None
            continue  # the random id was taken: draw again
        return response
    raise RuntimeError("could not store a survey response")


# Another group, for someone who missed the meeting ---------------------------------------------------


def still_in_group(session: Session, invitation: SurveyInvitation) -> bool:
    """Whether the participant still has their place in the cohort of the meeting they missed."""
    member = select(CohortMember.id).where(
        CohortMember.participant_id == invitation.participant.id,
        CohortMember.cohort_id == invitation.meeting.cohort_id,
    )
    return session.exec(member).first() is not None


def ask_for_another_group(session: Session, invitation: SurveyInvitation) -> None:
    """Take the participant out of the cohort whose meeting they missed, so the next matching places them
    anew; what was still to come for that cohort is dropped."""
    participant, meeting, program = invitation
    session.exec(
        delete(CohortMember).where(
            CohortMember.participant_id == participant.id, CohortMember.cohort_id == meeting.cohort_id
        )
    )
    for meeting_id in session.exec(select(Meeting.id).where(Meeting.cohort_id == meeting.cohort_id)).all():
        cancel_messages(session, meeting_id=meeting_id, participant_id=participant.id)
    leave_zoom_meetings(session, meeting.cohort_id, participant.id, now=utcnow())
    participant.waitlist_reason = participant.waitlist_detail = None
    session.add(participant)
    record_event(
        session, "participant_asked_for_another_group", actor="participant", program_id=program.id,
        subject=("participant", participant.id), cohort_id=meeting.cohort_id, meeting_id=meeting.id,
    )  # fmt: skip
    session.flush()


# The program's questions, edited in the console --------------------------------------------------------


def question_field(key: str, part: str, locale: str = "") -> str:
    """The form field of one part of an existing question ("q-feeling-text-en")."""
    return f"q-{key}-{part}-{locale}" if locale else f"q-{key}-{part}"


def option_part(option: Mapping[str, Any]) -> str:
    return f"option-{option['value']}"


def new_field(part: str, locale: str = "") -> str:
    """The form field of one part of the question being added ("new-text-en")."""
    return f"new-{part}-{locale}" if locale else f"new-{part}"


@dataclass(frozen=True)
class SurveySettings:
    questions: tuple[dict[str, Any], ...]
    anonymous: bool
    reminder_days: int


def validate_survey_settings(
    data: Mapping[str, Any], current: Sequence[Mapping[str, Any]], taken_keys: set[str]
) -> SurveySettings:
    """The questions as reworded, reordered, removed and added, and the two switches; every problem at once,
    keyed by form field. An existing question keeps its key and kind (answers are stored under the key), a
    new one gets a key no answer was ever stored under (`taken_keys`)."""
    reader = FieldReader(data)
    kept = []
    for index, question in enumerate(current):
        if data.get(question_field(question["key"], "remove")):
            continue
        subject = f"Question {index + 1}"
        position_field = question_field(question["key"], "position")
        position = reader.read(position_field, _about(number(1, 99), subject)) or index + 1
        # A question given another position goes before one that kept the same number.
        kept.append(((position, position == index + 1, index), _read_question(reader, question, subject)))
    questions = [question for _order, question in sorted(kept, key=lambda pair: pair[0])]
    added = _read_new_question(reader, data, taken_keys | {question["key"] for question in current})
    if added is not None:
        questions.append(added)
    if not questions:
        reader.fail("questions", "Keep at least one question: a survey needs something to ask.")
    settings = SurveySettings(
        questions=tuple(questions),
        anonymous=reader.read("survey_anonymous", flag),
        reminder_days=reader.read("survey_reminder_days", number(*REMINDER_DAYS)),
    )
    reader.finish()
    return settings


def _about(rule: Rule, subject: str) -> Rule:
    """`rule`, telling which question a problem is about ("Question 2: ..."), as the error summary lists
    the problems of every question together."""

    def checked(value: Any) -> Any:
        try:
            return rule(value)
        except FieldProblem as problem:
            raise FieldProblem(f"{subject}: {problem}") from None

    return checked


class _Wordings:
    """Reads a question's texts in every language from the fields `field_of(part, locale)` names: English
    is needed, the others may stay empty (English is shown in their place)."""

    def __init__(self, reader: FieldReader, field_of: Callable[[str, str], str], subject: str):
        self.reader, self.field_of, self.subject = reader, field_of, subject

    def read(self, part: str, missing: str) -> dict[str, str]:
        words = {}
        for locale in SUPPORTED_LOCALES:
            rule = text(MAX_QUESTION_LENGTH, missing if locale == DEFAULT_LOCALE else None)
            value = self.reader.read(self.field_of(part, locale), _about(rule, self.subject))
            if value:
                words[locale] = value
        return words

    def scale_ends(self) -> dict[str, dict[str, str]]:
        return {
            "low": self.read("low", "Write the words for 1, the lowest answer, in English."),
            "high": self.read("high", "Write the words for 5, the highest answer, in English."),
        }


def _read_question(reader: FieldReader, question: Mapping[str, Any], subject: str) -> dict[str, Any]:
    key = question["key"]
    wordings = _Wordings(reader, lambda part, locale: question_field(key, part, locale), subject)
    edited = {
        "key": key,
        "kind": question["kind"],
        "required": reader.read(question_field(key, "required"), flag),
        "text": wordings.read("text", "Write the question in English."),
    }
    if question["kind"] == "scale":
        edited.update(wordings.scale_ends())
    if question["kind"] == "choice":
        edited["options"] = [
            {
                "value": option["value"],
                "text": wordings.read(option_part(option), f"Write answer {n} in English."),
            }
            for n, option in enumerate(question.get("options", ()), start=1)
        ]
    return edited


def _read_new_question(
    reader: FieldReader, data: Mapping[str, Any], taken_keys: set[str]
) -> dict[str, Any] | None:
    """The question being added, or None when its part of the form was left empty."""
    kind = data.get(new_field("kind")) or ""
    typed = any(
        isinstance(value, str) and value.strip() for name, value in data.items() if name.startswith("new-")
    )
    if not typed:
        return None
    if kind not in KINDS:
        reader.fail(new_field("kind"), f"{NEW_QUESTION}: Choose how it is answered.")
        return None
    wordings = _Wordings(reader, new_field, NEW_QUESTION)
    question: dict[str, Any] = {
        "kind": kind,
        "required": reader.read(new_field("required"), flag),
        "text": wordings.read("text", "Write the question in English."),
    }
    if kind == "scale":
        question.update(wordings.scale_ends())
    if kind == "choice":
        question["options"] = _read_new_options(reader, data)
    english = question["text"].get(DEFAULT_LOCALE, "")
    return {"key": code_for(english, taken_keys), **question} if english else None


def _read_new_options(reader: FieldReader, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers of a new choice question, one per line, in English and (optionally) in the same order in
    the other languages."""
    lines = {locale: _lines(data.get(new_field("options", locale))) for locale in SUPPORTED_LOCALES}
    english = lines[DEFAULT_LOCALE]
    if not 2 <= len(english) <= MAX_OPTIONS:
        reader.fail(
            new_field("options", DEFAULT_LOCALE),
            f"{NEW_QUESTION}: Write from 2 to {MAX_OPTIONS} answers in English, one per line.",
        )
        return []
    for locale, translated in lines.items():
        if translated and len(translated) != len(english):
            reader.fail(
                new_field("options", locale),
                f"{NEW_QUESTION}: Write as many answers here as in English ({len(english)}), in the same "
                "order, or none.",
            )
    options: list[dict[str, Any]] = []
    for number_, words in enumerate(english):
        value = code_for(words, {option["value"] for option in options})
        texts = {locale: given[number_] for locale, given in lines.items() if len(given) == len(english)}
        options.append({"value": value, "text": texts})
    return options


def _lines(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [line.strip()[:MAX_QUESTION_LENGTH] for line in value.splitlines() if line.strip()]


def update_survey_settings(
    session: Session, program: Program, data: Mapping[str, Any], *, by: Coordinator
) -> list[str]:
    """Apply checked survey settings; returns what changed (nothing changed: nothing is recorded)."""
    before = list(program.survey_questions)
    settings = validate_survey_settings(data, before, _answered_keys(session, program))
    changes = {
        "survey_questions": list(settings.questions),
        "survey_anonymous": settings.anonymous,
        "survey_reminder_days": settings.reminder_days,
    }
    changed = [name for name, value in changes.items() if getattr(program, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(program, name, changes[name])
    session.add(program)
    old_keys, new_keys = [q["key"] for q in before], [q["key"] for q in settings.questions]
    record_change(
        session, "program.survey_changed", program, by, subject=("program", program.id), fields=changed,
        added=[key for key in new_keys if key not in old_keys],
        removed=[key for key in old_keys if key not in new_keys],
    )  # fmt: skip
    session.flush()
    return changed


def _answered_keys(session: Session, program: Program) -> set[str]:
    """Every question key an answer of this program was ever stored under, removed questions' too."""
    stored = session.exec(
        select(SurveyResponse.answers)
        .join(Meeting, Meeting.id == SurveyResponse.meeting_id)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id)
    )
    return {key for answers in stored for key in answers}
