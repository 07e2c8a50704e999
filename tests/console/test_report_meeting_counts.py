"""The report's attendance and surveys sent, kept on each meeting as their rows are written, against the same
figures counted one by one after every kind of change that moves them.

A group of six meets: its members are registered in Zoom as the worker registers them, Zoom's notifications
are recorded as the webhook records them (one member joins once, one leaves and comes back, one never
joins, one joins on the group's link without a registration, known by their address), the survey goes out
through the worker's dispatch (the survey, or "sorry we missed you"), two members are erased, and a second
group's meeting is cancelled after its members were registered.
"""

from __future__ import annotations

import ast
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app import database
from app.demo import seed_demo
from app.messages.dispatch import dispatch_due_messages
from app.messages.kinds import Channel, MessageKind
from app.messages.queue import queue_messages
from app.models import (
    Attendance,
    Cohort,
    CohortMember,
    Condition,
    Meeting,
    MeetingRegistrant,
    MeetingStatus,
    MessageStatus,
    OutboundMessage,
    Participant,
    ParticipantStatus,
    Program,
)
from app.services.attendance import record_zoom_event
from app.services.erasure import erase_participants
from app.services.meeting_attendance import meeting_attendance
from app.services.meeting_changes.cancellation import cancel_cohort
from app.services.meeting_setup import member_message_rows
from app.services.report import held_meetings, program_report
from app.services.survey.results import survey_results
from emails.sending import MemorySender
from integrations.zoom.webhooks import parse_event

from ..statements import statements_sent

APP = Path(__file__).parents[2] / "app"
STARTS = datetime(2026, 3, 24, 17, 0, tzinfo=UTC)
MEMBERS = 6


class Program6:
    """The demo program with a group of six (`meeting`) and a group of two (`other`), both approved."""

    def __init__(self, app):
        self.app = app
        with app.app_context():
            session = database.session()
            program = seed_demo(session)
            condition = session.exec(select(Condition).where(Condition.program_id == program.id)).first()
            self.people = [self._person(session, program, condition, n) for n in range(MEMBERS + 2)]
            self.meeting = self._group(session, program, condition, self.people[:MEMBERS], 1)
            self.other = self._group(session, program, condition, self.people[MEMBERS:], 2)
            session.commit()

    @staticmethod
    def _person(session, program, condition, number: int) -> int:
        person = Participant(
            program_id=program.id, email=f"member-{number}@example.org", display_name=f"Member {number}",
            condition_id=condition.id, timezone="Europe/Madrid", consent_version="1",
            status=ParticipantStatus.VERIFIED,
        )  # fmt: skip
        session.add(person)
        session.flush()
        return person.id

    @staticmethod
    def _group(session, program, condition, people: list[int], number: int) -> int:
        cohort = Cohort(
            program_id=program.id, condition_id=condition.id, language="en", slot=17, status="approved"
        )
        session.add(cohort)
        session.flush()
        meeting = Meeting(
            cohort_id=cohort.id, starts_at=STARTS, calendar_uid=f"counts-{number}",
            zoom_meeting_id=str(90_000_000_000 + number), zoom_join_url=f"https://zoom.example/j/{number}",
        )  # fmt: skip
        session.add(meeting)
        session.flush()
        for person_id in people:
            session.add(CohortMember(cohort_id=cohort.id, participant_id=person_id))
            member = session.get(Participant, person_id)
            queue_messages(session, member_message_rows(program, meeting, member, now=STARTS - timedelta(7)))
        return meeting.id

    def register(self, meeting_id: int, *numbers: int) -> None:
        """The worker registered these members in Zoom (`app.worker.zoom_work._register`)."""
        with self.app.app_context():
            session = database.session()
            for number in numbers:
                session.add(
                    MeetingRegistrant(
                        meeting_id=meeting_id, participant_id=self.people[number],
                        zoom_registrant_id=self.registrant(number), join_url=f"https://zoom.example/w/{number}",
                    )
                )  # fmt: skip
            session.commit()

    @staticmethod
    def registrant(number: int) -> str:
        return f"registrant-{number}"

    def zoom_says(self, event: str, minutes: int, **participant: str) -> None:
        """Zoom's notification about the group of six, recorded as the webhook records it."""
        at = STARTS + timedelta(minutes=minutes)
        body = {
            "event": event,
            "event_ts": int(at.timestamp() * 1000),
            "payload": {"account_id": "acc", "object": {"id": "90000000001"}},
        }
        if participant:
            when = "join_time" if event.endswith("joined") else "leave_time"
            moment = at.strftime("%Y-%m-%dT%H:%M:%SZ")
            body["payload"]["object"]["participant"] = {"user_name": "Someone", **participant, when: moment}
        raw = json.dumps(body).encode()
        with self.app.app_context():
            session = database.session()
            assert record_zoom_event(session, parse_event(raw), raw)
            session.commit()

    def joins(self, number: int, start: int, end: int) -> None:
        self.zoom_says("meeting.participant_joined", start, registrant_id=self.registrant(number))
        self.zoom_says("meeting.participant_left", end, registrant_id=self.registrant(number))

    def send_survey(self) -> MemorySender:
        """The worker's dispatch, once the survey is due."""
        sender = MemorySender()
        with self.app.app_context():
            session = database.session()
            survey_at = session.exec(
                select(OutboundMessage.send_at).where(OutboundMessage.kind == MessageKind.SURVEY)
            ).first()
            dispatch_due_messages(session, sender, mail_from="us@example.org", now=survey_at, worker="test")
            session.commit()
        return sender

    def erase(self, *numbers: int) -> None:
        with self.app.app_context():
            session = database.session()
            people = [session.get(Participant, self.people[number]) for number in numbers]
            erase_participants(session, people, actor="test", now=STARTS + timedelta(days=3))
            session.commit()

    def cancel_other(self) -> None:
        with self.app.app_context():
            session = database.session()
            cohort = session.get(Cohort, session.get(Meeting, self.other).cohort_id)
            cancel_cohort(session, cohort, actor="test", now=STARTS - timedelta(days=1))
            session.commit()

    def figures(self) -> tuple[dict[str, int], dict[str, int]]:
        """The report's figures, and the same counted one by one (and the results page's surveys sent)."""
        with self.app.app_context():
            session = database.session()
            program = session.exec(select(Program).where(Program.slug == "demo")).one()
            report = program_report(session, program)
            kept = {
                "held": report.meetings_held,
                "registered": report.registered_in_zoom,
                "attended": report.attended,
                "sent": report.survey.rate.sent,
            }
            held = [session.get(Meeting, meeting_id) for meeting_id in session.exec(held_meetings(program))]
            each = [meeting_attendance(session, meeting, now=STARTS + timedelta(days=9)) for meeting in held]
            counted = {
                "held": len(held),
                "registered": sum(one.registered for one in each),
                "attended": sum(one.attended for one in each),
                "sent": _surveys_sent_one_by_one(session),
            }
            assert survey_results(session, program).rate.sent == counted["sent"]  # the results page
            session.rollback()
        return kept, counted


