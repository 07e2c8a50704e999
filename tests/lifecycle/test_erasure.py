"""Erasure erases: after "delete my data", and after the retention purge, no row of any table holds anything
of the person or leads back to them, while the anonymous counts stay as they were.

A synthetic person goes the whole way: registers through the API with distinctive markers in every field,
confirms their email, is placed in a group that is approved, gets their messages from the worker and their
own Zoom registration (for a second meet-up too), joins the first meeting as Zoom's webhooks tell, and answers
the survey under their name with a comment. Every column of their row not kept for counts is then filled
with a marker, so a column added later that erasure leaves alone is found. After the erasure the test walks
every column of every row of every table (`SQLModel.metadata.sorted_tables`), JSON included.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import JSON, DateTime, String, TypeDecorator, text
from sqlalchemy import select as select_rows
from sqlmodel import SQLModel, select

from app import database
from app.inputs.concerns import ConcernChange, ConcernInput, DebriefInput
from app.models import (
    Attendance,
    AuditEvent,
    Cohort,
    CohortMember,
    Concern,
    ConcernStatus,
    Host,
    HostDebrief,
    Meeting,
    MeetingRegistrant,
    Mood,
    Participant,
    ParticipantStatus,
    Program,
    ReplyMeaning,
    Reporter,
    TextReply,
)
from app.services.adjustments.moves import move_member
from app.services.approval import approve_cohort
from app.services.concerns import change_concern, raise_concern
from app.services.debriefs import record_debrief
from app.services.follow_up import schedule_next_meeting
from app.services.keep_apart import keep_apart
from app.services.meeting_attendance import meeting_attendance
from app.services.overview import program_figures
from app.services.report import program_report, registrations_per_week
from app.services.survey.results import survey_results
from app.worker.runner import run_once

BASE_URL = "http://localhost"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# Markers: the person's, their group's host's (erased by the retention purge), and a guest's in Zoom.
PERSON, HOST, GUEST = "zqxmark", "zqxhost", "zqxguest"
EMAIL = f"{PERSON}.river@example.org"
NAME = f"River {PERSON}"
ZONE = "Pacific/Chatham"  # no one else in the demo program lives there
# A participant id nothing else in the database can hold by chance, so any copy of it is found.
PERSON_ID = 4071993
MARKED_AT = datetime(2031, 7, 17, 13, 37, 42, 424242, tzinfo=UTC)
# Columns that hold no personal data of their own: what anonymous counts keep, and states. Erasure must
# empty every other column, and the test marks every other column.
NOT_PERSONAL = {
    Participant: {"id", "program_id", "role", "condition_id", "stage_id", "status"},
    Host: {"id", "program_id", "max_cohorts", "zoom_licensed", "active"},
}


@pytest.fixture
def coordinator(console_client):
    return console_client("demo")


@dataclass
class World:
    """The app with the Zoom emulator (over HTTP, delivering webhooks to the app served at `server`) and
    the mail server the worker sends to."""

    app: Any
    zoom: Any
    emulator: Any
    server: str
    mailbox: Any


@pytest.fixture
def world(app, program, zoom, running_emulator, server, mailbox) -> World:
    return World(app, zoom, running_emulator.emulator, server, mailbox)


@dataclass
class Trail:
    """What the person left, and the figures a coordinator sees, before the erasure."""

    person_id: int
    cohort_id: int
    first: int  # the first meeting's id
    second: int  # the second meet-up's id
    figures: dict[str, Any]


def test_deleting_my_data_leaves_nothing_of_me_in_any_table(world, app, program, make_cohorts, coordinator):
    trail = _take_part(world, make_cohorts)
    _shows_my_comment(coordinator, program)
    _mark_every_personal_column(app, Participant, trail.person_id, PERSON)
    _text_us(app, program.id, trail.person_id)
    _confide(app, trail)
    before = _figures(app, trail)

    client = app.test_client()
    manage = _link(world, "/p/demo/manage/")
    page = client.get(f"{manage}/delete")
    assert page.status_code == 200
    deleted = client.post(f"{manage}/delete", data={"csrf_token": CSRF.search(page.text).group(1)})
    assert deleted.status_code == 200

    # Until the worker has taken them off the second meet-up at Zoom, only that call, and the registration
    # whose Zoom id it needs, still point at them.
    assert {table for table, *_ in _traces(app, [PERSON, ZONE.lower()])} <= {
        "zoomoperation",
        "meetingregistrant",
    }
    run_once(app, _survey_time(app, trail.first))
    assert _zoom_registration_status(world, trail.second) == "cancelled"

    assert _traces(app, [PERSON, ZONE.lower()]) == []
    _erased_row_keeps_only_counts(app, trail.person_id)
    _no_event_lists(app, trail.person_id)
    after = _figures(app, trail)
    # They left their group, so one place fewer is taken; everything else still counts them.
    assert after.pop("placed") == before.pop("placed") - 1
    assert after == before
    assert _replies(app) == [
        (None, "", "stop"),
        (None, "", "other"),
        ("+12025550198", "See you there", "other"),
    ]
    assert _concerns(app) == [
        ("", "member", []),  # their own words go with them
        ("Worried about someone since erased. ", "host", ["Called someone since erased."]),
        ["someone since erased was upset. "],
    ]
    _hides_my_comment(coordinator, program)
    activity = coordinator.get("/console/programs/demo/activity").text
    assert PERSON not in activity.casefold() and "a registrant since erased" in activity


def test_the_retention_purge_leaves_nothing_of_anyone_in_any_table(
    world, app, program, make_cohorts, coordinator
):
    trail = _take_part(world, make_cohorts, guest=True)
    _mark_every_personal_column(app, Participant, trail.person_id, PERSON)
    with app.app_context():
        host_id = database.session().get(Cohort, trail.cohort_id).host_id
    _mark_every_personal_column(app, Host, host_id, HOST)
    _text_us(app, program.id, trail.person_id, stranger=GUEST)
    _confide(app, trail, host_words=f"Signed, {HOST}")
    before = _figures(app, trail)
    with app.app_context():
        session = database.session()
        second = session.get(Meeting, trail.second)
        closed = session.get(Program, program.id)
        closed.registration_open, closed.retention_days = False, 30
        session.commit()

    done = run_once(app, second.starts_at + timedelta(days=31))
    assert done["retention"]["participants_erased"] == 5

    assert _traces(app, [PERSON, ZONE.lower(), HOST, GUEST]) == []
    _erased_row_keeps_only_counts(app, trail.person_id)
    after = _figures(app, trail)
    # Everyone left their group; a Zoom registration of someone who never joined goes with them.
    assert (after["placed"], after["registered"], after["answered"]) == (
        0,
        before["attended"],
        before["answered"],
    )
    assert (after["sent"], after["attended"], after["present"]) == (
        before["sent"],
        before["attended"],
        before["present"],
    )
    assert after["weeks"] == before["weeks"]
    assert _replies(app) == [(None, "", "stop"), (None, "", "other"), (None, "", "other")]
    assert _concerns(app) == [("", "member", []), ("", "host", [""]), [""]]  # no words are left
    _hides_my_comment(coordinator, program)


# The person's way through the service --------------------------------------------------------------------


def _no_event_lists(app, person_id: int) -> None:
    """No audit event lists them among its members any more (a keep-apart request, a split, a merge)."""
    with app.app_context():
        events = database.session().exec(select(AuditEvent)).all()
    listed = [event for event in events if isinstance(event.detail.get("members"), list)]
    assert [event.action for event in listed if person_id in event.detail["members"]] == []
    assert any(event.action == "participant.keep_apart" for event in events)


def _take_part(world: World, make_cohorts, *, guest: bool = False) -> Trail:
    app = world.app
    [cohort_id] = make_cohorts(1, size=4)
    with app.app_context():
        session = database.session()
        host = session.get(Host, session.get(Cohort, cohort_id).host_id)
        host.display_name, host.email = f"Jonah {HOST}", f"{HOST}.jonah@example.org"
        session.commit()
    person_id = _register(world)
    with app.app_context():
        session = database.session()
        person, cohort = session.get(Participant, person_id), session.get(Cohort, cohort_id)
        move_member(session, person, cohort, actor="coordinator@example.org", override=True, now=_now())
        other = session.exec(select(CohortMember).where(CohortMember.participant_id != person_id)).first()
        first = approve_cohort(session, cohort, actor="coordinator@example.org", now=_now()).id
        # Someone asked not to meet them again, and they asked not to meet someone again.
        keep_apart(session, session.get(Participant, other.participant_id), person_id, actor="participant")
        keep_apart(session, person, other.participant_id, actor="participant")
        session.commit()
    run_once(app)  # the Zoom meeting, everyone's registration, the invitations and the host's briefing
    _meet(world, first, person_id, other.participant_id, guest=guest)
    later = _survey_time(app, first)
    run_once(app, later)  # the survey, or "sorry we missed you" to those who did not come
    _answer_survey(world)
    with app.app_context():
        session = database.session()
        second = schedule_next_meeting(session, session.get(Cohort, cohort_id), actor="test", now=later).id
        session.commit()
    run_once(app, later)  # registered at Zoom for the second meet-up, invited to it
    with app.app_context():
        registered = (
            database.session()
            .exec(select(MeetingRegistrant).where(MeetingRegistrant.participant_id == person_id))
            .all()
        )
    assert {registration.meeting_id for registration in registered} == {first, second}
    return Trail(person_id, cohort_id, first, second, {})


def _register(world: World) -> int:
    """Through the JSON API, every field filled; confirmed through the link in the email the worker sent."""
    app = world.app
    with app.app_context():
        session = database.session()
        _next_participant_id(session, PERSON_ID)
        session.commit()
    body = {
        "email": EMAIL, "display_name": NAME, "role": "patient", "condition": "cll",
        "stage": "watch-and-wait", "timezone": ZONE, "languages": ["es", "en"], "consent": True,
        "availability": [{"weekday": 0, "start": "09:00", "end": "21:00"}],
        "accessibility_needs": ["captions", "other"], "accessibility_note": f"Needs {PERSON} breaks",
    }  # fmt: skip
    client = app.test_client()
    assert client.post("/api/v1/programs/demo/registrations", json=body).status_code == 201
    run_once(app)
    verify = _link(world, "/p/demo/verify/")
    token = CSRF.search(client.get(verify).text).group(1)
    assert client.post(verify, data={"csrf_token": token}).status_code == 200
    with app.app_context():
        person = database.session().exec(select(Participant).where(Participant.email == EMAIL)).one()
    assert person.id == PERSON_ID and person.status == ParticipantStatus.VERIFIED
    return person.id


def _next_participant_id(session, wanted: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('participant', 'id'), :last)"), {"last": wanted - 1}
        )
        return
    # SQLite numbers a new row one past the highest id in use: a row of nobody, in another program.
    other = Program(slug="other", name="Other", organisation="Other", contact_email="other@example.org")
    session.add(other)
    session.flush()
    template = session.exec(select(Participant)).first()
    session.add(
        Participant(id=wanted - 1, program_id=other.id, display_name="Nobody", timezone="UTC",
                    condition_id=template.condition_id, consent_version="1", status=ParticipantStatus.ERASED)
    )  # fmt: skip


def _meet(world: World, meeting_id: int, person_id: int, other_id: int, *, guest: bool) -> None:
    """Zoom tells the app, through signed webhooks from the emulator, who came and when."""
    app, zoom = world.app, world.zoom
    with app.app_context():
        session = database.session()
        zoom_id = int(session.get(Meeting, meeting_id).zoom_meeting_id)
        registrant = session.exec(
            select(MeetingRegistrant.zoom_registrant_id).where(
                MeetingRegistrant.meeting_id == meeting_id, MeetingRegistrant.participant_id == person_id
            )
        ).one()
        other = session.get(Participant, other_id)
    zoom.configure(webhook_url=f"{world.server}/webhooks/zoom")
    me = {"registrant_id": registrant, "user_name": NAME, "email": EMAIL, "user_id": "1"}
    # Back after a dropped connection, from their own Zoom account rather than their link.
    me_again = {"user_name": NAME, "email": EMAIL, "user_id": f"{PERSON}-account"}
    someone = {"user_name": other.display_name, "email": other.email, "user_id": "2"}
    events = [("meeting.started", None)]
    for who in (me, someone, me_again) + (
        ({"user_name": f"{GUEST} Ana", "user_id": GUEST},) if guest else ()
    ):
        events += [("meeting.participant_joined", who), ("meeting.participant_left", who)]
    for event, who in [*events, ("meeting.ended", None)]:
        assert zoom.send_event(zoom_id, event, who)["status"] == 204
    with app.app_context():
        joined = (
            database.session().exec(select(Attendance).where(Attendance.participant_id == person_id)).all()
        )
    assert len(joined) == 2


def _answer_survey(world: World) -> None:
    client = world.app.test_client()
    survey = _link(world, "/s/", subject="How was your conversation?")
    token = CSRF.search(client.get(survey).text).group(1)
    answers = {
        "answer-feeling": "4", "answer-less_alone": "a_little", "answer-host_helped": "yes",
        "answer-meet_again": "yes", "answer-comments": f"Thank you all, {PERSON} comment",
        "csrf_token": token,
    }  # fmt: skip
    assert client.post(survey, data=answers).status_code == 200


def _text_us(app, program_id: int, person_id: int, *, stranger: str = "+12025550198") -> None:
    """Texts to our number: the person's STOP, words from their number we could not tell were theirs, and
    a stranger's (a marked number, for the retention purge)."""
    with app.app_context():
        session = database.session()
        phone = session.get(Participant, person_id).phone
        session.add_all(
            [
                TextReply(
                    message_sid="SM1", program_id=program_id, participant_id=person_id, from_number=phone,
                    body="STOP", meaning=ReplyMeaning.STOP,
                ),
                TextReply(
                    message_sid="SM2", program_id=program_id, from_number=phone,
                    body=f"It is {PERSON} here, running late", meaning=ReplyMeaning.OTHER,
                ),
                TextReply(
                    message_sid="SM3", program_id=program_id, from_number=stranger, body="See you there",
                    meaning=ReplyMeaning.OTHER,
                ),
            ]
        )  # fmt: skip
        session.commit()


