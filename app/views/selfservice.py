"""Self-service through the signed link in every email: see, change, pause, leave, delete, unsubscribe."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app import database
from app.database import utcnow
from app.extensions import csrf
from app.forms.registration import (
    ACCESSIBILITY_LABELS,
    field_errors,
    preferences_data,
    preferences_form,
    texts_data,
    texts_form,
    timezone_options,
)
from app.inputs.fields import InvalidInput
from app.inputs.phone import validate_texts
from app.inputs.registration import validate_preferences
from app.links import LinkError
from app.models import Condition, Participant, ParticipantStatus, Program
from app.services.concerns import member_scope
from app.services.keep_apart import KeepApartError, group_mates, keep_apart, withdraw_keep_apart
from app.services.my_meetup import describe_my_meetup, next_meeting_invite
from app.services.registration import list_conditions, program_choices
from app.services.selfservice import (
    change_preferences,
    change_texts,
    describe_registration,
    erase_participant,
    find_participant_by_link,
    pause_participant,
    resume_participant,
    unsubscribe_participant,
    withdraw_participant,
)
from app.services.text_consent import may_text, texts_stopped
from app.views.lookups import find_row
from app.views.member_concerns import take_member_concern
from app.views.program_scope import load_program, render_link_problem

blueprint = Blueprint("selfservice", __name__, url_prefix="/p/<slug>")

# Pausing and resuming: what is done, and what is said once done.
BREAKS = {
    "pause": (
        pause_participant,
        _l("Your registration is paused. We will not put you in a new group until you resume."),
    ),
    "resume": (resume_participant, _l("Welcome back. You can be placed in a group again.")),
}
# Confirmation steps: what is done, the page that asks first, and the page that says it is done.
CONFIRMATIONS = {
    "withdraw": (withdraw_participant, "selfservice/confirm_withdraw.html", "selfservice/withdrawn.html"),
    "delete": (erase_participant, "selfservice/confirm_delete.html", "selfservice/deleted.html"),
}


def _participant_link(purpose: str) -> Callable:
    """Resolve the program and the participant a link was signed for, or show the link-problem page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(slug: str, token: str, **values):
            program = load_program(slug)
            try:
                participant = find_participant_by_link(database.session(), program, purpose, token)
            except LinkError as error:
                return render_link_problem(program, error)
            if participant.status == ParticipantStatus.ERASED:
                return render_template("selfservice/deleted.html", program=program)
            if participant.locale in g.page_locales:
                g.page_locale = (
                    participant.locale
                )  # their own language, unless their browser asks for another
            return view(program, participant, token, **values)

        return wrapper

    return decorator


@blueprint.get("/manage/<token>")
@_participant_link("manage")
def manage(program: Program, participant: Participant, token: str):
    return _render_manage(program, participant, token, None, {})


@blueprint.get("/manage/<token>/meeting.ics")
@_participant_link("manage")
def calendar_file(program: Program, participant: Participant, token: str):
    """The next meeting's calendar file, the same entry as the invitation's, for "Add to calendar"."""
    invite = next_meeting_invite(database.session(), program, participant, now=utcnow())
    if invite is None:
        abort(404)
    response = make_response(invite.data)
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = 'attachment; filename="meet-up.ics"'
    return response


@blueprint.post("/manage/<token>/preferences")
@_participant_link("manage")
def change(program: Program, participant: Participant, token: str):
    session = database.session()
    condition = find_row(Condition, participant.condition_id)
    choices = program_choices(program, list_conditions(session, program))
    try:
        preferences = validate_preferences(
            preferences_data(request.form, condition.code), choices, condition.code
        )
    except InvalidInput as invalid:
        errors = field_errors(invalid.errors, condition.code)
        return _render_manage(program, participant, token, request.form, errors), 422
    change_preferences(session, participant, preferences)
    session.commit()
    flash(_("Your answers are saved."))
    return redirect(url_for(".manage", slug=program.slug, token=token), 303)


