"""Keep-apart requests: someone asks, privately, not to be grouped again with a member of their group, or a
coordinator records it for them; the one who asked may withdraw it from their page, and a coordinator may
remove it from the group's page.

A request is written to the asker's own `avoid` list only. The matcher, the rule checks and the backfill all
read avoid either way round (one side asking keeps both apart), so writing it on one side is enough, and the
rule's warning on the console still names who asked. The other person is never told and nothing on their
side changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.models import Cohort, CohortMember, CohortStatus, MeetingRegistrant, Participant, ParticipantStatus
from app.services.audit import record_event


class KeepApartError(ValueError):
    """The person named is not someone the asker may name (not in their group, or themselves), or there is
    no such request to withdraw."""


@dataclass(frozen=True)
class GroupMate:
    """A member of the asker's group as the asker may see them: a display name, and whether they already
    asked to be kept apart."""

    id: int
    display_name: str
    kept_apart: bool


def group_mates(session: Session, participant: Participant) -> list[GroupMate]:
    """The people this participant is or was in an approved group with, by display name, for choosing whom
    to be kept apart from: the members of their approved group, and everyone registered for a meeting they
    were registered for (a group cancelled or left since). A group still being reviewed names no one."""
    current = (
        select(CohortMember.participant_id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(Cohort.status == CohortStatus.APPROVED)
        .where(CohortMember.cohort_id.in_(_cohort_of(participant)))
    )
    met = select(MeetingRegistrant.participant_id).where(
        MeetingRegistrant.meeting_id.in_(
            select(MeetingRegistrant.meeting_id).where(MeetingRegistrant.participant_id == participant.id)
        )
    )
    rows = session.exec(
        select(Participant.id, Participant.display_name)
        .where(Participant.id.in_(current.union(met)), Participant.id != participant.id)
        .where(Participant.status != ParticipantStatus.ERASED)
        .order_by(Participant.display_name, Participant.id)
    ).all()
    return [GroupMate(other, name, other in participant.avoid) for other, name in rows]


@dataclass(frozen=True)
class KeptApart:
    """A request of a member of a group, as its console page lists it: who asked, not to meet whom."""

    asker_id: int
    asker: str
    other_id: int
    other: str


def requests_in(session: Session, cohort: Cohort) -> list[KeptApart]:
    """The keep-apart requests the cohort's members made (or a coordinator made for them), by display name;
    the other person may be in another group now."""
    askers = session.exec(
        select(Participant)
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(Participant.display_name, Participant.id)
    ).all()
    others = dict(
        session.exec(
            select(Participant.id, Participant.display_name).where(
                Participant.id.in_({other for asker in askers for other in asker.avoid}),
                Participant.status != ParticipantStatus.ERASED,
            )
        ).all()
    )
    return [
        KeptApart(asker.id, asker.display_name, other, others[other])
        for asker in askers
        for other in asker.avoid
        if other in others
    ]


def _cohort_of(participant: Participant):
    return select(CohortMember.cohort_id).where(CohortMember.participant_id == participant.id)


def keep_apart(session: Session, participant: Participant, other_id: int, *, actor: str) -> None:
    """Record that `participant` asks, from their own page, not to be grouped again with one of their
    group mates."""
    if other_id not in {mate.id for mate in group_mates(session, participant)}:
        raise KeepApartError("That person is not in this group.")
    _record(session, participant, other_id, actor=actor, coordinator_id=None)


def record_for_member(
    session: Session,
    cohort: Cohort,
    participant: Participant,
    other_id: int,
    *,
    actor: str,
    coordinator_id: int,
) -> None:
    """A coordinator records, for a member of `cohort` (proposed or approved), a request not to be grouped
    again with another of its members."""
    members = _members(session, cohort)
    if participant.id not in members or other_id not in members - {participant.id}:
        raise KeepApartError("That person is not in this group.")
    _record(session, participant, other_id, actor=actor, coordinator_id=coordinator_id)


def withdraw_keep_apart(session: Session, participant: Participant, other_id: int, *, actor: str) -> None:
    """The participant withdraws, from their own page, a request not to be grouped again with someone: the
    matcher may group them together again. The other person was never told, and is not told now."""
    _withdraw(session, participant, other_id, actor=actor, coordinator_id=None)


def remove_for_member(
    session: Session,
    cohort: Cohort,
    participant: Participant,
    other_id: int,
    *,
    actor: str,
    coordinator_id: int,
) -> None:
    """A coordinator removes the request a member of `cohort` made (or that was recorded for them)."""
    if participant.id not in _members(session, cohort):
        raise KeepApartError("That person is not in this group.")
    _withdraw(session, participant, other_id, actor=actor, coordinator_id=coordinator_id)


def _members(session: Session, cohort: Cohort) -> set[int]:
    return set(session.exec(select(CohortMember.participant_id).where(CohortMember.cohort_id == cohort.id)))


def _record(
    session: Session, participant: Participant, other_id: int, *, actor: str, coordinator_id: int | None
) -> None:
    if other_id not in participant.avoid:
        participant.avoid = [*participant.avoid, other_id]
        session.add(participant)
    _audit(session, "participant.keep_apart", participant, other_id, actor, coordinator_id)


def _withdraw(
    session: Session, participant: Participant, other_id: int, *, actor: str, coordinator_id: int | None
) -> None:
    if other_id not in participant.avoid:
        raise KeepApartError("There is no such request.")
    participant.avoid = [kept for kept in participant.avoid if kept != other_id]
    session.add(participant)
    _audit(session, "participant.keep_apart_withdrawn", participant, other_id, actor, coordinator_id)


def _audit(
    session: Session,
    action: str,
    participant: Participant,
    other_id: int,
    actor: str,
    coordinator_id: int | None,
) -> None:
    """Both people by id only (`members`), which erasing either of them clears."""
    record_event(
        session, action, actor=actor, coordinator_id=coordinator_id, program_id=participant.program_id,
        subject=("participant", participant.id), members=[participant.id, other_id],
    )  # fmt: skip
    session.flush()
