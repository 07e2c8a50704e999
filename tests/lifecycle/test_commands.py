"""The documented commands (docs/interfaces.md), end to end on the demo: match, approve, and the worker
carrying it all out."""

from collections import defaultdict

from sqlmodel import func, select

from app import database
from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    Meeting,
    MessageStatus,
    OutboundMessage,
    Participant,
)


def _count(app, statement) -> int:
    with app.app_context():
        return database.session().exec(statement).one()


def test_match_then_approve_then_worker_on_the_demo(app, runner, zoom, mailbox):
    assert runner.invoke(args=["demo", "seed", "--registrants", "250"]).exit_code == 0
    matched = runner.invoke(args=["match", "run", "demo"])
    assert matched.exit_code == 0, matched.output
    assert "250 registrants" in matched.output and "placed in" in matched.output
    proposed = _count(
        app, select(func.count()).select_from(Cohort).where(Cohort.status == CohortStatus.PROPOSED)
    )
    assert proposed >= 10

    approved = runner.invoke(args=["cohorts", "approve", "demo", "--all"])
    assert approved.exit_code == 0, approved.output
    assert _count(app, select(func.count()).select_from(Meeting)) == proposed
    queued = _count(app, select(func.count()).select_from(OutboundMessage))
    placed = _count(
        app, select(func.count()).select_from(Participant).where(Participant.waitlist_reason.is_(None))
    )
    assert queued >= 4 * placed

    worked = runner.invoke(args=["worker", "--once"])
    assert worked.exit_code == 0, worked.output
    assert "zoom:" in worked.output and "mail:" in worked.output
    assert zoom.count("meeting_creates") == proposed
    assert zoom.count("token_requests") == 1
    sent = _count(
        app,
        select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == MessageStatus.SENT),
    )
    assert sent == len(mailbox.messages()) >= placed


def test_rerunning_the_matcher_keeps_approved_cohorts(app, runner, zoom):
    runner.invoke(args=["demo", "seed", "--registrants", "120"])
    runner.invoke(args=["match", "run", "demo"])
    runner.invoke(args=["cohorts", "approve", "demo", "--all"])
    before = _count(app, select(func.count()).select_from(Cohort))
    again = runner.invoke(args=["match", "run", "demo"])
    assert again.exit_code == 0, again.output
    assert _count(app, select(func.count()).select_from(Cohort)) == before


def test_proposing_again_on_an_unchanged_program_changes_nothing(app, runner):
    runner.invoke(args=["demo", "seed", "--registrants", "120"])
    runner.invoke(args=["match", "run", "demo"])
    before = _proposals(app)
    cohorts, members, standings = before
    assert cohorts and members and any(reason for _, reason, _ in standings)

    again = runner.invoke(args=["match", "run", "demo"])
    assert again.exit_code == 0, again.output
    assert f"{len(cohorts)} cohorts (0 new" in again.output
    assert _proposals(app) == before


def _proposals(app) -> tuple[list, list, list]:
    """Every proposed cohort, every place in one, and every registrant's waitlist reason and its detail."""
    with app.app_context():
        session = database.session()
        return (
            session.exec(
                select(Cohort.id, Cohort.slot, Cohort.host_id, Cohort.version).order_by(Cohort.id)
            ).all(),
            session.exec(
                select(CohortMember.cohort_id, CohortMember.participant_id).order_by("participant_id")
            ).all(),
            session.exec(
                select(Participant.id, Participant.waitlist_reason, Participant.waitlist_detail).order_by(
                    Participant.id
                )
            ).all(),
        )


def test_people_unsure_of_their_stage_are_placed_with_people_who_know_theirs(app, runner):
    runner.invoke(args=["demo", "seed", "--registrants", "60"])
    with app.app_context():
        session = database.session()
        for person in session.exec(select(Participant).where(Participant.id % 2 == 1)):
            person.stage_id = None
        session.commit()
    result = runner.invoke(args=["match", "run", "demo"])
    assert result.exit_code == 0, result.output
    assert "stage unknown" not in result.output
    with app.app_context():
        members = database.session().exec(
            select(CohortMember.cohort_id, Participant.stage_id).join(
                Participant, Participant.id == CohortMember.participant_id
            )
        )
        unsure = defaultdict(set)  # cohort -> whether each of its members is unsure of their stage
        for cohort_id, stage_id in members:
            unsure[cohort_id].add(stage_id is None)
    assert {True, False} in unsure.values()


def test_commands_explain_mistakes(runner):
    assert "no program 'nope'" in runner.invoke(args=["match", "run", "nope"]).output
    runner.invoke(args=["demo", "seed"])
    assert "Say which cohorts" in runner.invoke(args=["cohorts", "approve", "demo"]).output
    assert "not an ISO 8601" in runner.invoke(args=["worker", "--once", "--now", "tomorrow"]).output
