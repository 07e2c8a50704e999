"""Console routes: the programs list, a program's settings, conditions and stages, registration, activity."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app import database
from app.forms.console import (
    condition_data,
    condition_form,
    program_data,
    program_form,
    text_languages,
)
from app.forms.registration import COMMON_TIMEZONES
from app.i18n import SUPPORTED_LOCALES, language_name
from app.inputs.fields import InvalidInput
from app.inputs.neutral_title import advise_title
from app.inputs.phone import countries
from app.models import Condition, Program, Stage
from app.services import conditions as condition_service
from app.services import programs as service
from app.services.activity_log import activity_page
from app.services.program_access import visible_programs
from app.services.program_summaries import summarise_programs
from app.services.registration import list_conditions
from app.views.console.access import (
    admin_required,
    audit,
    blueprint,
    load_program,
    program_row,
)
from app.views.lookups import row_or_404


@blueprint.get("/")
def programs():
    shown = visible_programs(database.session(), current_user)
    summaries = summarise_programs(database.session(), shown)
    return render_template("console/programs.html", programs=shown, summaries=summaries)


@blueprint.route("/programs/new", methods=["GET", "POST"])
@admin_required
def new_program():
    if request.method == "GET":
        blank = Program(slug="", name="", organisation="", contact_email="", languages=["en"])
        return _render_settings(None, program_form(blank), {})
    session = database.session()
    try:
        program = service.create_program(session, program_data(request.form, with_slug=True), by=current_user)
    except InvalidInput as invalid:
        return _render_settings(None, request.form, invalid.errors), 422
    session.commit()
    flash(
        f"“{program.name}” is created. Add its conditions and stages below, then open registration.",
        "success",
    )
    return redirect(url_for("console.edit_program", slug=program.slug), 303)


@blueprint.route("/programs/<slug>/settings", methods=["GET", "POST"])
def edit_program(slug: str):
    program = load_program(slug)
    if request.method == "GET":
        return _render_settings(program, program_form(program), {})
    session = database.session()
    try:
        changed = service.update_program(session, program, program_data(request.form), by=current_user)
    except InvalidInput as invalid:
        return _render_settings(program, request.form, invalid.errors), 422
    session.commit()
    flash("Settings saved." if changed else "Nothing to save: the settings were already as shown.", "success")
    return redirect(url_for("console.edit_program", slug=slug), 303)


@blueprint.post("/programs/<slug>/registration")
def set_registration(slug: str):
    program = load_program(slug)
    is_open = request.form.get("open") == "yes"
    session = database.session()
    try:
        service.set_registration(session, program, is_open, by=current_user)
    except service.ProgramError as refused:
        flash(str(refused), "error")
        return redirect(url_for("console.edit_program", slug=slug), 303)
    session.commit()
    flash(
        "Registration is open." if is_open else "Registration is closed: the sign-up page says so.", "success"
    )
    return redirect(url_for("console.edit_program", slug=slug), 303)


@blueprint.post("/programs/<slug>/conditions")
def add_condition(slug: str):
    program = load_program(slug)
    session = database.session()
    try:
        condition = condition_service.add_condition(
            session, program, {"name": request.form.get("name", "")}, by=current_user
        )
    except InvalidInput as invalid:
        return _render_settings(
            program, program_form(program), {}, new_condition=(request.form, invalid.errors)
        ), 422
    session.commit()
    flash(f"Condition “{condition.name}” added. Add its stages below.", "success")
    return redirect(url_for("console.edit_program", slug=slug, _anchor=f"condition-{condition.id}"), 303)


@blueprint.post("/programs/<slug>/conditions/<int:condition_id>")
def edit_condition(slug: str, condition_id: int):
    program = load_program(slug)
    condition = program_row(program, Condition, condition_id)
    session = database.session()
    data = condition_data(request.form, condition_service.list_stages(session, condition))
    try:
        changed = condition_service.update_condition(session, program, condition, data, by=current_user)
    except InvalidInput as invalid:
        edited = {condition.id: (MultiDict(data), invalid.errors)}
        return _render_settings(program, program_form(program), {}, edited_condition=edited), 422
    session.commit()
    flash(f"“{condition.name}” saved." if changed else "Nothing to save: no names were changed.", "success")
    return redirect(url_for("console.edit_program", slug=slug, _anchor=f"condition-{condition.id}"), 303)


@blueprint.post("/programs/<slug>/conditions/<int:condition_id>/delete")
def delete_condition(slug: str, condition_id: int):
    program = load_program(slug)
    condition = program_row(program, Condition, condition_id)
    done = f"Condition “{condition.name}” removed."
    return _apply(program, condition_service.delete_condition, condition, done=done, anchor="conditions")


@blueprint.post("/programs/<slug>/stages/<int:stage_id>/move")
def move_stage(slug: str, stage_id: int):
    program = load_program(slug)
    stage = _stage(program, stage_id)
    up = request.form.get("direction") == "up"
    done = f"Stage “{stage.name}” moved {'up' if up else 'down'}."
    return _apply(
        program,
        condition_service.move_stage,
        stage,
        -1 if up else 1,
        done=done,
        anchor=f"condition-{stage.condition_id}",
    )


@blueprint.post("/programs/<slug>/stages/<int:stage_id>/delete")
def delete_stage(slug: str, stage_id: int):
    program = load_program(slug)
    stage = _stage(program, stage_id)
    done = f"Stage “{stage.name}” removed."
    return _apply(
        program, condition_service.delete_stage, stage, done=done, anchor=f"condition-{stage.condition_id}"
    )


@blueprint.get("/programs/<slug>/activity")
def activity(slug: str):
    program = load_program(slug)
    session = database.session()
    page = activity_page(session, program, request.args.get("page", 1, type=int))
    audit("console.viewed_activity", program, page=page.page)  # the log names registrants
    session.commit()
    return render_template("console/activity.html", program=program, section="activity", log=page)


def _apply(program: Program, change, *args, done: str, anchor: str):
    """Make a change that either succeeds or is refused with a message, then go back to the settings page."""
    session = database.session()
    try:
        change(session, program, *args, by=current_user)
    except service.ProgramError as refused:
        session.rollback()
        flash(str(refused), "error")
    else:
        session.commit()
        flash(done, "success")
    return redirect(url_for("console.edit_program", slug=program.slug, _anchor=anchor), 303)


def _stage(program: Program, stage_id: int) -> Stage:
    """The stage, when its condition is `program`'s; see `program_row`."""
    stage = row_or_404(Stage, stage_id)
    program_row(program, Condition, stage.condition_id)
    return stage


