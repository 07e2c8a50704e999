"""Every kind of message the app sends, as a real SMTP server receives it, from a deployment with a long
address: one plain List-Unsubscribe line that works in one click, lines within their limits, and the
program's neutral title wherever others may see it."""

from __future__ import annotations

from datetime import timedelta
from email.parser import BytesParser
from email.policy import compat32
from typing import Any

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.messages.building import BUILDERS
from app.messages.dispatch import outbox_message_id
from app.messages.kinds import MessageKind
from app.messages.queue import queue_message
from app.models import (
    Answer,
    Attendance,
    Cohort,
    CohortMember,
    CohortStatus,
    Host,
    Meeting,
    MeetingAnswer,
    MessageStatus,
    OutboundMessage,
    Participant,
    ParticipantStatus,
    Program,
    SeatOffer,
)
from app.services.approval import approve_cohort
from app.worker.runner import run_mail_work, run_once

from ..emails.wire import calendar_values, check_travelled, header_values, raw_messages, read_with_postal_mime

LONG_BASE_URL = "https://meetups.patient-organisation-with-a-rather-long-name.example.org/" + "/".join(
    ["peer-support-programmes"] * 5
)
MISSED_YOU = "We missed you at the meet-up"
COORDINATOR_ALERTS = (MessageKind.CONCERN_RAISED, MessageKind.MEETINGS_TO_OPEN)


@pytest.fixture
def base_url() -> str:
    return LONG_BASE_URL


@pytest.fixture
def approved(app, make_cohorts) -> dict[str, int]:
    return _approve_one_group(app, make_cohorts)


def test_every_kind_of_message_carries_a_plain_unsubscribe_line_that_works(app, approved, mailbox):
    _queue_every_other_kind(app, approved)
    run_mail_work(app)

    sent = _sent_by_message_id(app)
    received, alerts = [], []
    for raw in raw_messages(mailbox.directory):
        row = sent[BytesParser(policy=compat32).parsebytes(raw, headersonly=True)["Message-ID"]]
        if row.kind in COORDINATOR_ALERTS:  # no mailing to leave
            alerts.append((row.kind, BytesParser(policy=compat32).parsebytes(raw)))
            continue
        received.append((row, raw, check_travelled(raw)))
    assert sorted(kind for kind, _ in alerts) == sorted(COORDINATOR_ALERTS)
    for _, alert in alerts:
        assert alert["List-Unsubscribe"] is None and alert["List-Unsubscribe-Post"] is None
    # Every kind but "sorry we missed you", which goes as the survey's other face (below).
    assert {row.kind for row, _, _ in received} == set(BUILDERS) - {
        MessageKind.MISSED_YOU,
        *COORDINATOR_ALERTS,
    }
    assert len(received) + 2 == len(sent) == 4 + 1 + 20  # invitations, briefing, and what was queued
    surveys = [carried.parsed["Subject"] for row, _, carried in received if row.kind == MessageKind.SURVEY]
    assert MISSED_YOU in surveys and len(surveys) == 2  # the survey's other face, to who missed the meeting

    for row, raw, carried in received:
        assert carried.unsubscribe_url.startswith(f"{LONG_BASE_URL}/{'host' if row.host_id else 'p/demo'}/")
        assert len(carried.unsubscribe_url) > 250
        read = read_with_postal_mime(raw)
        assert header_values(read, "list-unsubscribe") == [f"<{carried.unsubscribe_url}>"]

    client = app.test_client()
    for _row, _, carried in [received[0], next(each for each in received if each[0].host_id)]:
        # The one-click POST a mail client makes (RFC 8058), to the address exactly as the header gives it.
        answer = client.post(
            carried.unsubscribe_url.removeprefix(LONG_BASE_URL), data="List-Unsubscribe=One-Click"
        )
        assert answer.status_code == 200
    with app.app_context():
        session = database.session()
        assert session.get(Host, approved["host"]).active is False
        assert session.get(Participant, received[0][0].participant_id).status == "paused"


@pytest.mark.parametrize(
    ("name", "neutral_title", "sender_line", "shown"),
    [
        ("Leukaemia Support Café", "Riverside meet-up", "From: Riverside meet-up <", "Riverside meet-up"),
        ("Riverside Café", "", "From: Riverside =?utf-8?q?Caf=C3=A9?= <", "Riverside Café"),
    ],
)
def test_a_neutral_title_is_what_inboxes_calendars_and_zoom_show(
    name, neutral_title, sender_line, shown, app, program, make_cohorts, mailbox, running_emulator
):
    with app.app_context():
        session = database.session()
        row = session.get(Program, program.id)
        row.name, row.neutral_title = name, neutral_title
        session.commit()

    approved = _approve_one_group(app, make_cohorts)

    raws = raw_messages(mailbox.directory)
    assert len(raws) == 5  # four invitations and the host's briefing
    for raw in raws:
        carried = check_travelled(raw)
        assert carried.sender_line.startswith(sender_line)
        assert read_with_postal_mime(raw)["from"]["name"] == shown
        title = neutral_title or f"{name} meet-up"
        assert calendar_values(carried.calendar, "SUMMARY") == [title]
        assert b"Leukaemia" not in raw.split(b"\r\n\r\n", 1)[0]
        assert "Leukaemia" not in "".join(calendar_values(carried.calendar, "DESCRIPTION"))
    with app.app_context():
        zoom_id = int(database.session().get(Meeting, approved["meeting"]).zoom_meeting_id)
    topic = running_emulator.emulator.state.get_meeting(zoom_id)["topic"]
    assert topic.startswith(f"{shown} · ")


