"""A large approved program turned into one whose meetings took place, for the benchmarks of its report.

Approving a program only queues its Zoom calls and messages; no meeting is ever held in a benchmark, so a
report of it counts nothing. `hold_meetings` writes, set by set, what the worker and Zoom's webhooks would
have written by the end of the program's first meetings, shaped as the app writes each row:

- every meeting created at Zoom (its id and join link; its create call done), and most members registered
  (`meetingregistrant`, with Zoom's registrant id and personal link; their register calls done). One member
  in 25 is not registered yet (their call still waits);
- every meeting but one in 50 started and ended (`status`, `started_at`, `ended_at`); the rest never started;
- attendance stretches as the webhooks record them (`app.services.attendance`): a registrant keyed by
  their Zoom registrant id; one in 20 left and came back (two stretches), three in 20 never joined; some of
  those not registered joined on the group's link and were known by their address; the host joined,
  unmatched to any registrant;
- the invitation, tips and reminder sent; each survey email settled as the worker would have settled it
  (`app.messages.building._survey`): sent (as the survey, or as "sorry we missed you" to a registrant who
  never joined), or skipped where the meeting never started; the survey texts likewise;
- one member in 500 of those the survey went to erased through the app's own `erase_participants`, which
  leaves their attendance under an anonymous key and gives their "sorry we missed you" rows a kind of their
  own;
- each meeting's report figures counted afresh (`app.models.meeting_tally.recount_meetings`), as the app
  counts them with every row it writes.

    .venv/bin/python benchmarks/held_meetings.py [--program demo]

BENCH_DATABASE_URL names the database (default postgresql://postgres@127.0.0.1:5432/bench_pages).
"""

from __future__ import annotations

import argparse
import time

from approval import app_on
from sqlalchemy import text
from sqlmodel import Session, select
from support import analyze_postgres, postgres_url

from app.database import build_engine, utcnow
from app.messages.kinds import MessageKind
from app.models import MessageStatus, OutboundMessage, Participant, Program, recount_meetings
from app.services.erasure import erase_participants

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/bench_pages"
NOT_HELD = 50  # one meeting in this many never started
NOT_REGISTERED = 25  # one member in this many has no Zoom registration yet
ERASED = 500  # one member of a meeting held in this many is erased

