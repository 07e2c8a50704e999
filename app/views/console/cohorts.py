"""Console routes: a program's cohorts — proposing them, reviewing them, approving them, exporting them."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app import database
from app.database import utcnow
from app.models import Cohort, CohortStatus, MatchRun
from app.services.approval import ApprovalError, announce_approvals, approve_cohort, approve_each_cohort
from app.services.approval_risks import approval_risks
from app.services.exports import cohort_export
from app.services.feasibility import cohort_warnings
from app.services.match_runs import INLINE_LIMIT, MatchRunError, latest_run, open_run, request_proposals
from app.services.meeting_changes.open_places import open_places
from app.services.overview import (
    CohortFilters,
    describe_cohorts,
    list_cohorts,
    list_proposed_cohorts,
    program_figures,
)
from app.services.proposals import ProposalSummary
from app.services.registration import list_conditions
from app.services.zoom_pool import hour_loads
from app.views.console.access import audit, blueprint, find_program_row, load_program, program_row
from app.views.console.cohort_page import override_request, render_cohort
from app.views.console.downloads import csv_download
from app.views.console.local_time import for_reader


@blueprint.get("/programs/<slug>")
def program(slug: str):
    """The program at a glance: its figures, what needs attention, and its cohorts page by page, searchable
    by a member's or the host's name (or the group's number) and filtered by status and condition."""
    program = load_program(slug)
    session = database.session()
    filters = CohortFilters(
        name=request.args.get("name", "").strip(),
        status=request.args.get("status") or None,
        condition_id=request.args.get("condition", type=int),
    )
    cohorts = list_cohorts(
        session, program, filters, today=utcnow().date(), after=request.args.get("after"),
        before=request.args.get("before"),
    )  # fmt: skip
    audit("console.viewed_cohorts", program, cohorts=len(cohorts.rows))
    session.commit()
    return render_template(
        "console/program.html",
        program=program,
        figures=program_figures(session, program),
        cohorts=cohorts,
        filters=filters,
        query={"name": filters.name or None, "status": filters.status, "condition": filters.condition_id},
        conditions=[offer.condition for offer in list_conditions(session, program)],
        statuses=list(CohortStatus),
        open_places=open_places(session, program),
        run=open_run(session, program) or latest_run(session, program),
        hour_loads=hour_loads(session, program),
    )


@blueprint.post("/programs/<slug>/propose")
def propose(slug: str):
    program = load_program(slug)
    session = database.session()
    try:
        outcome = request_proposals(
            session, program, actor=current_user.email, coordinator_id=current_user.id, today=utcnow().date(),
            inline_limit=current_app.config.get("INLINE_MATCH_LIMIT", INLINE_LIMIT),
        )  # fmt: skip
    except MatchRunError as error:
        flash(str(error), "error")
        return redirect(url_for("console.program", slug=slug))
    session.commit()
    if isinstance(outcome, ProposalSummary):
        flash(_proposal_words(outcome), "success")
    else:
        flash("Matching has started in the background; this page shows its progress.", "success")
    return redirect(url_for("console.program", slug=slug))


def _proposal_words(summary: ProposalSummary) -> str:
    waiting = sum(summary.waitlisted.values())
    return (
        f"Proposed: {summary.placed} of {summary.registrants} registrants placed in {summary.cohorts} groups "
        f"({summary.new_cohorts} new, {summary.cohorts_with_host} with a host); {waiting} on the waitlist. "
        "Nothing has been sent: review the groups, then approve them."
    )


@blueprint.get("/programs/<slug>/match-runs/<int:run_id>")
def match_run(slug: str, run_id: int):
    """A run's progress, for the overview page to follow while the worker matches."""
    program = load_program(slug)
    run = find_program_row(program, MatchRun, run_id)
    if run is None:
        return jsonify(error="Not Found"), 404
    return jsonify(
        status=run.status,
        stage=run.stage,
        done=run.done,
        total=run.total,
        summary=run.summary,
        error=run.error,
    )


@blueprint.get("/programs/<slug>/cohorts/<int:cohort_id>")
def cohort(slug: str, cohort_id: int):
    program = load_program(slug)
    return render_cohort(program, program_row(program, Cohort, cohort_id))


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/approve")
def approve(slug: str, cohort_id: int):
    program = load_program(slug)
    cohort = program_row(program, Cohort, cohort_id)
    session = database.session()
    warnings = cohort_warnings(session, cohort)
    if warnings and request.form.get("override") != "yes":
        return render_cohort(program, cohort, override=override_request(warnings), status=409)
    try:
        meeting = approve_cohort(
            session, cohort, actor=current_user.email, coordinator_id=current_user.id, now=utcnow()
        )
        announce_approvals(session, program, [meeting], now=utcnow())
    except ApprovalError as error:
        flash(str(error), "error")
        return redirect(url_for("console.cohort", slug=slug, cohort_id=cohort_id))
    session.commit()
    flash(
        f"Group {cohort.id} approved for {for_reader(meeting.starts_at, program)}. Its Zoom meeting is being "
        "created and the invitations are queued.",
        "success",
    )
    return redirect(url_for("console.cohort", slug=slug, cohort_id=cohort_id))


@blueprint.post("/programs/<slug>/approve")
def approve_all(slug: str):
    """Approve every proposed group that can be; say which could not and why."""
    program = load_program(slug)
    session = database.session()
    proposed = list_proposed_cohorts(session, program)
    if request.form.get("confirm") != "yes":
        people = sum(
            len(row.members) for row in describe_cohorts(session, program, proposed, today=utcnow().date())
        )
        risks = approval_risks(session, program, proposed)
        return render_template(
            "console/approve_all.html", program=program, cohorts=proposed, people=people, risks=risks
        )
    outcome = approve_each_cohort(
        session, proposed, actor=current_user.email, coordinator_id=current_user.id, now=utcnow()
    )
    session.commit()
    flash(f"{len(outcome.approved)} groups approved; their meetings and invitations are queued.", "success")
    for reason in outcome.refused:
        flash(reason, "error")
    return redirect(url_for("console.program", slug=slug))


@blueprint.get("/programs/<slug>/cohorts.csv")
def export_cohorts(slug: str):
    """Every cohort member, one row each, without email addresses (for planning and reports)."""
    program = load_program(slug)
    session = database.session()
    export = cohort_export(session, program, today=utcnow().date())
    audit("console.exported_cohorts", program, cohorts=export.size)
    session.commit()
    return csv_download(f"{program.slug}-cohorts.csv", export.header, export.rows)
