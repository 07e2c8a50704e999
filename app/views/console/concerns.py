"""Console routes: the program's queue of concerns raised by hosts and members, and moving each on (new,
acknowledged, resolved) with a note; every look and every change is in the audit log."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import database
from app.database import utcnow
from app.inputs.concerns import read_concern_change
from app.inputs.fields import InvalidInput
from app.models import Concern, ConcernStatus
from app.services.concerns import change_concern, count_by_status, page_concerns
from app.views.console.access import audit, blueprint, load_program, program_row


@blueprint.get("/programs/<slug>/concerns")
def concerns(slug: str):
    """One page of the program's concerns, newest first, of one state (`state=`) or all of them."""
    program = load_program(slug)
    session = database.session()
    status = request.args.get("state")
    status = ConcernStatus(status) if status in set(ConcernStatus) else None
    page = page_concerns(
        session, program, status=status, after=request.args.get("after"), before=request.args.get("before")
    )
    audit("console.viewed_concerns", program, concerns=len(page.rows))  # what people confided
    session.commit()
    return render_template(
        "console/concerns.html", program=program, section="concerns", page=page, state=status,
        statuses=ConcernStatus, counts=count_by_status(session, program.id),
    )  # fmt: skip


@blueprint.post("/programs/<slug>/concerns/<int:concern_id>")
def change_concern_status(slug: str, concern_id: int):
    program = load_program(slug)
    concern = program_row(program, Concern, concern_id)
    try:
        change = read_concern_change(request.form)
    except InvalidInput as invalid:
        flash(" ".join(invalid.errors.values()), "error")
        return redirect(url_for("console.concerns", slug=slug))
    session = database.session()
    previous = concern.status
    change_concern(session, concern, change, by=current_user.email, now=utcnow())
    audit(
        f"concern.{change.status.value}", program, subject=("concern", concern.id),
        previous=previous, noted=bool(change.note),
    )  # fmt: skip
    session.commit()
    flash(f"The concern is {change.status.value}.", "success")
    return redirect(url_for("console.concerns", slug=slug, _anchor=f"concern-{concern.id}"))
