"""Console routes: the waitlist — who is not in a group, why, and placing them by hand."""

from __future__ import annotations

from flask import render_template, request

from app import database
from app.database import utcnow
from app.services.waitlist_overview import NOT_MATCHED, WaitlistFilters, describe_waitlist
from app.views.console.access import audit, blueprint, load_program


@blueprint.get("/programs/<slug>/waitlist")
def waitlist(slug: str):
    """One page of the people waiting, searchable by name and filtered by condition and reason."""
    program = load_program(slug)
    session = database.session()
    filters = WaitlistFilters(
        name=request.args.get("name", "").strip(),
        condition_id=request.args.get("condition", type=int),
        reason=request.args.get("reason") or None,
    )
    waiting = describe_waitlist(
        session, program, filters, after=request.args.get("after"), before=request.args.get("before"),
        today=utcnow().date(),
    )  # fmt: skip
    audit("console.viewed_waitlist", program, people=len(waiting.page.rows))
    session.commit()
    return render_template(
        "console/waitlist.html",
        program=program,
        waiting=waiting,
        filters=filters,
        query={"name": filters.name or None, "condition": filters.condition_id, "reason": filters.reason},
        not_matched=NOT_MATCHED,
    )
