"""`flask match` and `flask cohorts`: proposing cohorts and approving them."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import Cohort, CohortStatus, Program
from app.services.approval import announce_approvals, approve_cohorts
from app.services.proposals import propose_cohorts


def find_program(slug: str) -> Program:
    program = database.session().exec(select(Program).where(Program.slug == slug)).first()
    if program is None:
        raise click.ClickException(f"There is no program {slug!r}.")
    return program


@click.group(help="Propose cohorts with the matcher.")
def match() -> None:
    pass


@match.command("run", help="Propose cohorts for every verified, unplaced registrant of PROGRAM.")
@click.argument("program_slug", metavar="PROGRAM")
@with_appcontext
def run_match(program_slug: str) -> None:
    session = database.session()
    summary = propose_cohorts(session, find_program(program_slug), today=utcnow().date())
    session.commit()
    click.echo(
        f"{summary.registrants} registrants: {summary.placed} placed in {summary.cohorts} cohorts "
        f"({summary.new_cohorts} new, {summary.cohorts_with_host} with a host), "
        f"{sum(summary.waitlisted.values())} on the waitlist."
    )
    for reason, count in sorted(summary.waitlisted.items()):
        click.echo(f"  waitlisted, {reason.replace('_', ' ')}: {count}")


@click.group(help="Review and approve proposed cohorts.")
def cohorts() -> None:
    pass


@cohorts.command(
    help="Approve proposed cohorts of PROGRAM: create their meetings and schedule their messages."
)
@click.argument("program_slug", metavar="PROGRAM")
@click.option("--all", "approve_all", is_flag=True, help="Approve every proposed cohort.")
@click.option("--cohort", "cohort_ids", type=int, multiple=True, help="Approve this cohort (repeatable).")
@with_appcontext
def approve(program_slug: str, approve_all: bool, cohort_ids: tuple[int, ...]) -> None:
    if approve_all == bool(cohort_ids):
        raise click.UsageError("Say which cohorts: --all, or one or more --cohort ID.")
    session = database.session()
    program = find_program(program_slug)
    query = select(Cohort).where(Cohort.program_id == program.id, Cohort.status == CohortStatus.PROPOSED)
    if cohort_ids:
        query = query.where(Cohort.id.in_(cohort_ids))
    chosen = session.exec(query.order_by(Cohort.id)).all()
    missing = set(cohort_ids) - {cohort.id for cohort in chosen}
    if missing:
        raise click.ClickException(
            f"No proposed cohort {', '.join(map(str, sorted(missing)))} in {program.slug}."
        )
    now = utcnow()
    outcome = approve_cohorts(session, list(chosen), actor="cli", now=now)
    if outcome.refused:  # nothing is approved unless all can be: the transaction is not committed
        raise click.ClickException("Nothing was approved.\n" + "\n".join(outcome.refused))
    meetings = outcome.approved
    announce_approvals(session, program, meetings, now=now)
    session.commit()
    click.echo(
        f"Approved {len(meetings)} cohorts; their Zoom meetings and messages are queued for the worker."
    )
