"""Answering the survey: the program's questions in the reader's language, and keeping the answers with a
receipt, never one that points back at its author when they answered anonymously."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.i18n import DEFAULT_LOCALE
from app.inputs.survey_answers import Answers
from app.inputs.survey_questions import SCALE
from app.models import Program, SurveyReceipt, SurveyResponse
from app.services.audit import record_event
from app.services.survey.invitations import SurveyInvitation, has_answered

# Response ids are drawn at random from here (see `_add_answers`).
_RESPONSE_IDS = (2**20, 2**31 - 1)


class AlreadyAnswered(Exception):
    """This participant has answered this meeting's survey already (perhaps a moment ago, in another tab)."""


@dataclass(frozen=True)
class ShownQuestion:
    """A question as the page asks it, in one language; `options` are (value, label, hint) for the radios."""

    key: str
    kind: str
    required: bool
    text: str
    options: tuple[tuple[str, str, str | None], ...] = ()


def questions_in(program: Program, locale: str) -> list[ShownQuestion]:
    """The program's questions worded in `locale`, each text falling back to the program's main language,
    as its other texts do (`app.content`)."""
    order = (locale, program.default_locale, DEFAULT_LOCALE)
    return [_shown(question, order) for question in program.survey_questions]


def _shown(question: Mapping[str, Any], order: tuple[str, ...]) -> ShownQuestion:
    kind = question["kind"]
    if kind == "scale":
        ends = {
            SCALE[0]: _words(question.get("low"), order),
            SCALE[-1]: _words(question.get("high"), order),
        }
        options = tuple((str(n), f"{n} – {ends[n]}" if ends.get(n) else str(n), None) for n in SCALE)
    else:
        options = tuple(
            (option["value"], _words(option["text"], order), None) for option in question.get("options", ())
        )
    return ShownQuestion(
        question["key"], kind, bool(question.get("required")), _words(question["text"], order), options
    )


def _words(texts: Mapping[str, str] | None, order: tuple[str, ...]) -> str:
    """The first of `texts` in the languages of `order`, or any there is."""
    texts = texts or {}
    return next((texts[locale] for locale in order if texts.get(locale)), next(iter(texts.values()), ""))


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
