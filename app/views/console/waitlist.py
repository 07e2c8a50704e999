"""Console routes: the waitlist — who is not in a group, why, and placing them by hand."""

from __future__ import annotations

from collections import defaultdict

from flask import render_template
from sqlmodel import select

from app import database
from app.models import Cohort, CohortStatus
from app.services.overview import list_waiting
from app.views.console.access import audit, blueprint, load_program


@blueprint.get("/programs/<slug>/waitlist")
def waitlist(slug: str):
    program = load_program(slug)
    session = database.session()
    waiting = list_waiting(session, program)
    by_reason = defaultdict(list)
    for member in waiting:
        by_reason[member.participant.waitlist_reason or ""].append(member)
    cohorts_by_condition = defaultdict(list)
    for cohort in session.exec(
        select(Cohort)
        .where(Cohort.program_id == program.id, Cohort.status != CohortStatus.CANCELLED)
        .order_by(Cohort.id)
    ):
        cohorts_by_condition[cohort.condition_id].append(cohort)
    audit("console.viewed_waitlist", program, people=len(waiting))
    session.commit()
    return render_template(
        "console/waitlist.html",
        program=program,
        by_reason=sorted(by_reason.items()),
        total=len(waiting),
        cohorts_by_condition=cohorts_by_condition,
    )