def _confide(app, trail: Trail, *, host_words: str = "") -> None:
    """Concerns: the person's own, about another member; their host's about them, with a coordinator's note
    naming them; and the host's debrief of the first meeting, naming them too (and `host_words`)."""
    with app.app_context():
        session = database.session()
        program = session.exec(select(Program).where(Program.slug == "demo")).one()
        host = session.get(Host, session.get(Cohort, trail.cohort_id).host_id)
        other = session.exec(
            select(CohortMember).where(CohortMember.participant_id != trail.person_id)
        ).first()
        raise_concern(
            session, program, ConcernInput(f"{PERSON} felt unsafe", other.participant_id),
            reporter=Reporter.MEMBER, by_id=trail.person_id, meeting_id=trail.first, now=_now(),
        )  # fmt: skip
        about = raise_concern(
            session, program, ConcernInput(f"Worried about {NAME}. {host_words}", trail.person_id),
            reporter=Reporter.HOST, by_id=host.id, meeting_id=trail.first, now=_now(),
        )  # fmt: skip
        change_concern(
            session, about, ConcernChange(ConcernStatus.ACKNOWLEDGED, f"Called {NAME}."),
            by="coordinator@example.org", now=_now(),
        )  # fmt: skip
        record_debrief(
            session, host, session.get(Meeting, trail.first),
            DebriefInput(Mood.MIXED, f"{NAME} was upset. {host_words}", None), now=_now(),
        )  # fmt: skip
        session.commit()


