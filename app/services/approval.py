"""Approving cohorts: each one's first meeting, on a Zoom user free for it, set up with every message on its
schedule (see `app.services.meeting_setup`).

All of it is written in the caller's transaction; the worker carries the Zoom calls and messages out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from app.bulk import in_batches, insert_rows, rows_by
from app.models import (
    Cohort,
    CohortStatus,
    Host,
    Meeting,
    Program,
)
from app.reading_zone import written
from app.services.audit import event_row, record_events
from app.services.hostless_meetings import tell_coordinators_to_open
from app.services.meeting_setup import Queued, meeting_row, members_of_cohorts, queue_meeting_rows
from app.services.scheduling import slot_start
from app.services.waiting import tell_waiting
from app.services.zoom_diary import ZoomDiary
from app.services.zoom_placement import open_diary, own_zoom_user, place_in
from app.services.zoom_pool import ZoomPoolError


class ApprovalError(ValueError):
    """The cohort cannot be approved as it is; the message says why."""


def approve_cohort(
    session: Session, cohort: Cohort, *, actor: str, coordinator_id: int | None = None, now: datetime
) -> Meeting:
    """Approve one proposed cohort (see `approve_cohorts`); `ApprovalError` says why it cannot be."""
    outcome = approve_cohorts(session, [cohort], actor=actor, coordinator_id=coordinator_id, now=now)
    if outcome.refused:
        raise ApprovalError(outcome.refused[0])
    return outcome.approved[0]


@dataclass(frozen=True)
class Approvals:
    approved: list[Meeting]
    refused: list[str]  # why each cohort that could not be approved was not


def approve_each_cohort(
    session: Session, cohorts: list[Cohort], *, actor: str, coordinator_id: int | None = None, now: datetime
) -> Approvals:
    """Approve every cohort that can be (see `approve_cohorts`), then tell those the match left waiting."""
    outcome = approve_cohorts(session, cohorts, actor=actor, coordinator_id=coordinator_id, now=now)
    if outcome.approved:
        announce_approvals(session, session.get(Program, cohorts[0].program_id), outcome.approved, now=now)
    return outcome


def approve_cohorts(
    session: Session, cohorts: list[Cohort], *, actor: str, coordinator_id: int | None = None, now: datetime
) -> Approvals:
    """Approve every proposed cohort that can be: its first meeting, set up with all it needs queued (see
    `queue_meeting_rows`). One that cannot is left as it was, and why is in `refused`; the others are
    approved all the same.

    Set-based, so a program of thousands of groups costs a few statements of each kind, not a dozen per
    group: the cohorts are held and read afresh in one (of two coordinators approving at once, the second
    sees the first's approvals), their members and hosts in one each, each pool's meetings once (see
    `open_diary`), and every meeting, event, message and Zoom call is written together."""
    cohorts = _held(session, cohorts)
    run, refused = _Run(session, cohorts, now), []
    for cohort in in_meeting_order(cohorts, run.starts):
        try:
            run.plan(cohort)
        except ApprovalError as error:
            refused.append(str(error))
    return Approvals(run.write(actor=actor, coordinator_id=coordinator_id), refused)


def announce_approvals(session: Session, program: Program, approved: list[Meeting], *, now: datetime) -> None:
    """After groups are approved: tell those the match left waiting, and the coordinators which of the new
    meetings have no host for them to open."""
    tell_waiting(session, program, now=now)
    tell_coordinators_to_open(session, program, approved, now=now)


def in_meeting_order(cohorts: list[Cohort], starts: dict[int, datetime]) -> list[Cohort]:
    """The cohorts by when their first meetings start. Placed on the Zoom pool in this order, meetings fill
    each user's day from its start, and every meeting the matcher let meet (no hour holding more meetings
    than the pool runs at once) finds a user free; in another order gaps can open that none fits."""
    return sorted(cohorts, key=lambda cohort: (starts[cohort.id], cohort.id))


class _Run:
    """One approval of many cohorts: what it reads once for them all, and the meetings it plans."""

    def __init__(self, session: Session, cohorts: list[Cohort], now: datetime) -> None:
        self.session, self.now = session, now
        self.programs = {cohort.program_id: session.get(Program, cohort.program_id) for cohort in cohorts}
        self.starts = {
            cohort.id: slot_start(self.programs[cohort.program_id], cohort.slot, now.date())
            for cohort in cohorts
        }
        self.members = members_of_cohorts(session, [cohort.id for cohort in cohorts])
        self.hosts = _hosts_of(session, cohorts)
        self.planned: list[tuple[Cohort, dict[str, Any]]] = []  # each with its meeting, to be written
        self._diaries: dict[int, ZoomDiary] = {}

    def plan(self, cohort: Cohort) -> None:
        """Plan the cohort's first meeting, with a Zoom user to hold it; `ApprovalError` says why there can
        be none."""
        if cohort.status != CohortStatus.PROPOSED:
            raise ApprovalError(f"Group {cohort.id} is {cohort.status}, so it cannot be approved.")
        if not self.members.get(cohort.id):
            raise ApprovalError(f"Group {cohort.id} has no members.")
        program, starts_at = self.programs[cohort.program_id], self.starts[cohort.id]
        if starts_at <= self.now:
            raise ApprovalError(f"Group {cohort.id}'s meeting time, {written(starts_at)}, has passed.")
        meeting = meeting_row(program, cohort, number=1, starts_at=starts_at)
        ends_at = starts_at + timedelta(minutes=program.meeting_minutes)
        own = own_zoom_user(self.hosts.get(cohort.host_id))
        try:
            meeting["zoom_user"] = place_in(self._diary(program.id), starts_at, ends_at, own=own)
        except ZoomPoolError as error:
            raise ApprovalError(f"Group {cohort.id} cannot meet then: {error}") from None
        self.planned.append((cohort, meeting))

    def write(self, *, actor: str, coordinator_id: int | None) -> list[Meeting]:
        """Approve the planned cohorts and write their meetings, then every message, Zoom call and event;
        the meetings."""
        rows = [meeting for _, meeting in self.planned]
        insert_rows(self.session, Meeting, rows)
        meetings = rows_by(self.session, Meeting.calendar_uid, [row["calendar_uid"] for row in rows])
        for cohort, _ in self.planned:
            cohort.status, cohort.approved_at = CohortStatus.APPROVED, self.now
            cohort.version += 1
        queued, events = Queued(), []
        for (cohort, _), meeting in zip(self.planned, meetings, strict=True):
            program, members = self.programs[cohort.program_id], self.members[cohort.id]
            host = self.hosts.get(cohort.host_id)
            queue_meeting_rows(queued, program, meeting, members, host, now=self.now)
            events.append(event_row(
                "cohort.approved", actor=actor, coordinator_id=coordinator_id, program_id=program.id,
                subject=("cohort", cohort.id), meeting_id=meeting.id, members=len(members),
            ))  # fmt: skip
        queued.write(self.session)
        record_events(self.session, events)
        return meetings

    def _diary(self, program_id: int) -> ZoomDiary:
        """The program's pool and its meetings around all of this run's (read when first needed)."""
        if program_id not in self._diaries:
            program, starts = self.programs[program_id], list(self.starts.values())
            last_end = max(starts) + timedelta(minutes=program.meeting_minutes)
            self._diaries[program_id] = open_diary(
                self.session, program, between=(min(starts), last_end),
                also=[own_zoom_user(host) for host in self.hosts.values()], now=self.now,
            )  # fmt: skip
        return self._diaries[program_id]


def _held(session: Session, cohorts: list[Cohort]) -> list[Cohort]:
    """The cohorts read afresh and held until the commit (see `app.services.locks.hold`), in one order, so
    two approvals at once never each hold what the other waits for."""
    session.flush()
    held = []
    for batch in in_batches(sorted({cohort.id for cohort in cohorts})):
        statement = select(Cohort).where(Cohort.id.in_(batch)).order_by(Cohort.id).with_for_update()
        held += session.exec(statement.execution_options(populate_existing=True)).all()
    return held


def _hosts_of(session: Session, cohorts: list[Cohort]) -> dict[int, Host]:
    ids = {cohort.host_id for cohort in cohorts if cohort.host_id}
    return {host.id: host for host in session.exec(select(Host).where(Host.id.in_(ids)))} if ids else {}