def _surveys_sent_one_by_one(session) -> int:
    """Survey emails sent, less those that went as "sorry we missed you": to someone who never joined a
    meeting Zoom told us was held (it started, or someone joined)."""
    sent = 0
    for message in session.exec(select(OutboundMessage)):
        if (message.kind, message.channel, message.status) != (
            MessageKind.SURVEY,
            Channel.EMAIL,
            MessageStatus.SENT,
        ) or message.meeting_id is None:
            continue
        stretches = session.exec(select(Attendance).where(Attendance.meeting_id == message.meeting_id)).all()
        held = session.get(Meeting, message.meeting_id).started_at is not None or bool(stretches)
        joined = any(stretch.participant_id == message.participant_id for stretch in stretches)
        sent += message.participant_id is None or not held or joined
    return sent


@pytest.fixture
def world(app) -> Program6:
    return Program6(app)


def _same(world: Program6, **expected: int) -> None:
    kept, counted = world.figures()
    assert kept == counted
    assert {name: kept[name] for name in expected} == expected


def test_the_report_counts_attendance_and_surveys_as_each_change_arrives(world):
    _same(world, held=0, registered=0, attended=0, sent=0)
    world.register(world.meeting, 0, 1, 2, 4, 5)  # member 3 has no registration yet
    world.register(world.other, 6, 7)
    _same(world, held=0, registered=0)  # no meeting was held yet
    world.zoom_says("meeting.started", 0)
    _same(world, held=1, registered=5, attended=0)
    world.joins(0, 1, 60)
    _same(world, registered=5, attended=1)
    world.joins(1, 2, 20)  # leaves, and comes back
    world.joins(1, 25, 60)
    _same(world, registered=5, attended=2)
    world.zoom_says("meeting.participant_joined", 3, email="member-3@example.org")  # on the group's link
    world.joins(4, 5, 60)
    world.zoom_says("meeting.ended", 61)
    _same(world, registered=5, attended=3)  # member 3 came, but was never registered
    sender = world.send_survey()
    assert len(sender.sent) == MEMBERS  # four surveys and two "sorry we missed you" (members 2 and 5)
    _same(world, sent=4)
    # One came and still counts, under no name; the one who did not has no registration left to count.
    world.erase(4, 5)
    _same(world, held=1, registered=4, attended=3, sent=4)
    world.cancel_other()
    _same(world, held=1, registered=4, attended=3, sent=4)


