"""The rows the database keeps of those waiting (`Unplaced`) are exactly the verified registrants in no live
group, with their reason and confirmation time, after every kind of change that adds, moves or removes a
place, changes a group's status or a registrant's status or reason: registering and confirming, proposals
written in bulk, approval, a coordinator's join, move and waitlisting, leaving, pausing, withdrawing,
erasure, a group cancelled or restored, merge and split, a re-run that tops groups up, and places removed by
a cascade or by a statement no service wrote.
"""

from __future__ import annotations

from sqlalchemy import delete, text
from sqlmodel import select

from app.database import utcnow
from app.demo import seed_demo
from app.models import Cohort, CohortMember, CohortStatus, Participant, ParticipantStatus, Unplaced
from app.services.adjustments.cohort_edits import merge_cohorts, split_cohort
from app.services.adjustments.moves import move_member
from app.services.approval import approve_cohorts
from app.services.erasure import erase_participants
from app.services.leaving import release_place
from app.services.meeting_changes.cancellation import cancel_cohort
from app.services.proposals import propose_cohorts
from app.services.selfservice import pause_participant, resume_participant, withdraw_participant

from .conftest import members_of


def _truth(session, program) -> dict[int, tuple]:
    """The verified registrants in no group that is not cancelled, from the memberships themselves."""
    live = select(Cohort.id).where(Cohort.status != CohortStatus.CANCELLED)
    members = set(session.exec(select(CohortMember.participant_id).where(CohortMember.cohort_id.in_(live))))
    people = session.exec(select(Participant).where(Participant.program_id == program.id))
    return {
        person.id: (person.program_id, person.waitlist_reason, person.verified_at)
        for person in people
        if person.status == ParticipantStatus.VERIFIED and person.id not in members
    }


def _kept(session) -> dict[int, tuple]:
    rows = session.exec(select(Unplaced)).all()
    return {row.participant_id: (row.program_id, row.waitlist_reason, row.verified_at) for row in rows}


def _cohorts(session, program, status=CohortStatus.PROPOSED) -> list[Cohort]:
    return list(
        session.exec(
            select(Cohort).where(Cohort.program_id == program.id, Cohort.status == status).order_by(Cohort.id)
        )
    )


def _waiting(session, program) -> list[Participant]:
    return list(
        session.exec(
            select(Participant)
            .where(Participant.program_id == program.id, Participant.status == ParticipantStatus.VERIFIED)
            .where(Participant.id.not_in(select(CohortMember.participant_id)))
            .order_by(Participant.id)
        )
    )


def test_the_place_marker_follows_every_kind_of_change(db_session):
    session = db_session
    program = seed_demo(session, registrants=120)
    condition = session.exec(
        select(Participant.condition_id).where(Participant.program_id == program.id)
    ).first()
    now = utcnow()
    changes = []

    def check(what: str) -> None:
        session.flush()
        session.expire_all()
        truth = _truth(session, program)
        assert _kept(session) == truth, what
        changes.append(len(truth))

    check("seeded")
    newcomer = Participant(
        program_id=program.id, email="newcomer@example.org", display_name="Newcomer", condition_id=condition,
        timezone="Europe/Madrid", consent_version="1", languages=["en"],
    )  # fmt: skip
    session.add(newcomer)
    check("registered, not yet confirmed")
    newcomer.status, newcomer.verified_at = ParticipantStatus.VERIFIED, now
    check("confirmed")
    propose_cohorts(session, program, today=now.date())
    check("proposed")
    first, second, third, fourth, fifth, *_ = _cohorts(session, program)
    approve_cohorts(session, [fifth], actor="test", now=now)
    check("approved")

    outsider, other_outsider, *_ = _waiting(session, program)
    move_member(session, outsider, first, actor="test", override=True, now=now)
    check("joined")
    move_member(session, outsider, second, actor="test", override=True, now=now)
    check("moved")
    move_member(session, outsider, None, actor="test", override=True, now=now)
    check("moved to the waitlist")
    release_place(session, members_of(session, first)[0], now=now)
    check("left")
    paused = _waiting(session, program)[0]
    pause_participant(session, paused)
    check("paused while waiting")
    resume_participant(session, paused)
    check("resumed")
    withdraw_participant(session, members_of(session, first)[0])
    check("withdrew")
    erase_participants(session, [members_of(session, fifth)[0]], actor="test", now=now)
    check("erased")

    split_cohort(
        session, second, [member.id for member in members_of(session, second)[:2]],
        expected_version=second.version, actor="test", override=True,
    )  # fmt: skip
    check("split")
    merge_cohorts(
        session, third, fourth, expected_versions={third.id: third.version, fourth.id: fourth.version},
        actor="test", override=True, now=now,
    )  # fmt: skip
    check("merged: the other group cancelled, its members moved")
    cancel_cohort(session, fifth, actor="test", now=now)
    check("an approved group cancelled")

    kept = members_of(session, third)
    third.status = CohortStatus.CANCELLED
    check("a group's status set to cancelled with its members kept")
    third.status = CohortStatus.PROPOSED
    check("a cancelled group restored")

    session.add(CohortMember(cohort_id=first.id, participant_id=other_outsider.id))
    check("a place added by the ORM")
    session.delete(first)
    check("a group deleted: its places go by the database's cascade")
    session.execute(delete(CohortMember).where(CohortMember.participant_id == kept[0].id))
    moved = text("UPDATE cohortmember SET cohort_id = :to WHERE cohort_id = :of")
    session.execute(moved, {"to": fifth.id, "of": third.id})
    check("places moved by a plain statement into a cancelled group")
    session.execute(moved, {"to": second.id, "of": fifth.id})
    check("places removed and moved by plain statements")
    propose_cohorts(session, program, today=now.date())
    check("proposed again: groups topped up and new ones formed")
    session.delete(newcomer)
    check("a registrant deleted")
    # Each step changed who has a place, or (approval, restoring) was to change nothing and did not.
    assert len(set(changes)) > 8