def _concerns(app) -> list[tuple[str, str | None, list[str]]]:
    """What the concerns and debriefs keep: each concern's words, its reporter and what its notes say."""
    with app.app_context():
        session = database.session()
        concerns = session.exec(select(Concern).order_by(Concern.id)).all()
        notes = [debrief.note for debrief in session.exec(select(HostDebrief))]
        return [
            (concern.body, concern.reporter, [step["note"] for step in concern.history])
            for concern in concerns
        ] + [notes]


def _replies(app) -> list[tuple[str | None, str, str]]:
    with app.app_context():
        replies = database.session().exec(select(TextReply).order_by(TextReply.message_sid)).all()
        return [(reply.from_number, reply.body, reply.meaning) for reply in replies]


def _mark_every_personal_column(app, model, row_id: int, marker: str) -> None:
    """Every column not named in `NOT_PERSONAL` holds the marker (a text, a JSON value or a moment)."""
    with app.app_context():
        session = database.session()
        row = session.get(model, row_id)
        for offset, column in enumerate(model.__table__.columns):
            if column.key in NOT_PERSONAL[model]:
                continue
            value = getattr(row, column.key)
            kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
            if isinstance(kind, DateTime):
                value = MARKED_AT + timedelta(seconds=offset)
            elif isinstance(kind, JSON):
                value = value if marker in json.dumps(value) else {"note": marker}
            elif isinstance(kind, String):
                value = value if value and marker in value.casefold() else marker
            else:
                pytest.fail(f"{model.__name__}.{column.key}: say how to mark it, or that it is not personal")
            setattr(row, column.key, value)
        session.add(row)
        session.commit()


