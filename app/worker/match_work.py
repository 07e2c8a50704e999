"""Carrying out queued match runs (proposing cohorts for large programs)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from app.claims import Queue, claim_due, still_claimed_by
from app.models import MatchRun, MatchRunStatus
from app.services.match_runs import carry_out_run

MATCH_QUEUE = Queue(MatchRun, "created_at", MatchRunStatus.QUEUED, MatchRunStatus.RUNNING)
# A run is matched again if its worker vanished; a run that brought down its worker this often is given up.
MAX_ATTEMPTS = 3
LEASE = timedelta(minutes=15)
logger = logging.getLogger(__name__)


def run_due_match_runs(session: Session, engine: Engine, *, now: datetime, worker: str) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    while claimed := claim_due(session, MATCH_QUEUE, now=now, worker=worker, limit=1, lease=LEASE):
        for run in still_claimed_by(session, MATCH_QUEUE, claimed, worker):
            outcomes[_run(session, engine, run, now)] += 1
    return outcomes


def _run(session: Session, engine: Engine, run: MatchRun, now: datetime) -> str:
    if run.attempts > MAX_ATTEMPTS:
        return _fail(session, run, now, "Matching stopped several times before it could finish.")
    try:
        carry_out_run(session, engine, run, now=now)
        session.commit()
    except Exception as error:
        # Whatever went wrong, the coordinator must see the run failed rather than wait for ever.
        logger.exception("Match run %s failed", run.id)
        session.rollback()
        return _fail(session, session.get(MatchRun, run.id), now, f"Matching failed: {error}")
    return "done"


def _fail(session: Session, run: MatchRun, now: datetime, reason: str) -> str:
    run.status, run.error, run.finished_at = MatchRunStatus.FAILED, reason[:2000], now
    session.add(run)
    session.commit()
    return "failed"
