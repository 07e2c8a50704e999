"""Proposing cohorts from the console: at once for a small program, in the worker for a large one.

A large run is a `MatchRun` row the worker claims like any other due work; while the matcher runs, its
progress is written to the row on a connection of its own, so the console can show it before the run's
own transaction commits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from app.models import MatchRun, MatchRunStatus, Participant, ParticipantStatus, Program
from app.services.audit import record_event
from app.services.proposals import ProposalSummary, propose_cohorts

# Above this many verified registrants, matching goes to the worker so no web request waits for it.
INLINE_LIMIT = 2000
PROGRESS_INTERVAL_SECONDS = 0.5
OPEN_STATUSES = (MatchRunStatus.QUEUED, MatchRunStatus.RUNNING)


class MatchRunError(ValueError):
    """Matching cannot start now; the message says why."""


def request_proposals(
    session: Session,
    program: Program,
    *,
    actor: str,
    coordinator_id: int | None,
    today: date,
    inline_limit: int = INLINE_LIMIT,
) -> ProposalSummary | MatchRun:
    """Propose cohorts now when the program is small; otherwise queue a run for the worker and return it."""
    if open_run(session, program) is not None:
        raise MatchRunError(
            "Cohorts are already being proposed for this program; wait for that run to finish."
        )
    if _verified_count(session, program) <= inline_limit:
        summary = propose_cohorts(session, program, today=today)
        _audit(session, program, actor, coordinator_id, summary=summary.as_dict())
        return summary
    run = MatchRun(program_id=program.id, requested_by=actor)
    session.add(run)
    session.flush()
    _audit(session, program, actor, coordinator_id, match_run=run.id)
    return run


def open_run(session: Session, program: Program) -> MatchRun | None:
    return session.exec(
        select(MatchRun).where(MatchRun.program_id == program.id, MatchRun.status.in_(OPEN_STATUSES))
    ).first()


def latest_run(session: Session, program: Program) -> MatchRun | None:
    return session.exec(
        select(MatchRun).where(MatchRun.program_id == program.id).order_by(MatchRun.id.desc())
    ).first()


def carry_out_run(session: Session, engine: Engine, run: MatchRun, *, now: datetime) -> None:
    """Propose the cohorts a queued run asks for and record the outcome on it."""
    program = session.get(Program, run.program_id)
    summary = propose_cohorts(
        session, program, today=now.date(), on_progress=_progress_writer(engine, run.id)
    )
    run.status, run.summary, run.finished_at = MatchRunStatus.DONE, summary.as_dict(), now
    run.stage, run.done = "finished", run.total
    session.add(run)


def _progress_writer(engine: Engine, run_id: int) -> Callable[[str, int, int], None]:
    """A matcher progress callback that writes to the run's row at most twice a second."""
    last_written = 0.0

    def write(stage: str, done: int, total: int) -> None:
        nonlocal last_written
        if time.monotonic() - last_written < PROGRESS_INTERVAL_SECONDS and done < total:
            return
        last_written = time.monotonic()
        with engine.begin() as connection:
            connection.execute(
                update(MatchRun).where(MatchRun.id == run_id).values(stage=stage, done=done, total=total)
            )

    return write


def _verified_count(session: Session, program: Program) -> int:
    return len(
        session.exec(
            select(Participant.id).where(
                Participant.program_id == program.id, Participant.status == ParticipantStatus.VERIFIED
            )
        ).all()
    )


def _audit(session: Session, program: Program, actor: str, coordinator_id: int | None, **detail) -> None:
    record_event(
        session,
        "cohorts.proposed",
        actor=actor,
        coordinator_id=coordinator_id,
        program_id=program.id,
        **detail,
    )
