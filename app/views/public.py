"""The public pages of a program: what the meet-ups are, the registration form, and confirming one's email."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from werkzeug.datastructures import MultiDict

from app import database
from app.forms.registration import (
    ACCESSIBILITY_LABELS,
    HONEYPOT,
    field_errors,
    registration_data,
    timezone_options,
)
from app.inputs.fields import InvalidInput
from app.inputs.registration import Registration, validate_email_address, validate_registration
from app.links import LinkError
from app.models import Program
from app.services.offers import ConditionOffer, ProgramTerms, offers_in
from app.services.programs import programs_open_for_registration
from app.services.registration import (
    find_held_change,
    keep_answers,
    list_conditions,
    program_choices,
    send_new_link,
    verify_participant,
)
from app.services.registration_record import RegistrationClosed
from app.views.program_scope import (
    load_program,
    register_under_terms,
    registration_limit,
    render_link_problem,
)

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
def front_door():
    """The programs open for registration; with only one, its page at once."""
    programs = programs_open_for_registration(database.session())
    if len(programs) == 1:
        return redirect(url_for(".program_page", slug=programs[0].slug))
    return render_template("public/front_door.html", programs=programs)


@blueprint.get("/p/<slug>")
def program_page(slug: str):
    program = load_program(slug)
    if not program.registration_open:
        return render_template("public/closed.html", program=program)
    return _render_form(program, _initial_form(program), {})


@blueprint.post("/p/<slug>")
@registration_limit
def register(slug: str):
    def check(terms: ProgramTerms, offers: list[ConditionOffer]) -> Registration | None:
        if not terms.registration_open:
            raise RegistrationClosed
        if request.form.get(HONEYPOT):
            # Only bots fill the hidden field; they are told what everyone is told, and nothing is stored.
            return None
        return validate_registration(registration_data(request.form), program_choices(terms, offers))

    try:
        register_under_terms(slug, check)
    except RegistrationClosed:
        return render_template("public/closed.html", program=load_program(slug)), 409
    except InvalidInput as invalid:
        errors = field_errors(invalid.errors, request.form.get("condition"))
        return _render_form(load_program(slug), request.form, errors), 422
    database.session().commit()
    return redirect(url_for(".registered", slug=slug), 303)


@blueprint.get("/p/<slug>/registered")
def registered(slug: str):
    return render_template("public/check_email.html", program=load_program(slug))


@blueprint.route("/p/<slug>/verify/<token>", methods=["GET", "POST"])
def verify(slug: str, token: str):
    """A button, not the link itself, confirms: mail scanners open links, and must not confirm for anyone.
    A link that would change a registrant's answers shows the change first, with a way to keep them."""
    program = load_program(slug)
    session = database.session()
    try:
        if request.method == "GET":
            change = find_held_change(session, program, token, str(get_locale()))
            needs = ACCESSIBILITY_LABELS
            return render_template("public/verify.html", program=program, change=change, needs=needs)
        if request.form.get("answers") == "keep":
            keep_answers(session, program, token)
            session.commit()
            return render_template("public/answers_kept.html", program=program)
        participant = verify_participant(session, program, token)
    except LinkError as error:
        return render_link_problem(program, error)
    session.commit()
    return render_template("public/verified.html", program=program, participant=participant)


@blueprint.route("/p/<slug>/new-link", methods=["GET", "POST"])
@registration_limit
def new_link(slug: str):
    program = load_program(slug)
    if request.method == "GET":
        return render_template("public/new_link.html", program=program, form=MultiDict(), errors={})
    try:
        email = validate_email_address(request.form.get("email", ""))
    except InvalidInput as invalid:
        return render_template(
            "public/new_link.html", program=program, form=request.form, errors=invalid.errors
        ), 422
    send_new_link(database.session(), program, email)
    database.session().commit()
    return render_template("public/link_sent.html", program=program)


def _initial_form(program: Program) -> MultiDict:
    locale = str(get_locale())
    languages = [locale] if locale in program.languages else []
    return MultiDict([("timezone", program.timezone)] + [("languages", language) for language in languages])


def _render_form(program: Program, form: MultiDict, errors: dict[str, str]):
    return render_template(
        "public/program.html",
        program=program,
        offers=offers_in(
            list_conditions(database.session(), program), str(get_locale()), program.default_locale
        ),
        form=form,
        errors=errors,
        timezones=timezone_options(form.get("timezone")),
        accessibility_labels=ACCESSIBILITY_LABELS,
        guess_timezone=request.method == "GET",
    )