# What is left ----------------------------------------------------------------------------------------------


def _traces(app, markers: list[str]) -> list[tuple[str, str, Any]]:
    """Every cell of every table that holds a marker, the person's id, or a marked moment; the erased row's
    own id aside."""
    found = []
    with app.app_context():
        connection = database.session().connection()
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(select_rows(table)).mappings():
                for column in table.columns:
                    value = row[column.name]
                    if (table.name, column.name) == ("participant", "id") or value is None:
                        continue
                    words = value if isinstance(value, str) else json.dumps(value, default=str)
                    marked = any(marker in words.casefold() for marker in markers) or str(PERSON_ID) in words
                    if marked or (isinstance(value, datetime) and value.microsecond == MARKED_AT.microsecond):
                        found.append((table.name, column.name, value))
    return found


def _erased_row_keeps_only_counts(app, person_id: int) -> None:
    with app.app_context():
        person = database.session().get(Participant, person_id)
    assert person.status == ParticipantStatus.ERASED and person.role == "patient" and person.stage_id
    assert (person.email, person.verified_at, person.languages, person.avoid) == (None, None, [], [])
    assert person.created_at.weekday() == 6 and person.created_at < MARKED_AT  # Monday 00:00 in Madrid


def _figures(app, trail: Trail) -> dict[str, Any]:
    """The counts a coordinator sees: placed, registrations per week, survey rate, attendance."""
    with app.app_context():
        session = database.session()
        program = session.exec(select(Program).where(Program.slug == "demo")).one()
        survey = survey_results(session, program)
        report = program_report(session, program)
        attendance = meeting_attendance(session, session.get(Meeting, trail.first), now=_now())
        return {
            "placed": program_figures(session, program).placed,
            "weeks": registrations_per_week(session, program),
            "sent": survey.rate.sent,
            "answered": survey.rate.answered,
            "registered": report.registered_in_zoom,
            "attended": report.attended,
            "present": len(attendance.present),
        }


