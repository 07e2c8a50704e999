"""Claiming due rows atomically, so two workers never work on the same row.

One UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING claims a batch: on PostgreSQL the
SKIP LOCKED sub-select lets concurrent workers take disjoint batches without waiting; on SQLite, which
ignores FOR UPDATE, the single statement is atomic because SQLite lets one writer in at a time.

A claim is a lease: a row left claimed longer than `lease` (its worker died between claim and finish) is
claimed again by the next worker, so a crash loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session, SQLModel

DEFAULT_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Queue:
    """How one kind of work is kept in its table: which column says when it is due, and its statuses;
    `scope`, conditions on its rows when the table holds more than one kind of work (emails and texts)."""

    model: type[SQLModel]
    due_column: str
    waiting: str
    working: str
    scope: tuple[Any, ...] = field(default=(), compare=False)

    def column(self, name: str):
        return getattr(self.model, name)


def claim_due(
    session: Session,
    queue: Queue,
    *,
    now: datetime,
    worker: str,
    limit: int,
    lease: timedelta = DEFAULT_LEASE,
) -> list[int]:
    """Claim up to `limit` rows due at `now` for `worker`, raise their attempt count, and commit the claim."""
    status, claimed_at = queue.column("status"), queue.column("claimed_at")
    due = or_(
        and_(status == queue.waiting, queue.column(queue.due_column) <= now),
        and_(status == queue.working, claimed_at < now - lease),
    )
    candidates = (
        select(queue.column("id"))
        .where(due, *queue.scope)
        .order_by(queue.column(queue.due_column), queue.column("id"))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(queue.model)
        .where(queue.column("id").in_(candidates.scalar_subquery()))
        .values(
            status=queue.working, claimed_at=now, claimed_by=worker, attempts=queue.column("attempts") + 1
        )
        .returning(queue.column("id"))
    )
    claimed = sorted(session.exec(statement).scalars().all())
    session.commit()
    return claimed


def still_claimed_by(session: Session, queue: Queue, row_ids: list[int], worker: str) -> list[SQLModel]:
    """The rows this worker still holds its claim on (no other took them over after the lease ran out)."""
    rows = session.exec(
        select(queue.model)
        .where(queue.column("id").in_(row_ids), queue.column("claimed_by") == worker)
        .where(queue.column("status") == queue.working, *queue.scope)
        .order_by(queue.column("id"))
        .execution_options(populate_existing=True)
    )
    return list(rows.scalars())