def test_an_erased_member_s_missed_meeting_stays_uncounted_as_a_survey(world):
    world.register(world.meeting, 0, 1)
    world.zoom_says("meeting.started", 0)
    world.joins(0, 1, 60)
    world.send_survey()
    _same(world, registered=2, attended=1, sent=1)
    world.erase(1)  # the one who missed it: their registration goes, their "sorry" gets its own kind
    _same(world, registered=1, attended=1, sent=1)
    with world.app.app_context():
        kinds = database.session().exec(
            select(OutboundMessage.kind).where(
                OutboundMessage.meeting_id == world.meeting, OutboundMessage.kind == MessageKind.MISSED_YOU
            )
        )
        assert len(kinds.all()) == 1


def test_a_meeting_cancelled_after_it_started_leaves_the_figures(world):
    world.register(world.meeting, 0, 1)
    world.zoom_says("meeting.started", 0)
    world.joins(0, 1, 60)
    _same(world, held=1, registered=2, attended=1)
    with world.app.app_context():
        session = database.session()
        session.get(Meeting, world.meeting).status = MeetingStatus.CANCELLED
        session.commit()
    _same(world, held=0, registered=0, attended=0)


def test_two_members_joining_at_once_both_count(world, app):
    """Two webhook deliveries for one meeting, in two transactions at once: the second counts after the
    first has committed, so it sees the first's attendance too."""
    if app.extensions["engine"].dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    world.register(world.meeting, 0, 1)
    world.zoom_says("meeting.started", 0)

    def joined(session, number: int) -> None:
        session.add(
            Attendance(
                meeting_id=world.meeting, participant_id=world.people[number], joined_at=STARTS,
                zoom_participant_key=world.registrant(number),
            )
        )  # fmt: skip
        session.flush()

    def second() -> None:
        with Session(app.extensions["engine"]) as session:
            joined(session, 1)
            session.commit()

    with Session(app.extensions["engine"]) as first:
        joined(first, 0)
        other = threading.Thread(target=second)
        other.start()
        other.join(timeout=1)
        assert other.is_alive()  # waiting for the first to finish with the meeting
        first.commit()
    other.join(timeout=30)
    _same(world, registered=2, attended=2)


def test_the_report_reads_no_registration_attendance_or_email(world, app):
    """A finished program of 100,000 has a registration, attendance and a survey email for nearly every
    member: the report adds up its meetings' own figures instead of reading those."""
    world.register(world.meeting, 0, 1)
    world.zoom_says("meeting.started", 0)
    world.joins(0, 1, 60)
    world.send_survey()
    with app.app_context():
        session = database.session()
        program = session.exec(select(Program).where(Program.slug == "demo")).one()
        with statements_sent(session.get_bind()) as sent:
            report = program_report(session, program)
    assert (report.registered_in_zoom, report.attended, report.survey.rate.sent) == (2, 1, 1)
    read = [statement for statement in sent if "FROM" in statement]
    named = [table for table in ("meetingregistrant", "attendance", "outboundmessage") if table in str(read)]
    assert named == []


# Statements that write these rows around the session, so its flush does not see them: each must be in a
# function that counts the meetings afresh itself. Of the outbox's, those setting what a survey's count is
# made of (cancelling or moving rows still to be sent, or forgetting addresses, moves nothing).
COUNTED_MODELS = {"Attendance", "MeetingRegistrant"}
COUNTED_OUTBOX_VALUES = {"kind", "channel", "participant_id", "meeting_id"}


def test_every_statement_writing_around_the_session_recounts_its_meetings():
    found = []
    for path in APP.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            calls = [node for node in ast.walk(function) if isinstance(node, ast.Call)]
            if any(getattr(call.func, "id", None) == "recount_meetings" for call in calls):
                continue
            found += [f"{path.relative_to(APP)}:{call.lineno}" for call in calls if _moves_counts(call)]
    assert found == []


def _moves_counts(call: ast.Call) -> bool:
    """An insert, update or delete of a counted model; of the outbox, its `.values()` setting a counted
    column, or a status of sent."""
    if getattr(call.func, "id", None) in ("insert", "update", "delete"):
        return any(getattr(argument, "id", None) in COUNTED_MODELS for argument in call.args)
    if getattr(call.func, "attr", None) != "values" or _statement_on(call.func.value) != "OutboundMessage":
        return False
    named = {keyword.arg: ast.unparse(keyword.value) for keyword in call.keywords}
    return bool(COUNTED_OUTBOX_VALUES & named.keys()) or "SENT" in named.get("status", "")


def _statement_on(node: ast.AST) -> str | None:
    """The model `update(Model).where(...)...` is about, following the chain down to its start."""
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("insert", "update", "delete"):
            return getattr(node.args[0], "id", None) if node.args else None
        node = node.func if isinstance(node, ast.Call) else node.value
    return None
