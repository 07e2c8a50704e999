"""Console routes: a program's pool of licensed Zoom users."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app import database
from app.database import utcnow
from app.inputs.fields import InvalidInput
from app.models import Program, ZoomUser
from app.services.zoom_pool import (
    ZoomPoolError,
    add_zoom_user,
    change_zoom_user,
    list_pool,
    pool_capacity,
    remove_zoom_user,
)
from app.views.console.access import blueprint, load_program, program_row


@blueprint.get("/programs/<slug>/zoom-users")
def zoom_users(slug: str):
    return _render(load_program(slug), MultiDict([("concurrent", "1")]), {})


@blueprint.post("/programs/<slug>/zoom-users")
def add_zoom_user_to_pool(slug: str):
    program = load_program(slug)
    session = database.session()
    data = {"user": request.form.get("user", ""), "concurrent": request.form.get("concurrent", "")}
    try:
        row = add_zoom_user(session, program, data, by=current_user)
    except InvalidInput as invalid:
        return _render(program, request.form, invalid.errors), 422
    session.commit()
    flash(f"{row.user} is added to the program’s Zoom users.", "success")
    return redirect(url_for("console.zoom_users", slug=slug), 303)


@blueprint.post("/programs/<slug>/zoom-users/<int:zoom_user_id>")
def change_zoom_user_in_pool(slug: str, zoom_user_id: int):
    program = load_program(slug)
    row = program_row(program, ZoomUser, zoom_user_id)
    session = database.session()
    data = {"concurrent": request.form.get("concurrent", ""), "active": request.form.get("active") == "yes"}
    try:
        changed = change_zoom_user(session, row, data, by=current_user)
    except InvalidInput as invalid:
        flash(f"{row.user}: " + " ".join(invalid.errors.values()), "error")
        return redirect(url_for("console.zoom_users", slug=slug), 303)
    session.commit()
    flash(f"{row.user} is saved." if changed else f"Nothing to save for {row.user}.", "success")
    return redirect(url_for("console.zoom_users", slug=slug), 303)


@blueprint.post("/programs/<slug>/zoom-users/<int:zoom_user_id>/remove")
def remove_zoom_user_from_pool(slug: str, zoom_user_id: int):
    program = load_program(slug)
    row = program_row(program, ZoomUser, zoom_user_id)
    session = database.session()
    user = row.user
    try:
        remove_zoom_user(session, row, by=current_user, now=utcnow())
    except ZoomPoolError as error:
        flash(str(error), "error")
        return redirect(url_for("console.zoom_users", slug=slug), 303)
    session.commit()
    flash(f"{user} is no longer one of the program’s Zoom users.", "success")
    return redirect(url_for("console.zoom_users", slug=slug), 303)


def _render(program: Program, form: MultiDict, errors: dict[str, str]):
    session = database.session()
    return render_template(
        "console/zoom_users.html",
        program=program,
        section="zoom",
        rows=list_pool(session, program, now=utcnow()),
        capacity=pool_capacity(session, program),
        form=form,
        errors=errors,
    )
