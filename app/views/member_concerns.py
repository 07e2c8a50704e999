"""The concern form a member fills in, from their own page or from their survey: shared by both routes."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.datastructures import MultiDict

from app import database
from app.database import utcnow
from app.forms.concerns import concern_data
from app.inputs.concerns import read_concern
from app.inputs.fields import InvalidInput
from app.models import Participant, Program, Reporter
from app.services.concerns import ConcernScope, raise_concern


def take_member_concern(program: Program, participant: Participant, scope: ConcernScope, *, action: str):
    """The form (GET), or the concern raised (POST); the form again, with its problems, when it has any."""
    members = scope.members
    if request.method == "GET":
        return _form(program, members, action, MultiDict(), {})
    try:
        written = read_concern(concern_data(request.form), [member_id for member_id, _ in members])
    except InvalidInput as invalid:
        return _form(program, members, action, request.form, invalid.errors), 422
    session = database.session()
    raise_concern(
        session, program, written, reporter=Reporter.MEMBER, by_id=participant.id,
        meeting_id=scope.meeting_id, now=utcnow(),
    )  # fmt: skip
    session.commit()
    return render_template("concerns/sent.html", program=program)


def _form(program: Program, members, action: str, form: MultiDict, errors: dict[str, str]):
    return render_template(
        "concerns/member.html", program=program, members=members, action=action, form=form, errors=errors
    )
