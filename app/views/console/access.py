"""Who may see what in the console: a signed-in coordinator, and only the programs they are assigned to.

Admins see every program. A program the coordinator may not see answers 404, as if it did not exist, so
the console never confirms which organisations a deployment serves. Admins sign in with two factors: an
admin without one reaches only the page that sets it up (and signing out) until it is set up.
"""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from app import database
from app.models import Cohort, Meeting, Program
from app.reading_zone import done_reading, reading_in
from app.services.audit import record_event
from app.services.concerns import count_new_concerns
from app.services.program_access import may_see_program
from app.services.registration import find_program
from app.services.text_inbox import count_unread_texts
from app.views.lookups import find_row

blueprint = Blueprint("console", __name__, url_prefix="/console")
PUBLIC_ENDPOINTS = {"console.login", "console.login_code"}
ENROLMENT_ENDPOINTS = {"console.set_up_two_factor", "console.logout"}
REFUSED = "access.refused"
logger = logging.getLogger(__name__)
Row = TypeVar("Row")


@blueprint.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return redirect(url_for("console.login", next=request.full_path.rstrip("?")))


@blueprint.before_request
def require_admins_second_factor():
    if request.endpoint in PUBLIC_ENDPOINTS | ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if current_user.is_admin and not current_user.two_factor_enabled:
        return redirect(url_for("console.set_up_two_factor"))
    return None


@blueprint.before_request
def read_times_in_own_zone():
    """Sentences services word with times in them (refusals, warnings) give those times in the
    coordinator's zone; see `load_program` for a coordinator who has not chosen one."""
    if current_user.is_authenticated:
        g.reading = reading_in(current_user.timezone or "UTC")


@blueprint.teardown_request
def stop_reading_times(_error: BaseException | None) -> None:
    token = g.pop("reading", None)
    if token is not None:
        done_reading(token)


@blueprint.context_processor
def provide_console_facts() -> dict[str, Any]:
    settings = current_app.config["SETTINGS"]
    return {
        "zoom_uses_emulator": settings.zoom_uses_emulator,
        "shows_dev_mail": not settings.is_production,
        "unread_texts": unread_texts,
        "new_concerns": new_concerns,
    }


def unread_texts(program: Program) -> int:
    """How many of the program's texts no one has read, for its navigation (asked once per page)."""
    counts = g.setdefault("unread_texts", {})
    if program.id not in counts:
        counts[program.id] = count_unread_texts(database.session(), program.id)
    return counts[program.id]


def new_concerns(program: Program) -> int:
    """How many of the program's concerns no coordinator has acknowledged, for its navigation."""
    counts = g.setdefault("new_concerns", {})
    if program.id not in counts:
        counts[program.id] = count_new_concerns(database.session(), program.id)
    return counts[program.id]


def load_program(slug: str) -> Program:
    """The program of this console page, or 404 when it does not exist or is not this coordinator's."""
    program = find_program(database.session(), slug)
    if program is None:
        abort(404)
    if not may_see(program.id):
        refuse(program)
    if current_user.timezone is None:
        reading_in(program.timezone)  # as its pages show times (undone with the request's own zone)
    return program


def of_program(program: Program, row: Row | None) -> Row:
    """`row` when it belongs to `program`; 404 otherwise, as if it did not exist (a row of another program the
    coordinator may not see is a refused attempt, and recorded as one)."""
    if row is not None and row.program_id == program.id:
        return row
    if row is not None and not may_see(row.program_id):
        refuse(find_row(Program, row.program_id), (type(row).__name__.lower(), row.id))
    abort(404)


def program_row(program: Program, model: type[Row], row_id: int | None) -> Row:
    """The row of `model` with this id, when it belongs to `program`; see `of_program`."""
    return of_program(program, find_row(model, row_id))


def program_meeting(program: Program, meeting_id: int | None) -> tuple[Meeting, Cohort]:
    """The meeting with this id and its cohort, when they are `program`'s; see `of_program`."""
    meeting = find_row(Meeting, meeting_id)
    cohort = of_program(program, find_row(Cohort, meeting.cohort_id) if meeting else None)
    return meeting, cohort


def find_program_row(program: Program, model: type[Row], row_id: int | None) -> Row | None:
    """The row of `model` with this id when it belongs to `program`, else None. Nothing is recorded: this is
    for ids that are no attempt to reach another program, such as a number typed by hand (a slip of the
    keyboard) or a page following its own program's match run."""
    row = find_row(model, row_id)
    return row if row is not None and row.program_id == program.id else None


def may_see(program_id: int) -> bool:
    return may_see_program(database.session(), current_user, program_id)


def refuse(program: Program, subject: tuple[str, Any] | None = None) -> NoReturn:
    """Answer 404 to a coordinator reaching into a program that is not theirs, and record the attempt in that
    program's activity, where its coordinators and the admins see it."""
    session = database.session()
    session.rollback()  # the request ends here: nothing it did would be kept, and the record must be
    audit(REFUSED, program, subject, method=request.method, path=request.path)
    session.commit()
    logger.warning("console: account %s was refused program %s", current_user.id, program.id)
    abort(404)


def admin_required(view):
    """For deployment-wide actions (creating programs, accounts): admins only."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def audit(
    action: str, program: Program | None, subject: tuple[str, Any] | None = None, **detail: Any
) -> None:
    """Record that the signed-in coordinator looked at or changed something, in the request's transaction."""
    record_event(
        database.session(), action, actor=current_user.email, coordinator_id=current_user.id,
        program_id=program.id if program else None, subject=subject, **detail,
    )  # fmt: skip
