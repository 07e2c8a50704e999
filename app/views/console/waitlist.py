"""Console routes: the waitlist — who is not in a group, why, and placing them by hand."""

from __future__ import annotations

from flask import render_template

from app import database
from app.services.overview import describe_waitlist
from app.views.console.access import audit, blueprint, load_program


@blueprint.get("/programs/<slug>/waitlist")
def waitlist(slug: str):
    program = load_program(slug)
    session = database.session()
    waiting = describe_waitlist(session, program)
    audit("console.viewed_waitlist", program, people=waiting.total)
    session.commit()
    return render_template(
        "console/waitlist.html",
        program=program,
        by_reason=waiting.by_reason,
        total=waiting.total,
        cohorts_by_condition=waiting.cohorts_by_condition,
    )
