"""Console routes: meeting again — a cohort's next meet-up, or a series of them."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app import database
from app.database import utcnow
from app.inputs.meeting_changes import InvalidChange, parse_local_time
from app.models import Cohort
from app.services import follow_up
from app.services.follow_up import FollowUpError
from app.views.console.access import blueprint, load_program, program_row
from app.views.console.local_time import for_reader, viewer_zone


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/next-meeting")
def schedule_next_meeting(slug: str, cohort_id: int):
    program = load_program(slug)
    cohort = program_row(program, Cohort, cohort_id)
    session = database.session()
    try:
        starts_at = parse_local_time(request.form.get("starts_at", ""), viewer_zone(program))
        meeting = follow_up.schedule_next_meeting(
            session, cohort, starts_at=starts_at, actor=current_user.email, coordinator_id=current_user.id,
            now=utcnow(),
        )  # fmt: skip
    except (FollowUpError, InvalidChange) as error:
        flash(str(error), "error")
        return _back_to(program, cohort)
    session.commit()
    flash(
        f"Meet-up {meeting.number} is scheduled for {for_reader(meeting.starts_at, program)}. Its Zoom "
        "meeting is being created and every member is being invited.",
        "success",
    )
    return _back_to(program, cohort)


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/series")
def schedule_series(slug: str, cohort_id: int):
    program = load_program(slug)
    cohort = program_row(program, Cohort, cohort_id)
    session = database.session()
    try:
        meetings = follow_up.schedule_series(
            session, cohort, count=request.form.get("count", 0, type=int),
            every_weeks=request.form.get("every_weeks", 0, type=int), actor=current_user.email,
            coordinator_id=current_user.id, now=utcnow(),
        )  # fmt: skip
    except FollowUpError as error:
        flash(str(error), "error")
        return _back_to(program, cohort)
    session.commit()
    flash(_series_words(program, meetings), "success")
    return _back_to(program, cohort)


def _series_words(program, meetings) -> str:
    first, last = (for_reader(meeting.starts_at, program) for meeting in (meetings[0], meetings[-1]))
    if len(meetings) == 1:
        return f"Meet-up {meetings[0].number} is scheduled for {first}, and everyone is being invited."
    return (
        f"{len(meetings)} meet-ups are scheduled, from {first} to {last}. Each member is invited to the "
        "first one now, and to each of the others the day after the one before it."
    )


def _back_to(program, cohort):
    return redirect(url_for("console.cohort", slug=program.slug, cohort_id=cohort.id))
