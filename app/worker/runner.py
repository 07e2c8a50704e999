"""Running due work: once (for `flask worker --once` and tests), or for ever on an APScheduler schedule."""

from __future__ import annotations

import functools
import logging
import os
import signal
import socket
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.database import database_error_reason, utcnow
from app.messages.dispatch import dispatch_due_messages
from app.messages.senders import mail_sender, text_sender
from app.messages.text_dispatch import dispatch_due_texts
from app.messages.text_prices import ask_prices
from app.services.absence import ask_absent_members, pause_unanswered
from app.services.retention import erase_expired_programs
from app.services.waiting import tell_everyone_waiting_long
from app.worker.match_work import run_due_match_runs
from app.worker.zoom_work import plan_zoom_creates, run_due_zoom_operations
from app.zoom import zoom_client

POLL_SECONDS = 10
# The most Zoom calls and messages one turn carries out before the other kind of work has its turn.
ZOOM_TURN = 20
MAIL_TURN = 50
TEXT_TURN = 10  # texts go one a second, so a turn of them is short
RETENTION_SECONDS = 3600
FOLLOW_UP_SECONDS = 600
logger = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def plan_zoom_work(app: Flask, now: datetime | None = None) -> None:
    """Give the meeting creates still to make their days within Zoom's daily limits."""
    with app.app_context(), Session(app.extensions["engine"], expire_on_commit=False) as session:
        plan_zoom_creates(session, now=now or utcnow(), daily_limit=app.config["SETTINGS"].zoom_daily_limit)


def run_zoom_work(app: Flask, now: datetime | None = None, *, most: int | None = None) -> Counter[str]:
    """The due Zoom calls (up to `most`: a turn)."""
    with app.app_context(), Session(app.extensions["engine"], expire_on_commit=False) as session:
        return run_due_zoom_operations(
            session, zoom_client(), now=now or utcnow(), worker=worker_name(),
            daily_limit=app.config["SETTINGS"].zoom_daily_limit, most=most,
        )  # fmt: skip


def run_mail_work(app: Flask, now: datetime | None = None, *, most: int | None = None) -> Counter[str]:
    """The due messages (up to about `most`: a turn)."""
    with app.app_context(), Session(app.extensions["engine"], expire_on_commit=False) as session:
        return dispatch_due_messages(
            session,
            mail_sender(),
            mail_from=app.config["SETTINGS"].mail_from,
            now=now or utcnow(),
            worker=worker_name(),
            most=most,
        )


def run_text_work(app: Flask, now: datetime | None = None, *, most: int | None = None) -> Counter[str]:
    """The due texts (up to about `most`: a turn)."""
    with app.app_context(), Session(app.extensions["engine"], expire_on_commit=False) as session:
        now, sender = now or utcnow(), text_sender()
        done = dispatch_due_texts(session, sender, now=now, worker=worker_name(), most=most)
        if sender is not None:
            done["priced"] += ask_prices(session, sender.client, now=now)
        return +done


def run_due_work(app: Flask, now: datetime | None = None) -> dict[str, Counter[str]]:
    """Zoom calls, emails and texts in turns, bounded each, until none has anything due: a thousand meetings
    waiting for Zoom never hold back an invitation whose meeting exists, nor does mail hold back Zoom. Zoom
    goes first in each turn, so a meeting created in it has its invitations sent in the same turn. The
    creates are planned once, before the turns."""
    plan_zoom_work(app, now)
    done: dict[str, Counter[str]] = {"zoom": Counter(), "mail": Counter(), "text": Counter()}
    while True:
        turn = {
            "zoom": run_zoom_work(app, now, most=ZOOM_TURN),
            "mail": run_mail_work(app, now, most=MAIL_TURN),
            "text": run_text_work(app, now, most=TEXT_TURN),
        }
        for work, outcomes in turn.items():
            done[work] += outcomes
        if not any(turn.values()):
            return done


def run_match_work(app: Flask, now: datetime | None = None) -> Counter[str]:
    engine = app.extensions["engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        return run_due_match_runs(session, engine, now=now or utcnow(), worker=worker_name())


def run_retention_work(app: Flask, now: datetime | None = None) -> Counter[str]:
    with app.app_context(), Session(app.extensions["engine"], expire_on_commit=False) as session:
        erased = erase_expired_programs(session, now=now or utcnow())
        session.commit()
    counts = Counter(
        participants_erased=sum(e.participants for e in erased), hosts_erased=sum(e.hosts for e in erased)
    )
    return +counts  # only what happened


def run_follow_up_work(app: Flask, now: datetime | None = None) -> Counter[str]:
    """Messages no row is due for yet: to people waiting long for a group, to members who missed meetings
    without a word (and pausing those who did not answer them)."""
    now = now or utcnow()
    with app.app_context(), Session(app.extensions["engine"], expire_on_commit=False) as session:
        counts = Counter(
            waiting_told=tell_everyone_waiting_long(session, now=now),
            paused_without_answer=pause_unanswered(session, now=now),
            asked_about_absence=ask_absent_members(session, now=now),
        )
        session.commit()
    return +counts


def run_once(app: Flask, now: datetime | None = None) -> dict[str, Counter[str]]:
    """Everything due at `now`."""
    match, follow_up = run_match_work(app, now), run_follow_up_work(app, now)
    return {
        "match": match,
        "follow_up": follow_up,
        **run_due_work(app, now),
        "retention": run_retention_work(app, now),
    }


def _polled(job: Callable[[Flask], object]) -> Callable[[Flask], None]:
    """`job` as the scheduler runs it: while the database is away (a restart, a failover) each poll says so
    in one line and the next poll tries again. Other errors reach the scheduler, which logs them with their
    traceback; either way the schedule goes on."""

    @functools.wraps(job)
    def poll(app: Flask) -> None:
        try:
            job(app)
        except OperationalError as error:
            logger.warning(
                "%s: the database does not answer, trying again at the next poll (%s)",
                job.__name__,
                database_error_reason(error),
            )

    return poll


def run_forever(app: Flask, poll_seconds: float = POLL_SECONDS) -> None:
    """Poll for due work until stopped. Each job runs in one thread at a time; a late run is not doubled."""
    scheduler = BlockingScheduler(timezone="UTC")
    jobs = ((run_match_work, poll_seconds), (run_due_work, poll_seconds))
    for job, seconds in (
        *jobs,
        (run_follow_up_work, FOLLOW_UP_SECONDS),
        (run_retention_work, RETENTION_SECONDS),
    ):
        scheduler.add_job(
            _polled(job), "interval", seconds=seconds, args=[app], id=job.__name__,
            max_instances=1, coalesce=True, next_run_time=utcnow(),
        )  # fmt: skip
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=True))
    scheduler.start()
