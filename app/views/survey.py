"""The follow-up survey, reached through the signed link in the survey email; and, for someone who never
joined the meeting, asking for a place in another group through the link in the "sorry we missed you" email.

Both links carry the same token (purpose "survey"). They work without an account, once: a second visit after
answering is thanked, not asked again.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, make_response, render_template, request, url_for
from flask_babel import get_locale
from werkzeug.datastructures import MultiDict

from app import database
from app.database import utcnow
from app.forms.survey import ANONYMOUS, answer_errors, answer_field, answers_data
from app.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from app.inputs.fields import InvalidInput
from app.inputs.survey_answers import MAX_ANSWER_LENGTH, validate_answers
from app.links import LinkError
from app.services.concerns import survey_scope
from app.services.survey.another_group import ask_for_another_group, still_in_group
from app.services.survey.answering import AlreadyAnswered, questions_in, submit_answers
from app.services.survey.invitations import (
    SurveyInvitation,
    SurveyState,
    find_survey_invitation,
    survey_state,
)
from app.views.member_concerns import take_member_concern

blueprint = Blueprint("survey", __name__, url_prefix="/s")

# What someone sees instead of the survey when there is nothing left to answer.
CLOSED_PAGES = {
    SurveyState.ERASED: "selfservice/deleted.html",
    SurveyState.CANCELLED: "survey/cancelled.html",
}


@blueprint.route("/<token>", methods=["GET", "POST"])
def answer(token: str):
    invitation, state = _invitation(token)
    if state == SurveyState.ANSWERED:
        return render_template("survey/answered.html", program=invitation.program)
    if request.method == "GET":
        return _render_questions(invitation, token, MultiDict(), {})
    values, anonymous = answers_data(request.form, invitation.program)
    try:
        answers = validate_answers(invitation.program, values, anonymous=anonymous)
    except InvalidInput as invalid:
        return _render_questions(invitation, token, request.form, answer_errors(invalid.errors)), 422
    session = database.session()
    try:
        submit_answers(session, invitation, answers, now=utcnow())
    except AlreadyAnswered:
        session.rollback()
        return render_template("survey/answered.html", program=invitation.program)
    session.commit()
    return render_template(
        "survey/thanks.html", program=invitation.program, anonymous=answers.anonymous, token=token
    )


@blueprint.route("/<token>/another-group", methods=["GET", "POST"])
def another_group(token: str):
    """A button, not the link itself, asks: mail scanners open links, and must not move anyone."""
    invitation, _state = _invitation(token)
    session = database.session()
    if not still_in_group(session, invitation):
        return render_template("survey/another_group_done.html", program=invitation.program, already=True)
    if request.method == "GET":
        return render_template("survey/another_group.html", program=invitation.program)
    ask_for_another_group(session, invitation)
    session.commit()
    return render_template("survey/another_group_done.html", program=invitation.program, already=False)


@blueprint.route("/<token>/concern", methods=["GET", "POST"])
def concern(token: str):
    """A concern raised privately from the survey, about the meeting or one member of it."""
    invitation, _state = _invitation(token)
    session = database.session()
    scope = survey_scope(session, invitation.meeting, invitation.participant)
    action = url_for(".concern", token=token)
    return take_member_concern(invitation.program, invitation.participant, scope, action=action)


def _invitation(token: str) -> tuple[SurveyInvitation, SurveyState]:
    """Whom the link was made for, speaking their language; or, instead, the kind page for a link that
    does not work or a survey with nothing left to answer."""
    session = database.session()
    try:
        invitation = find_survey_invitation(session, token)
    except LinkError as error:
        page = render_template("survey/link_problem.html", expired=error.expired)
        abort(make_response(page, 410 if error.expired else 400))
    locale = invitation.participant.locale
    g.page_locale = locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE
    g.page_locales = [g.page_locale]
    state = survey_state(session, invitation)
    if state in CLOSED_PAGES:
        abort(make_response(render_template(CLOSED_PAGES[state], program=invitation.program)))
    return invitation, state


def _render_questions(invitation: SurveyInvitation, token: str, form: MultiDict, errors: dict[str, str]):
    return render_template(
        "survey/answer.html",
        token=token,
        program=invitation.program,
        questions=questions_in(invitation.program, str(get_locale())),
        form=form,
        errors=errors,
        field=answer_field,
        anonymous_field=ANONYMOUS,
        max_length=MAX_ANSWER_LENGTH,
    )
