"""A program's host pool: adding and changing hosts, and what becomes of their groups when one stops.

A host who stops (switched off by a coordinator, or by their own "stop hosting" link) leaves the groups they
would still lead: those groups show as without a host, so the coordinator can choose another, and the host's
pending emails are dropped. Their start links no longer start any meeting (see `may_start`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from app.inputs.hosts import HostInput, validate_host
from app.messages.queue import cancel_messages
from app.models import Cohort, CohortStatus, Condition, Coordinator, Host, Meeting, MeetingStatus, Program
from app.services.audit import record_event
from app.services.overview import CohortRow, describe_cohorts
from app.services.programs import record_change as record_program_change
from app.services.zoom_operations import queue_zoom_update


@dataclass(frozen=True)
class HostRow:
    host: Host
    cohorts: list[CohortRow]


@dataclass(frozen=True)
class HostUpdate:
    changed: list[str]
    released: list[CohortRow]


def _check_host(session: Session, program: Program, data: Mapping[str, Any], host: Host | None) -> HostInput:
    """The submitted host, checked against the program's languages, its conditions and its other hosts."""
    return validate_host(
        data,
        languages=program.languages,
        conditions=session.exec(select(Condition.code).where(Condition.program_id == program.id)).all(),
        email_taken=lambda email: _email_taken(session, program, email, host),
    )


def _email_taken(session: Session, program: Program, email: str, host: Host | None) -> bool:
    query = select(Host.id).where(Host.program_id == program.id, Host.email == email)
    if host is not None:
        query = query.where(Host.id != host.id)
    return session.exec(query).first() is not None


def add_host(session: Session, program: Program, data: Mapping[str, Any], *, by: Coordinator) -> Host:
    host = Host(program_id=program.id, **_check_host(session, program, data, None).as_columns())
    session.add(host)
    session.flush()
    record_program_change(session, "host.added", program, by, subject=("host", host.id))
    return host


def update_host(
    session: Session, program: Program, host: Host, data: Mapping[str, Any], *, by: Coordinator, now: datetime
) -> HostUpdate:
    """Apply checked changes. Switching a host off releases the groups they would still lead."""
    columns = _check_host(session, program, data, host).as_columns()
    changed = [name for name, value in columns.items() if getattr(host, name) != value]
    for name in changed:
        setattr(host, name, columns[name])
    session.add(host)
    released = _release_groups(session, program, host, now) if "active" in changed and not host.active else []
    if changed:
        record_program_change(
            session,
            "host.changed",
            program,
            by,
            subject=("host", host.id),
            fields=changed,
            groups_released=[row.cohort.id for row in released],
        )
    return HostUpdate(changed, released)


def stop_hosting(session: Session, host: Host, *, now: datetime) -> list[CohortRow]:
    """The host steps down on their own: switched off, with the groups they would still lead released; the
    program's activity says so."""
    host.active = False
    session.add(host)
    released = _release_groups(session, session.get(Program, host.program_id), host, now)
    record_event(
        session, "host.unsubscribed", actor="host", program_id=host.program_id, subject=("host", host.id),
        groups_released=[row.cohort.id for row in released],
    )  # fmt: skip
    return released


def may_start(session: Session, host: Host | None, meeting: Meeting) -> bool:
    """Only an active host who still leads the meeting's group may start it: a start link outlives hosting."""
    return host is not None and host.active and session.get(Cohort, meeting.cohort_id).host_id == host.id


def _release_groups(session: Session, program: Program, host: Host, now: datetime) -> list[CohortRow]:
    """Take the host off proposed groups and approved groups still to meet; past groups keep their host."""
    cohorts = session.exec(
        select(Cohort)
        .where(Cohort.host_id == host.id, Cohort.status.in_([CohortStatus.PROPOSED, CohortStatus.APPROVED]))
        .order_by(Cohort.id)
    ).all()
    upcoming = _upcoming_meetings(session, [cohort.id for cohort in cohorts], now)
    released = [
        cohort for cohort in cohorts if cohort.status == CohortStatus.PROPOSED or cohort.id in upcoming
    ]
    rows = describe_cohorts(session, program, released, today=now.date())
    for cohort in released:
        cohort.host_id, cohort.version = None, cohort.version + 1
        session.add(cohort)
        for meeting in upcoming.get(cohort.id, []):
            if meeting.zoom_meeting_id:
                queue_zoom_update(session, meeting)  # the host is no longer the meeting's alternative host
    cancel_messages(session, host_id=host.id)
    session.flush()
    return rows


def _upcoming_meetings(session: Session, cohort_ids: list[int], now: datetime) -> dict[int, list[Meeting]]:
    meetings: dict[int, list[Meeting]] = {}
    for meeting in session.exec(
        select(Meeting).where(
            Meeting.cohort_id.in_(cohort_ids),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > now,
        )
    ):
        meetings.setdefault(meeting.cohort_id, []).append(meeting)
    return meetings


def list_host_pool(session: Session, program: Program, *, today: date) -> list[HostRow]:
    """Every host of the program (active first), each with the groups they lead that are not cancelled."""
    hosts = session.exec(
        select(Host).where(Host.program_id == program.id).order_by(Host.active.desc(), Host.display_name)
    ).all()
    cohorts = session.exec(
        select(Cohort)
        .where(Cohort.program_id == program.id, Cohort.host_id.is_not(None))
        .where(Cohort.status != CohortStatus.CANCELLED)
        .order_by(Cohort.id)
    ).all()
    rows = describe_cohorts(session, program, list(cohorts), today=today)
    return [
        HostRow(
            host,
            sorted((row for row in rows if row.cohort.host_id == host.id), key=lambda row: row.starts_at),
        )
        for host in hosts
    ]
