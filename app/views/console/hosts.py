"""Console routes: a program's host pool, each host's groups, and the host's own page link."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app import database
from app.database import utcnow
from app.forms.console import host_data, host_form
from app.forms.registration import COMMON_TIMEZONES
from app.i18n import language_name
from app.inputs.fields import InvalidInput
from app.links import signed_url
from app.models import Host, Program
from app.services.host_pool import HostUpdate, add_host, list_host_pool, update_host
from app.services.registration import list_conditions
from app.views.console.access import blueprint, load_program, program_row
from app.views.console.local_time import for_reader


@blueprint.get("/programs/<slug>/hosts")
def hosts(slug: str):
    program = load_program(slug)
    session = database.session()
    rows = list_host_pool(session, program, today=utcnow().date())
    # The host's page fetches a fresh Zoom start link when they press start; this link is only to that page.
    links = {row.host.id: signed_url("hosts.page", "host", {"h": row.host.id}) for row in rows}
    return render_template(
        "console/hosts.html",
        program=program,
        section="hosts",
        rows=rows,
        links=links,
        condition_names=_condition_names(program),
    )


@blueprint.route("/programs/<slug>/hosts/new", methods=["GET", "POST"])
def new_host(slug: str):
    program = load_program(slug)
    if request.method == "GET":
        start = MultiDict([("timezone", program.timezone), ("max_cohorts", "2"), ("active", "yes")])
        return _render_form(program, None, start, {})
    session = database.session()
    try:
        host = add_host(session, program, host_data(request.form, None), by=current_user)
    except InvalidInput as invalid:
        return _render_form(program, None, request.form, invalid.errors), 422
    session.commit()
    flash(f"{host.display_name} is added to the host pool.", "success")
    return redirect(url_for("console.hosts", slug=slug, _anchor=f"host-{host.id}"), 303)


@blueprint.route("/programs/<slug>/hosts/<int:host_id>", methods=["GET", "POST"])
def edit_host(slug: str, host_id: int):
    program = load_program(slug)
    host = program_row(program, Host, host_id)
    if request.method == "GET":
        return _render_form(program, host, host_form(host), {})
    session = database.session()
    try:
        update = update_host(
            session, program, host, host_data(request.form, host), by=current_user, now=utcnow()
        )
    except InvalidInput as invalid:
        return _render_form(program, host, request.form, invalid.errors), 422
    session.commit()
    _flash_update(program, host, update)
    return redirect(url_for("console.hosts", slug=slug, _anchor=f"host-{host.id}"), 303)


def _flash_update(program: Program, host: Host, update: HostUpdate) -> None:
    if not update.changed:
        flash(f"Nothing to save: {host.display_name}’s details were already as shown.", "success")
        return
    flash(f"{host.display_name}’s details are saved.", "success")
    if update.released:
        groups = "; ".join(
            f"group {row.cohort.id} ({row.cohort.status}, {for_reader(row.starts_at, program)})"
            for row in update.released
        )
        flash(
            f"{host.display_name} is switched off, so these groups have no host now: {groups}. "
            "Choose another host on each group’s page.",
            "warning",
        )


def _condition_names(program: Program) -> dict[str, str]:
    return {
        offer.condition.code: offer.condition.name for offer in list_conditions(database.session(), program)
    }


def _render_form(program: Program, host: Host | None, form: MultiDict, errors: dict[str, str]):
    return render_template(
        "console/host_form.html",
        program=program,
        section="hosts",
        host=host,
        form=form,
        errors=errors,
        languages=[(code, language_name(code), None) for code in program.languages],
        conditions=[(code, name, None) for code, name in _condition_names(program).items()],
        timezones=COMMON_TIMEZONES,
    )
