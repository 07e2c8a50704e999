"""Console routes: what came of the meetings — attendance, survey results and their CSV, the program report.

Pages that can show names (attendance, and answers given under a name) are recorded in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import render_template, request

from app import database
from app.charts import bar_chart, percent
from app.database import utcnow
from app.services.report import program_report
from app.services.results import answered_responses, meeting_attendance, survey_questions, survey_results
from app.views.console.access import audit, blueprint, load_program
from app.views.console.downloads import csv_download
from app.views.console.meetings import meeting_of

# A spreadsheet runs a cell that starts with one of these as a formula; answers are written by the public.
blueprint.add_app_template_global(bar_chart, "bar_chart")
blueprint.add_app_template_filter(percent, "percent")


@blueprint.app_template_filter("out_of")
def out_of(part: int, whole: int) -> str:
    """A part of a whole in words, like "3 of 4 (75%)"; "none yet" when there is no whole to count against."""
    return f"{part} of {whole} ({percent(part, whole)})" if whole else "none yet"


@blueprint.app_template_filter("clock")
def clock(moment: datetime, zone: str) -> str:
    """A moment in `zone`, short: "3 Mar, 09:05"."""
    return f"{moment.astimezone(ZoneInfo(zone)):%-d %b, %H:%M}"


@blueprint.get("/programs/<slug>/meetings/<int:meeting_id>/attendance")
def attendance(slug: str, meeting_id: int):
    program = load_program(slug)
    meeting, cohort = meeting_of(program, meeting_id)
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
    meeting, cohort = meeting_of(program, meeting_id)
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
    answered = answered_responses(session, program)
    questions = survey_questions(program, answered)
    named = any(row.name is not None for row in answered)
    header = ["meeting_id", "group_id", "meet_up", "date", *(["participant"] if named else [])]
    header += [question.key for question in questions]
    rows = [
        [
            row.meeting.id, row.cohort_id, row.meeting.number, row.day.isoformat(),
            *([row.name or ""] if named else []),
            *(row.response.answers.get(q.key, "") for q in questions),
        ]
        for row in answered
    ]  # fmt: skip
    audit("console.exported_results", program, responses=len(answered))
    session.commit()
    return csv_download(f"{program.slug}-survey-results.csv", header, rows)


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
