"""The cohort page, shared by the routes that review a cohort and those that change it: a change that breaks
a matching rule brings the page back with the warnings and a form that sends the same change again,
confirmed."""

from __future__ import annotations

from flask import render_template, request

from app import database
from app.database import utcnow
from app.models import Cohort, Program
from app.services.cohort_review import review_cohort
from app.views.console.access import audit


def render_cohort(program: Program, cohort: Cohort, *, override: dict | None = None, status: int = 200):
    """The cohort page; `override` asks the coordinator to confirm a change that breaks a rule."""
    session = database.session()
    now = utcnow()
    review = review_cohort(session, program, cohort, now=now)
    audit("console.viewed_cohort", program, subject=("cohort", cohort.id))
    session.commit()
    return render_template(
        "console/cohort.html", program=program, cohort=cohort, override=override, now=now, **vars(review)
    ), status


def override_request(warnings: list[str]) -> dict:
    """What the confirmation form re-sends: this same request, with override=yes."""
    fields = {key: request.form.getlist(key) for key in request.form if key not in ("csrf_token", "override")}
    return {"action": request.path, "fields": fields, "warnings": warnings}
