"""The pace of a sending number: every worker takes its turn from one `textpace` row per number, so several
workers together never send faster than Twilio lets the number send (about one text a second for an
ordinary long code), and a burst never meets a 429.

A turn is taken by moving the row's `next_at` on, with the value read as the condition of the update: of two
workers reading the same value, one moves it and the other reads again. No lock is held while a worker
waits for its turn, and it works alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from app.bulk import insert_new
from app.database import utcnow
from app.models import TextPace

TEXTS_PER_SECOND = 1.0  # an ordinary long code's pace
# Added to each turn, so that two texts a turn apart never reach Twilio closer than its pace allows when the
# first one's request takes a little longer on its way than the second's.
MARGIN = timedelta(milliseconds=100)


def take_turn(session: Session, sender: str, *, rate: float = TEXTS_PER_SECOND) -> datetime:
    """The moment this worker may send `sender`'s next text (now, or later when others came first); the
    turn is committed at once, so other workers see it taken."""
    interval = timedelta(seconds=1 / rate) + MARGIN
    insert_new(session, TextPace, [{"sender": sender, "next_at": utcnow()}], key="sender")
    session.commit()
    while True:
        taken = session.exec(select(TextPace.next_at).where(TextPace.sender == sender)).one()
        turn = max(taken, utcnow())
        moved = session.exec(
            update(TextPace)
            .where(TextPace.sender == sender, TextPace.next_at == taken)
            .values(next_at=turn + interval)
        ).rowcount
        session.commit()
        if moved:
            return turn