# The program's meetings still to happen (neither cancelled nor started: the demo's own meeting of yesterday
# keeps what it has), with their cohort's host, as the table `mine`.
MEETINGS = """
    CREATE TEMPORARY TABLE mine ON COMMIT DROP AS
    SELECT meeting.id, meeting.starts_at, meeting.duration_minutes, cohort.host_id
    FROM meeting JOIN cohort ON cohort.id = meeting.cohort_id JOIN program ON program.id = cohort.program_id
    WHERE program.slug = :program AND meeting.status <> 'cancelled' AND meeting.started_at IS NULL
"""
STEPS = {
    "meetings created at Zoom": """
        UPDATE meeting SET zoom_meeting_id = coalesce(zoom_meeting_id, (80000000000 + meeting.id)::text),
                           zoom_join_url = coalesce(zoom_join_url,
                                                    'https://zoom.example/j/' || (80000000000 + meeting.id))
        FROM mine WHERE mine.id = meeting.id
    """,
    "create calls done": """
        UPDATE zoomoperation SET status = 'done', attempts = 1, done_at = now()
        FROM mine
        WHERE zoomoperation.meeting_id = mine.id AND zoomoperation.kind = 'create'
          AND zoomoperation.status = 'pending'
    """,
    "members registered in Zoom": """
        INSERT INTO meetingregistrant (meeting_id, participant_id, zoom_registrant_id, join_url, created_at)
        SELECT mine.id, member.participant_id, md5('registrant-' || mine.id || '-' || member.participant_id),
               'https://zoom.example/w/' || (80000000000 + mine.id) || '?tk=' || md5('link-' || member.id),
               now()
        FROM mine
        JOIN meeting ON meeting.id = mine.id
        JOIN cohortmember AS member ON member.cohort_id = meeting.cohort_id
        JOIN participant ON participant.id = member.participant_id
        WHERE participant.email IS NOT NULL AND member.participant_id % :not_registered <> 0
        ON CONFLICT (meeting_id, participant_id) DO NOTHING
    """,
    "register calls done": """
        UPDATE zoomoperation SET status = 'done', attempts = 1, done_at = now()
        FROM meetingregistrant AS registered
        WHERE zoomoperation.kind = 'register' AND zoomoperation.status = 'pending'
          AND zoomoperation.meeting_id = registered.meeting_id
          AND zoomoperation.participant_id = registered.participant_id
    """,
    "meetings held": """
        UPDATE meeting SET status = 'ended', started_at = meeting.starts_at + interval '2 minutes',
                           ended_at = meeting.starts_at + meeting.duration_minutes * interval '1 minute'
        FROM mine
        WHERE mine.id = meeting.id AND meeting.status = 'scheduled' AND meeting.id % :not_held <> 0
    """,
    # Three in 20 never join; one in 20 joins, leaves after 20 minutes and comes back 3 minutes later.
    "registrants' attendance": """
        INSERT INTO attendance (meeting_id, participant_id, zoom_participant_key, joined_at, left_at)
        SELECT meeting.id, registered.participant_id, registered.zoom_registrant_id,
               CASE WHEN stretch = 2 THEN meeting.started_at + interval '23 minutes'
                    ELSE meeting.started_at + (registered.participant_id % 6) * interval '1 minute' END,
               CASE WHEN stretch = 1 AND twice THEN meeting.started_at + interval '20 minutes'
                    ELSE meeting.ended_at END
        FROM mine
        JOIN meeting ON meeting.id = mine.id AND meeting.started_at IS NOT NULL
        JOIN meetingregistrant AS registered ON registered.meeting_id = meeting.id
        CROSS JOIN LATERAL (SELECT (registered.participant_id * 7 + meeting.id) % 20 AS bucket) AS drawn
        CROSS JOIN LATERAL (SELECT drawn.bucket = 3 AS twice) AS rejoined
        CROSS JOIN LATERAL generate_series(1, CASE WHEN twice THEN 2 ELSE 1 END) AS stretch
        WHERE drawn.bucket >= 3
    """,
    # Half of those not registered yet join on the group's link; Zoom tells us their address.
    "unregistered members by address": """
        INSERT INTO attendance (meeting_id, participant_id, zoom_participant_key, joined_at, left_at)
        SELECT meeting.id, participant.id, lower(participant.email),
               meeting.started_at + interval '4 minutes', meeting.ended_at
        FROM mine
        JOIN meeting ON meeting.id = mine.id AND meeting.started_at IS NOT NULL
        JOIN cohortmember AS member ON member.cohort_id = meeting.cohort_id
        JOIN participant ON participant.id = member.participant_id
        WHERE participant.email IS NOT NULL AND member.participant_id % (2 * :not_registered) = 0
    """,
    "hosts' attendance": """
        INSERT INTO attendance (meeting_id, participant_id, zoom_participant_key, joined_at, left_at)
        SELECT meeting.id, NULL, md5('zoom-user-' || host.email), meeting.started_at, meeting.ended_at
        FROM mine
        JOIN meeting ON meeting.id = mine.id AND meeting.started_at IS NOT NULL
        JOIN host ON host.id = mine.host_id
    """,
    "invitations, tips and reminders sent": """
        UPDATE outboundmessage SET status = 'sent', attempts = 1, sent_at = outboundmessage.send_at
        FROM mine
        WHERE outboundmessage.meeting_id = mine.id AND outboundmessage.status = 'pending'
          AND outboundmessage.kind IN ('cohort_invitation', 'preparation_tips', 'reminder', 'host_briefing')
    """,
    # `_survey` (email): nothing where the meeting never started, nor to someone who told us they could not
    # come and did not; else the survey, or "sorry we missed you" to someone who never joined, on the same
    # row. The text (`text_building._survey`) only to someone who joined and has not answered.
    "survey emails and texts settled": """
        WITH decided AS (
            SELECT message.id, message.channel, meeting.started_at, meeting.ended_at,
                   NOT EXISTS (SELECT FROM attendance WHERE attendance.meeting_id = meeting.id
                               AND attendance.participant_id = message.participant_id) AS missed,
                   EXISTS (SELECT FROM meetinganswer WHERE meetinganswer.meeting_id = meeting.id
                           AND meetinganswer.participant_id = message.participant_id
                           AND meetinganswer.answer = 'not_coming') AS not_coming,
                   EXISTS (SELECT FROM surveyreceipt WHERE surveyreceipt.meeting_id = meeting.id
                           AND surveyreceipt.participant_id = message.participant_id) AS answered
            FROM mine
            JOIN meeting ON meeting.id = mine.id
            JOIN outboundmessage AS message ON message.meeting_id = meeting.id
            WHERE message.status = 'pending' AND message.kind = 'survey'
        ),
        settled AS (
            SELECT id, started_at, ended_at, CASE
                WHEN started_at IS NULL
                    THEN 'the meeting never started (Zoom did not say so and no one was marked present)'
                WHEN channel = 'email' AND missed AND not_coming
                    THEN 'they told us they could not come, and did not'
                WHEN channel = 'sms' AND not_coming THEN 'they told us they could not come'
                WHEN channel = 'sms' AND missed
                    THEN 'they did not join the meeting; their email says we missed them'
                WHEN channel = 'sms' AND answered THEN 'they have answered the survey' END AS skipped
            FROM decided
        )
        UPDATE outboundmessage
        SET attempts = 1, last_error = settled.skipped,
            status = CASE WHEN settled.skipped IS NULL THEN 'sent' ELSE 'skipped' END,
            sent_at = CASE WHEN settled.skipped IS NULL THEN settled.ended_at + interval '1 hour' END
        FROM settled WHERE settled.id = outboundmessage.id
    """,
}


