"""Console routes: the changes a coordinator makes after approval — moving a meeting, cancelling a cohort,
and dismissing the notice of a place left open."""

from __future__ import annotations

from flask import flash, render_template, request, url_for
from flask_login import current_user

from app import database
from app.database import utcnow
from app.inputs.meeting_changes import InvalidChange, cancellation_reason, parse_local_time
from app.models import Cohort
from app.services.meeting_changes import MeetingChangeError, cancellation, open_places, rescheduling
from app.services.meeting_changes.cancellation import CancellationPlan, plan_cancellation
from app.views.console.access import audit, blueprint, load_program, program_meeting, program_row
from app.views.console.local_time import for_reader, viewer_zone
from app.views.console.navigation import back, form_next


@blueprint.post("/programs/<slug>/meetings/<int:meeting_id>/reschedule")
def reschedule_meeting(slug: str, meeting_id: int):
    """First POST: the new time, with who of the group is not usually free then. Second POST, with
    confirm=yes: move the meeting."""
    program = load_program(slug)
    session = database.session()
    meeting, _ = program_meeting(program, meeting_id)
    now = utcnow()
    try:
        starts_at = parse_local_time(request.form.get("starts_at", ""), viewer_zone(program))
        plan = rescheduling.plan_reschedule(session, meeting, starts_at, now=now)
        if request.form.get("confirm") != "yes":
            return render_template(
                "console/reschedule_meeting.html", program=program, plan=plan, next=form_next()
            )
        rescheduling.reschedule_meeting(
            session, meeting, starts_at, actor=current_user.email, coordinator_id=current_user.id, now=now
        )
    except (InvalidChange, MeetingChangeError) as error:
        flash(str(error), "error")
        return back(url_for("console.meeting", slug=slug, meeting_id=meeting.id))
    session.commit()
    flash(
        f"The meeting now starts {for_reader(starts_at, program)}. Zoom is updated by the worker, the "
        "reminders follow the new time, and everyone already invited is emailed the new details.",
        "success",
    )
    return back(url_for("console.meeting", slug=slug, meeting_id=meeting.id))


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/cancel")
def cancel_cohort(slug: str, cohort_id: int):
    """First POST: what cancelling will do and who is told. Second POST, with confirm=yes: do it."""
    program = load_program(slug)
    session = database.session()
    cohort = program_row(program, Cohort, cohort_id)
    now = utcnow()
    try:
        plan = plan_cancellation(session, cohort, now=now)
    except MeetingChangeError as error:
        flash(str(error), "error")
        return back(url_for("console.cohort", slug=slug, cohort_id=cohort.id))
    reason, confirmed = request.form.get("reason", "").strip(), request.form.get("confirm") == "yes"
    try:
        cancellation_reason(reason)
    except InvalidChange as error:
        flash(str(error), "error")
        confirmed = False  # the reason comes back to be shortened
    if not confirmed:
        audit("console.viewed_cancellation", program, subject=("cohort", cohort.id))
        session.commit()
        return render_template(
            "console/cancel_cohort.html", program=program, plan=plan, reason=reason, next=form_next()
        )
    cancellation.cancel_cohort(
        session, cohort, actor=current_user.email, coordinator_id=current_user.id, now=now, reason=reason
    )
    session.commit()
    flash(_cancelled_words(plan), "success")
    if plan.meeting is not None:
        return back(url_for("console.meeting", slug=slug, meeting_id=plan.meeting.id))
    return back(url_for("console.cohort", slug=slug, cohort_id=cohort.id))


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/open-place/dismiss")
def dismiss_open_place(slug: str, cohort_id: int):
    program = load_program(slug)
    session = database.session()
    cohort = program_row(program, Cohort, cohort_id)
    try:
        open_places.dismiss_open_place(
            session, cohort, actor=current_user.email, coordinator_id=current_user.id
        )
    except MeetingChangeError as error:
        flash(str(error), "error")
    else:
        session.commit()
        flash(f"Noted: group {cohort.id} stays as it is, and the notice is gone.", "success")
    return back(url_for("console.meetings", slug=slug))


def _cancelled_words(plan: CancellationPlan) -> str:
    cohort = plan.cohort
    if plan.meeting is None:
        members = len(plan.members)
        return (
            f"Group {cohort.id} is dissolved; its {members} members are unplaced again. No one was emailed."
        )
    told = len(plan.told) + (plan.host is not None)
    return (
        f"Group {cohort.id} is cancelled. Its Zoom meeting is being deleted, nothing more is sent about it, "
        f"and {told} {'person gets' if told == 1 else 'people get'} a cancellation email."
    )
