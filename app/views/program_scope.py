"""What every patient page of a program needs: the program, its language, link problems, rate limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, g, render_template
from flask_babel import get_locale, refresh

from app import database
from app.extensions import limiter
from app.forms.registration import PARTS_OF_DAY, WEEKDAYS
from app.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from app.inputs.fields import InvalidInput
from app.inputs.phone import example_number, shown_number
from app.inputs.registration import Registration
from app.links import LinkError
from app.models import Participant, ParticipantStatus, Program
from app.services.offers import ConditionOffer, ProgramTerms, find_registration_terms
from app.services.registration import find_program
from app.services.registration_record import RegistrationClosed, register_participant

_Program = TypeVar("_Program", Program, ProgramTerms)
# Where the app keeps this process's copies of programs' registration terms, by slug (`register_under_terms`).
TERMS_COPIES = "registration_terms"
_Terms = tuple[ProgramTerms, list[ConditionOffer]]
# A registration is checked again when the terms changed since they were read: once for a stale copy, and
# again only if a coordinator changes them in the moment between reading them and writing.
_ATTEMPTS = 3


def load_program(slug: str) -> Program:
    """The program of this page, or 404; its languages steer which language the page speaks."""
    return speak_for(find_program(database.session(), slug))


def register_under_terms(
    slug: str, check: Callable[[ProgramTerms, list[ConditionOffer]], Registration | None]
) -> int | None:
    """Record the registration `check` makes of this request under this page's program's terms (404 for no
    such program); the registrant's id, or None when `check` found nothing to record. `check` raises
    `RegistrationClosed` or `InvalidInput` to refuse it.

    The terms are this process's copy while it is current (none is read again): the statement that records
    the registration writes nothing if they changed since the copy was read (`register_participant`); they
    are read again then, and `check` runs again under them. A refusal is only given under terms just read,
    so a program reopened, or offering a new condition, takes registrations at once. A registration writes
    with one statement on PostgreSQL, so its request runs without a transaction of its own."""
    session = database.session_without_transaction()
    copies: dict[str, _Terms] = current_app.extensions.setdefault(TERMS_COPIES, {})
    terms = copies.get(slug)
    for attempt in range(_ATTEMPTS):
        copied = terms is not None and attempt == 0
        if not copied:
            terms = _read_terms(session, slug, copies)
            refresh()  # the page's language may differ under the terms now, so it is chosen again
        program, offers = terms
        speak_for(program)
        try:
            registration = check(program, offers)
        except (RegistrationClosed, InvalidInput):
            if copied:
                continue
            raise
        if registration is None:
            return None
        locale = str(get_locale())
        participant_id = register_participant(session, program, offers, registration, locale=locale)
        if participant_id is not None:
            return participant_id
    raise RuntimeError(f"the terms of {slug} changed during each of {_ATTEMPTS} attempts to register")


def _read_terms(session, slug: str, copies: dict[str, _Terms]) -> _Terms:
    """The program's terms as they are now, kept as this process's copy; 404 for no such program."""
    program, offers = find_registration_terms(session, slug)
    if program is None:
        copies.pop(slug, None)
        abort(404)
    copies[slug] = (program, offers)
    return program, offers


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
