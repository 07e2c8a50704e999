"""Console routes: what came of the meetings — attendance, survey results and their CSV, the program report.

Pages that can show names (attendance, and answers given under a name) are recorded in the audit log.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import database
from app.database import utcnow
from app.services.exports import survey_export
from app.services.marked_attendance import attendance_sheet, mark_attendance, may_mark, never_started
from app.services.meeting_attendance import meeting_attendance
from app.services.report import program_report
from app.services.survey.results import survey_results
from app.views.console.access import audit, blueprint, load_program, program_meeting
from app.views.console.downloads import csv_download


@blueprint.get("/programs/<slug>/meetings/<int:meeting_id>/attendance")
def attendance(slug: str, meeting_id: int):
    program = load_program(slug)
    meeting, cohort = program_meeting(program, meeting_id)
    session = database.session()
    now = utcnow()
    presence = meeting_attendance(session, meeting, now=now)
    markable = may_mark(meeting, now)
    sheet = attendance_sheet(session, meeting) if markable else []
    unstarted = bool(never_started(session, [meeting.id], now=now))
    audit("console.viewed_attendance", program, subject=("meeting", meeting.id))
    session.commit()
    return render_template(
        "console/attendance.html", program=program, meeting=meeting, cohort=cohort, attendance=presence,
        markable=markable, sheet=sheet, never_started=unstarted,
    )  # fmt: skip


@blueprint.post("/programs/<slug>/meetings/<int:meeting_id>/attendance")
def mark_meeting_attendance(slug: str, meeting_id: int):
    """The coordinator marks who came to a meeting that is over, as the host may from their page."""
    program = load_program(slug)
    meeting, _ = program_meeting(program, meeting_id)
    session = database.session()
    now = utcnow()
    if not may_mark(meeting, now):
        abort(409)
    present = {int(value) for value in request.form.getlist("present") if value.isdigit()}
    sheet = mark_attendance(
        session, meeting, present, by=current_user.email, coordinator_id=current_user.id,
        program_id=program.id, now=now,
    )  # fmt: skip
    session.commit()
    came = sum(row.present for row in sheet)
    flash(f"Saved: {came} of {len(sheet)} members came.", "success")
    return redirect(url_for("console.attendance", slug=slug, meeting_id=meeting.id), code=303)


@blueprint.get("/programs/<slug>/results")
def results(slug: str):
    program = load_program(slug)
    session = database.session()
    survey = survey_results(session, program)
    audit("console.viewed_results", program)
    session.commit()
    return render_template("console/results.html", program=program, survey=survey)


@blueprint.get("/programs/<slug>/meetings/<int:meeting_id>/results")
def meeting_results(slug: str, meeting_id: int):
    program = load_program(slug)
    meeting, cohort = program_meeting(program, meeting_id)
    session = database.session()
    survey = survey_results(session, program, meeting)
    audit("console.viewed_results", program, subject=("meeting", meeting.id))
    session.commit()
    return render_template(
        "console/meeting_results.html", program=program, meeting=meeting, cohort=cohort, survey=survey
    )


@blueprint.get("/programs/<slug>/results.csv")
def export_results(slug: str):
    """One row per response; the participant column only holds names of answers not given anonymously."""
    program = load_program(slug)
    session = database.session()
    export = survey_export(session, program)
    audit("console.exported_results", program, responses=export.size)
    session.commit()
    return csv_download(f"{program.slug}-survey-results.csv", export.header, export.rows)


@blueprint.get("/programs/<slug>/report")
def report(slug: str):
    """The program's figures as a page; `?print=1` lays it out for paper (A4) on screen as well."""
    program = load_program(slug)
    figures = program_report(database.session(), program)
    return render_template(
        "console/report.html",
        program=program,
        report=figures,
        week_labels=[f"Week of {monday:%-d %b %Y}" for monday, _ in figures.weeks],
        printing=request.args.get("print") == "1",
        today=utcnow(),
    )