def _shows_my_comment(coordinator, program) -> None:
    page, exported = _results(coordinator)
    assert f"{PERSON} comment" in page and NAME in page
    assert any(f"{PERSON} comment" in cell for row in exported for cell in row)


def _hides_my_comment(coordinator, program) -> None:
    page, exported = _results(coordinator)
    assert PERSON not in page.casefold() and PERSON not in json.dumps(exported).casefold()
    assert "answer" in page.casefold() and len(exported) == 2  # the header, and their answer without words
    header, answer = exported
    assert "participant" not in header and answer[header.index("feeling")] == "4"


def _results(coordinator) -> tuple[str, list[list[str]]]:
    page = coordinator.get("/console/programs/demo/results")
    exported = coordinator.get("/console/programs/demo/results.csv")
    assert page.status_code == exported.status_code == 200
    return page.text, list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))


# Helpers ----------------------------------------------------------------------------------------------


def _link(world: World, path_start: str, *, subject: str | None = None) -> str:
    """The path of the first link to `path_start` in the latest email to the person, as they would tap it."""
    for message in reversed(world.mailbox.messages()):
        if message["To"].addresses[0].addr_spec != EMAIL or subject not in (None, message["Subject"]):
            continue
        words = message.get_body(preferencelist=("plain",)).get_content().split()
        links = [word for word in words if word.startswith(BASE_URL + path_start)]
        if links:
            return links[0].removeprefix(BASE_URL)
    raise AssertionError(f"no email to the person links to {path_start}")


def _zoom_registration_status(world: World, meeting_id: int) -> str:
    """The person's registration to the meeting, as Zoom (the emulator) holds it."""
    with world.app.app_context():
        zoom_id = int(database.session().get(Meeting, meeting_id).zoom_meeting_id)
    [mine] = [r for r in world.emulator.state.registrants(zoom_id) if r["email"] == EMAIL]
    return mine["status"]


def _survey_time(app, meeting_id: int) -> datetime:
    with app.app_context():
        session = database.session()
        meeting = session.get(Meeting, meeting_id)
        hours = session.exec(select(Program.survey_hours_after)).first()
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes, hours=hours, seconds=60)


def _now() -> datetime:
    return datetime.now(UTC)