def _render_settings(
    program: Program | None,
    form: MultiDict,
    errors: dict[str, str],
    *,
    new_condition: tuple[MultiDict, dict[str, str]] | None = None,
    edited_condition: dict[int, tuple[MultiDict, dict[str, str]]] | None = None,
):
    """The settings page: the settings form, and for an existing program its registration switch and its
    conditions, each condition form showing what was typed and its errors when it was the one sent. The
    advice on the name is about the name as shown in the form, typed or saved."""
    conditions = list_conditions(database.session(), program) if program else []
    title_advice = advise_title(
        form.get("name", ""), form.get("organisation", ""), [offer.condition for offer in conditions]
    )
    edited = edited_condition or {}
    condition_forms = {
        offer.condition.id: edited.get(offer.condition.id)
        or (condition_form(offer.condition, offer.stages), {})
        for offer in conditions
    }
    return render_template(
        "console/program_form.html",
        program=program,
        section="settings",
        form=form,
        errors=errors,
        languages=[(code, language_name(code)) for code in SUPPORTED_LOCALES],
        timezones=COMMON_TIMEZONES,
        countries=countries(),
        conditions=conditions,
        title_advice=title_advice,
        condition_forms=condition_forms,
        new_condition=new_condition or (MultiDict(), {}),
        **text_languages(program),
    )
