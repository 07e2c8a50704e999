"""What every patient page of a program needs: the program, its language, link problems, rate limits."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, current_app, g, render_template

from app import database
from app.extensions import limiter
from app.forms.registration import PARTS_OF_DAY, WEEKDAYS
from app.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from app.inputs.phone import example_number, shown_number
from app.links import LinkError
from app.models import Participant, ParticipantStatus, Program
from app.services.offers import ConditionOffer, ProgramTerms, find_registration_terms
from app.services.registration import find_program

_Program = TypeVar("_Program", Program, ProgramTerms)


def load_program(slug: str) -> Program:
    """The program of this page, or 404; its languages steer which language the page speaks."""
    return speak_for(find_program(database.session(), slug))


def load_registration_terms(slug: str) -> tuple[ProgramTerms, list[ConditionOffer]]:
    """What a registration checks of this page's program, and the conditions it offers (one query), or 404;
    as `load_program`. A registration writes with one statement on PostgreSQL (see
    `app.services.registration_record`), so its request runs without a transaction of its own."""
    program, offers = find_registration_terms(database.session_without_transaction(), slug)
    return speak_for(program), offers


def speak_for(program: _Program | None) -> _Program:
    """The program, or 404; the page speaks the program's languages, its own first."""
    if program is None:
        abort(404)
    g.page_locale = program.default_locale
    g.page_locales = [locale for locale in program.languages if locale in SUPPORTED_LOCALES]
    return program


def render_link_problem(program: Program, error: LinkError):
    """A kind page for an old or broken link, with a way to ask for a new one."""
    status = 410 if error.expired else 400
    return render_template("public/link_problem.html", program=program, expired=error.expired), status


def link_participant(program: Program, participant_id) -> Participant:
    """Whom a signed link was made for, and the page then speaks their language; `LinkError` for someone of
    another program or no longer with us."""
    participant = database.session().get(Participant, participant_id)
    if participant is None or participant.program_id != program.id:
        raise LinkError("This link is not valid.")
    if participant.status in (ParticipantStatus.ERASED, ParticipantStatus.WITHDRAWN):
        raise LinkError("This link is not valid.")
    g.page_locale = participant.locale if participant.locale in SUPPORTED_LOCALES else DEFAULT_LOCALE
    g.page_locales = [g.page_locale]
    return participant


def _registration_rate_limit() -> str:
    # Configurable, so an organisation that posts from its own server can raise it, and benchmarks lift it.
    return current_app.config["REGISTRATION_RATE_LIMIT"]


# One budget per address for everything that creates rows or sends email to someone: form, API, new links.
registration_limit = limiter.shared_limit(_registration_rate_limit, scope="registration", methods=["POST"])


def provide_form_vocabulary() -> dict:
    """Names the registration and change forms share: weekdays and parts of the day, and how phone numbers
    are written."""
    return {
        "parts_of_day": PARTS_OF_DAY,
        "weekdays": WEEKDAYS,
        "example_number": example_number,
        "shown_number": shown_number,
    }