@blueprint.post("/manage/<token>/texts")
@_participant_link("manage")
def texts(program: Program, participant: Participant, token: str):
    """Add, change or remove the mobile number, and turn texts on or off; "Remove" takes both away."""
    submitted = (
        {"phone": "", "sms_consent": False} if request.form.get("remove") else texts_data(request.form)
    )
    try:
        choice = validate_texts(submitted, program.country)
    except InvalidInput as invalid:
        shown = (request.form, invalid.errors)
        return _render_manage(program, participant, token, None, {}, texts=shown), 422
    change_texts(database.session(), participant, choice)
    database.session().commit()
    flash(_("Your mobile number and text reminders are saved."))
    return redirect(url_for(".manage", slug=program.slug, token=token, _anchor="texts"), 303)


@blueprint.post("/manage/<token>/keep-apart")
@_participant_link("manage")
def keep_apart_from(program: Program, participant: Participant, token: str):
    """Ask, privately, not to be grouped again with a member of one's group (the other is never told); with
    `withdraw=yes`, withdraw that request."""
    withdrawing = request.form.get("withdraw") == "yes"
    change = withdraw_keep_apart if withdrawing else keep_apart
    other = request.form.get("member", type=int) or 0
    try:
        change(database.session(), participant, other, actor="participant")
    except KeepApartError:
        abort(400)
    database.session().commit()
    if withdrawing:
        flash(_("Your request is withdrawn. You may be in a group with this person again."))
    else:
        flash(_("Thank you for telling us. We will not put you in a group with this person again."))
    return redirect(url_for(".manage", slug=program.slug, token=token, _anchor="keep-apart"), 303)


@blueprint.post("/manage/<token>/<any(pause, resume):step>")
@_participant_link("manage")
def take_break(program: Program, participant: Participant, token: str, step: str):
    action, message = BREAKS[step]
    action(database.session(), participant)
    database.session().commit()
    flash(str(message))
    return redirect(url_for(".manage", slug=program.slug, token=token), 303)


@blueprint.route("/manage/<token>/<any(withdraw, delete):step>", methods=["GET", "POST"])
@_participant_link("manage")
def confirm(program: Program, participant: Participant, token: str, step: str):
    action, question, done = CONFIRMATIONS[step]
    if request.method == "GET":
        return render_template(question, program=program, token=token)
    action(database.session(), participant)
    database.session().commit()
    return render_template(done, program=program)


@blueprint.route("/manage/<token>/concern", methods=["GET", "POST"])
@_participant_link("manage")
def concern(program: Program, participant: Participant, token: str):
    """A concern raised privately from their own page, about their group or one member of it."""
    session = database.session()
    scope = member_scope(session, participant, now=utcnow())
    action = url_for(".concern", slug=program.slug, token=token)
    return take_member_concern(program, participant, scope, action=action)


@blueprint.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients send RFC 8058's one-click POST without our form; the signed link is the proof
@_participant_link("unsubscribe")
def unsubscribe(program: Program, participant: Participant, token: str):
    if request.method == "GET":
        return render_template("selfservice/unsubscribe.html", program=program)
    unsubscribe_participant(database.session(), participant)
    database.session().commit()
    return render_template("selfservice/unsubscribed.html", program=program)


def _render_manage(
    program: Program,
    participant: Participant,
    token: str,
    form: MultiDict | None,
    errors: dict[str, str],
    *,
    texts: tuple[MultiDict, dict[str, str]] | None = None,
):
    session = database.session()
    shown = describe_registration(session, program, participant, str(get_locale()))
    my_meetup = describe_my_meetup(session, program, participant, now=utcnow(), locale=str(get_locale()))
    form = form if form is not None else preferences_form(participant, shown.stage, shown.condition.code)
    return render_template(
        "selfservice/manage.html",
        program=program,
        participant=participant,
        token=token,
        condition=shown.condition,
        stage=shown.stage,
        offer=shown.offer,
        my_meetup=my_meetup,
        form=form,
        errors=errors,
        timezones=timezone_options(form.get("timezone")),
        accessibility_labels=ACCESSIBILITY_LABELS,
        texts=texts or (texts_form(participant), {}),
        texting=may_text(program, participant),
        texts_stopped=texts_stopped(participant),
        group_mates=group_mates(session, participant),
    )
