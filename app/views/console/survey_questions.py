"""Console route: a program's follow-up survey, its questions (reworded, reordered, removed, added), whether
every answer is anonymous, and when the one reminder goes out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app import database
from app.forms.console import text_languages
from app.forms.survey import survey_settings_data, survey_settings_form
from app.inputs.fields import InvalidInput
from app.inputs.survey_questions import (
    KINDS,
    MAX_OPTIONS,
    MAX_QUESTION_LENGTH,
    REMINDER_DAYS,
    new_field,
    option_part,
    question_field,
)
from app.models import Program
from app.services.survey.questions import update_survey_settings
from app.views.console.access import blueprint, load_program

KIND_WORDS = {
    "scale": "A number from 1 to 5",
    "choice": "One of a few answers",
    "text": "In their own words",
}


@blueprint.route("/programs/<slug>/survey", methods=["GET", "POST"])
def survey_questions(slug: str):
    program = load_program(slug)
    if request.method == "GET":
        return _render(program, survey_settings_form(program), {})
    session = database.session()
    data = survey_settings_data(request.form, program.survey_questions)
    try:
        changed = update_survey_settings(session, program, data, by=current_user)
    except InvalidInput as invalid:
        return _render(program, request.form, invalid.errors), 422
    session.commit()
    flash("Survey saved." if changed else "Nothing to save: the survey was already as shown.", "success")
    return redirect(url_for("console.survey_questions", slug=slug), 303)


def _render(program: Program, form: MultiDict, errors: dict[str, str]):
    return render_template(
        "console/survey_questions.html",
        program=program,
        section="survey",
        questions=program.survey_questions,
        form=form,
        errors=errors,
        **text_languages(program),
        kinds=[(kind, KIND_WORDS[kind], None) for kind in KINDS],
        kind_words=KIND_WORDS,
        field=question_field,
        option_part=option_part,
        new_field=new_field,
        max_length=MAX_QUESTION_LENGTH,
        max_options=MAX_OPTIONS,
        reminder_days=REMINDER_DAYS,
    )