def hold_meetings(url: str, program: str = "demo") -> dict[str, int]:
    """Make the approved `program`'s meetings held (see the module docstring); the rows each step wrote."""
    engine = build_engine(url)
    written = {}
    with engine.begin() as connection:
        connection.execute(text(MEETINGS), {"program": program})
        for step, statement in STEPS.items():
            values = {"not_registered": NOT_REGISTERED, "not_held": NOT_HELD}
            written[step] = connection.execute(text(statement), values).rowcount
        # The statements went round the app's session: its meetings' report figures are counted here, once
        # the planner knows how many rows there now are (else it reads every table for each meeting).
        connection.execute(text("ANALYZE meeting, meetingregistrant, attendance, outboundmessage"))
        recount_meetings(connection, connection.execute(text("SELECT id FROM mine")).scalars().all())
    written["members erased"] = _erase_some(url, program)
    engine.dispose()
    analyze_postgres(url)
    return written


def _erase_some(url: str, program: str) -> int:
    """Erase one member in ERASED of those the survey went to, as "delete my data" does; how many."""
    app = app_on(url)
    with app.app_context(), Session(app.extensions["engine"]) as session:
        surveyed = select(OutboundMessage.participant_id).where(
            OutboundMessage.kind == MessageKind.SURVEY, OutboundMessage.status == MessageStatus.SENT
        )
        chosen = (
            select(Participant)
            .join(Program, Program.id == Participant.program_id)
            .where(Program.slug == program, Participant.id % ERASED == 1, Participant.id.in_(surveyed))
        )
        people = session.exec(chosen).all()
        erase_participants(session, people, actor="benchmark", now=utcnow())
        session.commit()
    app.extensions["engine"].dispose()
    return len(people)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", default="demo", help="the approved program whose meetings are held")
    args = parser.parse_args()
    started = time.perf_counter()
    for step, rows in hold_meetings(postgres_url(DEFAULT_POSTGRES_URL), args.program).items():
        print(f"{step}: {rows:,d}")
    print(f"held in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