def _approve_one_group(app, make_cohorts) -> dict[str, int]:
    """One approved group of four, its Zoom meeting made and its invitations and host briefing sent."""
    [cohort_id] = make_cohorts(1, size=4)
    with app.app_context():
        session = database.session()
        meeting = approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()
        ids = {"meeting": meeting.id, "host": session.get(Cohort, cohort_id).host_id}
    run_once(app)
    run_once(app)
    return ids


def _queue_every_other_kind(app, approved: dict[str, int]) -> None:
    """Queue, due now, every kind approval did not send; one member joined the meeting (and said they would
    come after all), one missed it; someone waiting (offered a place, asked about missed meetings), someone
    paused for not answering."""
    with app.app_context():
        session = database.session()
        meeting = session.get(Meeting, approved["meeting"])
        joined, missed, *_ = session.exec(
            select(Participant)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(CohortMember.cohort_id == meeting.cohort_id)
            .order_by(Participant.id)
        ).all()
        previous = {
            "previous_starts_at": (meeting.starts_at - timedelta(days=1)).isoformat(),
            "previous_sequence": 0,
        }
        meeting.calendar_sequence, meeting.started_at = 1, utcnow()
        session.add(
            Attendance(
                meeting_id=meeting.id, participant_id=joined.id, zoom_participant_key="k", joined_at=utcnow()
            )
        )
        to_joined: list[tuple[str, dict[str, Any]]] = [
            (MessageKind.VERIFY_EMAIL, {"nonce": None}),
            (MessageKind.MANAGE_LINK, {}),
            (MessageKind.REGISTRATION_CONFIRMED, {}),
            (MessageKind.PREPARATION_TIPS, {}),
            (MessageKind.REMINDER, {}),
            (MessageKind.MEETING_CHANGED, previous),
            (MessageKind.MEETING_CANCELLED, {}),
            (MessageKind.SURVEY, {}),
            (MessageKind.SURVEY_REMINDER, {}),
        ]
        for kind, context in to_joined:
            _queue(session, meeting, kind, context, participant_id=joined.id)
        _queue(session, meeting, MessageKind.SURVEY, {}, participant_id=missed.id)
        waiting, paused = _outside_the_group(session, meeting, joined)
        for kind in (
            MessageKind.WAITLISTED,
            MessageKind.SEAT_OFFERED,
            MessageKind.SEAT_TAKEN,
            MessageKind.ABSENCE_CHECK,
        ):
            _queue(session, meeting, kind, {}, participant_id=waiting.id)
        _queue(session, meeting, MessageKind.ABSENCE_PAUSED, {}, participant_id=paused.id)
        session.add(
            MeetingAnswer(meeting_id=meeting.id, participant_id=joined.id, answer=Answer.COMING, changes=1)
        )
        answer = {"participant": joined.id, "changes": 1}
        _queue(session, meeting, MessageKind.MEMBER_ANSWER, answer, host_id=approved["host"])
        _queue(session, meeting, MessageKind.MEETING_CHANGED, previous, host_id=approved["host"])
        _queue(session, meeting, MessageKind.HOST_DEBRIEF, {}, host_id=approved["host"])
        _queue(session, meeting, MessageKind.CONCERN_RAISED, {"concern": 0})  # to a coordinator
        hostless = _hostless_meeting(session, meeting)
        _queue(session, hostless, MessageKind.MEETINGS_TO_OPEN, {"meetings": [hostless.id]})
        session.commit()


def _hostless_meeting(session, like: Meeting) -> Meeting:
    """A meeting at the same time, of an approved group with no host, for a coordinator to open."""
    cohort = session.get(Cohort, like.cohort_id)
    hostless = Cohort(
        program_id=cohort.program_id, condition_id=cohort.condition_id, language=cohort.language,
        slot=cohort.slot, status=CohortStatus.APPROVED,
    )  # fmt: skip
    session.add(hostless)
    session.flush()
    meeting = Meeting(
        cohort_id=hostless.id, starts_at=like.starts_at, calendar_uid="wire-hostless@peer-meetups"
    )
    session.add(meeting)
    session.flush()
    return meeting


def _outside_the_group(session, meeting: Meeting, like: Participant) -> tuple[Participant, Participant]:
    """Someone waiting, offered a place in the meeting and asked about missed meetings; and someone paused."""
    now = utcnow()
    people = [
        Participant(
            program_id=like.program_id,
            email=f"{name}@example.org",
            display_name=name.title(),
            condition_id=like.condition_id,
            timezone="Europe/Madrid",
            languages=["en"],
            consent_version="1",
            status=status,
            absence_asked_at=now,
            suggested_slots=[20],
        )
        for name, status in (("waiting", ParticipantStatus.VERIFIED), ("paused", ParticipantStatus.PAUSED))
    ]
    session.add_all(people)
    session.flush()
    session.add(SeatOffer(meeting_id=meeting.id, participant_id=people[0].id))
    return people[0], people[1]


def _queue(session, meeting: Meeting, kind: str, context: dict[str, Any], **recipient: int) -> None:
    who = "-".join(f"{key}{value}" for key, value in recipient.items())
    program_id = session.get(Cohort, meeting.cohort_id).program_id
    queue_message(
        session, kind=kind, program_id=program_id, recipient="x@example.org", dedupe_key=f"wire:{kind}:{who}",
        send_at=utcnow(), meeting_id=meeting.id, context=context, **recipient,
    )  # fmt: skip


def _sent_by_message_id(app) -> dict[str, OutboundMessage]:
    """The outbox rows sent, by the Message-ID each went out with."""
    with app.app_context():
        rows = database.session().exec(
            select(OutboundMessage).where(OutboundMessage.status == MessageStatus.SENT)
        )
        return {outbox_message_id(row, app.config["SETTINGS"].mail_from): row for row in rows}
