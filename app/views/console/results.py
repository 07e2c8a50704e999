"""Console routes: what came of the meetings — attendance, survey results and their CSV, the program report.

Pages that can show names (attendance, and answers given under a name) are recorded in the audit log.
"""

from __future__ import annotations

from flask import render_template, request

from app import database
from app.database import utcnow
from app.services.exports import survey_export
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
    presence = meeting_attendance(session, meeting, now=utcnow())
    audit("console.viewed_attendance", program, subject=("meeting", meeting.id))
    session.commit()
    return render_template(
        "console/attendance.html", program=program, meeting=meeting, cohort=cohort, attendance=presence
    )


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
