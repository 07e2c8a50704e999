"""Fuzzing `POST /webhooks/zoom`: whatever arrives, the answer is never a 5xx (which Zoom sends again),
nothing unsigned or stale is applied, and an odd but signed body is refused clearly or changes only what it
names. The fixed cases (forged, an hour stale, huge, not JSON) are in tests/lifecycle/test_zoom_webhooks.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app import database
from app.models import (
    Attendance,
    AuditEvent,
    Cohort,
    CohortMember,
    Condition,
    Meeting,
    MeetingRegistrant,
    Participant,
    ParticipantStatus,
    Program,
    ZoomEvent,
)
from integrations.zoom.webhooks import sign

from .conftest import SLUG

ZOOM_ID = "85746065123"
REGISTRANT = "reg-member"
MEMBER_EMAIL = "member.fuzz@example.org"
KNOWN_EVENTS = (
    "endpoint.url_validation",
    "meeting.started",
    "meeting.ended",
    "meeting.deleted",
    "meeting.participant_joined",
    "meeting.participant_left",
)


def fuzz(examples: int):
    """Hypothesis settings: reproducible runs (as the suite's other properties), small enough for CI."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# What arrives

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
# Text that JSON carries but databases and encoders choke on: NUL, lone surrogates, overlong, right-to-left.
odd_texts = st.sampled_from(
    ["", " ", "\x00", "a\x00b", "\ud800", "x\udfff", "é" * 201, "\u202eevil", "😀", "٣٤٥", "null", "0" * 40]
)
texts = st.text(max_size=40) | odd_texts
odd_ids = st.sampled_from([int(ZOOM_ID), f"0{ZOOM_ID}", 10**30, -1, True, 1.5, ZOOM_ID * 3]) | st.integers()
moments = st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.replace(tzinfo=None).isoformat())
times = st.builds(lambda moment, zone: moment + zone, moments, st.sampled_from(["Z", "+01:00", "-12:00", ""]))
times = times | st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "soon"])
odd_stamps = st.sampled_from([10**30, -(10**30), -1, True, 1.5, "1772463600000"]) | st.integers()
odd_values = texts | json_values | odd_ids | times | odd_stamps
header_values = st.none() | st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=80)
hex_signatures = st.binary(min_size=32, max_size=32).map(lambda digest: "v0=" + digest.hex())


def genuine(event: str, registrant: str, at: datetime) -> dict:
    """A delivery about our meeting as Zoom sends it; participant events name who joined or left."""
    meeting = {"id": ZOOM_ID, "uuid": "4444AAAiAAAAAiAiAiiAii==", "topic": "Peer meet-up"}
    if event.startswith("meeting.participant_"):
        meeting["participant"] = {
            "user_name": "Someone",
            "email": MEMBER_EMAIL,
            "registrant_id": registrant,
            "participant_user_id": "iFxeBPYun6SAiWUzBcEkX",
            "user_id": "16778240",
            "join_time" if event.endswith("joined") else "leave_time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    return {
        "event": event,
        "event_ts": int(at.timestamp() * 1000),
        "payload": {"account_id": "acc", "object": meeting},
    }


registrants = st.sampled_from([REGISTRANT, "reg-unknown"])
recent = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC))
genuine_joins = st.builds(genuine, st.just("meeting.participant_joined"), registrants, recent).map(
    lambda body: json.dumps(body).encode()
)


def _fields(body: dict) -> list[tuple[dict, str]]:
    """Every field of the body as (object, key), the most deeply nested first."""
    found, level = [], [body]
    while level:
        found[:0] = [(place, key) for place in level for key in place]
        level = [value for place in level for value in place.values() if isinstance(value, dict)]
    return found


@st.composite
def near_genuine(draw) -> dict:
    """A genuine delivery with one to three of its fields removed or replaced by odd values: the rest passes
    the parser's checks, so the odd field reaches the code behind them."""
    body = genuine(draw(st.sampled_from(KNOWN_EVENTS[1:])), draw(registrants), draw(recent))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        place, key = draw(st.sampled_from(_fields(body)))
        if draw(st.integers(min_value=0, max_value=3)) == 3:
            del place[key]
        else:
            place[key] = draw(odd_values)
    return body


# Any shape at all: known and unknown events, fields of any type, anywhere.
any_shape = st.fixed_dictionaries(
    {
        "event": st.sampled_from(KNOWN_EVENTS) | texts,
        "event_ts": st.integers(min_value=0, max_value=4_102_444_800_000) | odd_stamps | json_values,
        "payload": st.fixed_dictionaries({}, optional={"object": json_values, "plainToken": texts})
        | json_values,
    },
    optional={"extra": json_values},
)
json_bodies = (near_genuine() | any_shape | json_values).map(lambda body: json.dumps(body).encode())


# What we look at


class Stretch(NamedTuple):
    meeting_id: int
    participant_id: int | None
    key: str
    joined_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class State:
    """Everything a delivery may change."""

    deliveries: int
    attendance: tuple[Stretch, ...]
    meeting: tuple
    audits: int

    def of_our_meeting(self) -> tuple:
        """What a delivery about another meeting, or the URL check, must leave alone."""
        return self.attendance, self.meeting, self.audits


@pytest.fixture
def webhook(app, client):
    """Our meeting at Zoom (one member, registered at Zoom) and a way to deliver bodies to the endpoint."""
    with app.app_context():
        session = database.session()
        program = session.exec(select(Program).where(Program.slug == SLUG)).one()
        condition = session.exec(select(Condition).where(Condition.program_id == program.id)).first()
        cohort = Cohort(program_id=program.id, condition_id=condition.id, language="en", slot=14)
        member = Participant(
            program_id=program.id, email=MEMBER_EMAIL, display_name="Member", condition_id=condition.id,
            timezone="Europe/Madrid", languages=["en"], consent_version="1",
            status=ParticipantStatus.VERIFIED,
        )  # fmt: skip
        session.add_all([cohort, member])
        session.flush()
        meeting = Meeting(
            cohort_id=cohort.id,
            starts_at=datetime(2026, 12, 7, 14, tzinfo=UTC),
            calendar_uid="fuzz@peer-meetups",
            zoom_meeting_id=ZOOM_ID,
        )
        session.add_all([meeting, CohortMember(cohort_id=cohort.id, participant_id=member.id)])
        session.flush()
        session.add(
            MeetingRegistrant(meeting_id=meeting.id, participant_id=member.id, zoom_registrant_id=REGISTRANT)
        )
        session.commit()
        member_id = member.id
    return Webhook(app, client, app.config["SETTINGS"].zoom_webhook_secret_token, member_id)


class Webhook:
    """Delivers bodies to `POST /webhooks/zoom` and reads back what deliveries may change."""

    def __init__(self, app, client, secret: str, member_id: int):
        self.app, self.client, self.secret, self.member_id = app, client, secret, member_id

    def deliver(self, raw: bytes, *, timestamp: str | None = None, signature: str | None = None):
        """POST `raw`, signed as Zoom would sign it unless a timestamp or signature header is given."""
        timestamp = str(int(time.time())) if timestamp is None else timestamp
        signature = sign(self.secret, timestamp, raw) if signature is None else signature
        return self.post(raw, {"x-zm-request-timestamp": timestamp, "x-zm-signature": signature})

    def post(self, raw: bytes, headers: dict[str, str | None]):
        sent = {name: value for name, value in headers.items() if value is not None}
        return self.client.post("/webhooks/zoom", data=raw, headers=sent, content_type="application/json")

    def state(self) -> State:
        with self.app.app_context():
            session = database.session()
            meeting = session.exec(select(Meeting).where(Meeting.zoom_meeting_id == ZOOM_ID)).one()
            stretches = session.exec(select(Attendance).order_by(Attendance.id)).all()
            return State(
                deliveries=len(session.exec(select(ZoomEvent.id)).all()),
                attendance=tuple(
                    Stretch(s.meeting_id, s.participant_id, s.zoom_participant_key, s.joined_at, s.left_at)
                    for s in stretches
                ),
                meeting=(meeting.status, meeting.started_at, meeting.ended_at, meeting.zoom_vanished_at),
                audits=len(session.exec(select(AuditEvent.id)).all()),
            )


def assert_refused(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert isinstance(response.get_json().get("error"), str)


# (a) unsigned


@st.composite
def unsigned_headers(draw, raw: bytes, secret: str):
    """Signature headers missing, garbled or made up; or a genuine signature made with another secret, of
    another body, or for another moment than the timestamp header says."""
    timestamp = draw(header_values | st.integers(min_value=0, max_value=2**40).map(str))
    now = str(int(time.time()))
    signature = draw(
        header_values
        | hex_signatures
        | st.just(sign("not-the-webhook-secret", timestamp or now, raw))
        | st.just(sign(secret, timestamp or now, raw + b" "))
        | st.just(sign(secret, f"{timestamp}0", raw))
    )
    return {"x-zm-request-timestamp": timestamp, "x-zm-signature": signature}


@fuzz(150)
@given(data=st.data(), raw=st.binary(max_size=2000) | json_bodies)
def test_an_unsigned_delivery_is_refused_and_changes_nothing(webhook, data, raw):
    before = webhook.state()
    response = webhook.post(raw, data.draw(unsigned_headers(raw, webhook.secret)))
    assert_refused(response, 401)
    assert webhook.state() == before


# (b) signed, of any shape


def _names_our_meeting(raw: bytes) -> bool:
    """Whether a body names our meeting where Zoom puts the meeting id (as text or as a number)."""
    body = json.loads(raw)
    payload = body.get("payload") if isinstance(body, dict) else None
    meeting = payload.get("object") if isinstance(payload, dict) else None
    found = meeting.get("id") if isinstance(meeting, dict) else None
    return not isinstance(found, bool) and found in (ZOOM_ID, int(ZOOM_ID))


def _event(event: str, payload: dict, event_ts: object = 1772463600000) -> bytes:
    return json.dumps({"event": event, "event_ts": event_ts, "payload": payload}).encode()


def _joined_with(**participant) -> bytes:
    """A participant_joined for our meeting, with some of its participant's fields replaced."""
    who = {"user_name": "A", "join_time": "2026-03-02T15:01:30Z", **participant}
    return _event("meeting.participant_joined", {"object": {"id": ZOOM_ID, "participant": who}})


# Signed bodies that were answered with a 500 before the parser bounded what it accepts.
ONCE_FATAL = (
    _event("meeting.started", {"object": {"id": ZOOM_ID}}, event_ts=10**30),
    _event("meeting.started", {"object": {"id": "9" * 40}}),
    _event("endpoint.url_validation", {"plainToken": "\ud800"}),
    b'{"event": "meeting.started", "event_ts": 1, "payload": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
    _joined_with(email=["a@example.org"]),
    _joined_with(user_id={"nested": []}),
    _joined_with(user_name="x" * 300),
    _joined_with(user_name="A\x00"),
    _joined_with(join_time="0001-01-01T00:00:00+01:00"),
)


def with_examples(*bodies: bytes):
    """Always try these bodies too, before the generated ones."""

    def decorate(test):
        for raw in bodies:
            test = example(raw=raw)(test)
        return test

    return decorate


@with_examples(*ONCE_FATAL)
@fuzz(250)
@given(raw=json_bodies)
def test_a_signed_delivery_of_any_shape_is_refused_clearly_or_changes_only_what_it_names(webhook, raw):
    before = webhook.state()
    response = webhook.deliver(raw)
    after = webhook.state()
    assert response.status_code in (200, 204, 400), response.text
    if response.status_code == 400:
        assert_refused(response, 400)
        assert after == before
        return
    assert after.deliveries - before.deliveries <= 1
    if response.status_code == 200 or not _names_our_meeting(raw):
        assert after.of_our_meeting() == before.of_our_meeting()
        return
    assert len(after.attendance) - len(before.attendance) <= 1
    assert {stretch.participant_id for stretch in after.attendance} <= {webhook.member_id, None}


# (c) replays

stale_ages = st.integers(min_value=302, max_value=10**9) | st.integers(min_value=-(10**9), max_value=-302)
odd_timestamps = st.sampled_from(
    ["", "-1", "+1772463600", " 1772463600", "1_772_463_600", "1e9", "١٧٧٢٤٦٣٦٠٠"]
)
odd_timestamps = odd_timestamps | st.just("9" * 400) | header_values.filter(bool)


@fuzz(60)
@given(raw=genuine_joins, timestamp=stale_ages.map(lambda age: str(int(time.time()) - age)) | odd_timestamps)
def test_a_genuinely_signed_delivery_with_an_old_or_odd_timestamp_is_refused(webhook, raw, timestamp):
    before = webhook.state()
    assert_refused(webhook.deliver(raw, timestamp=timestamp), 401)
    assert webhook.state() == before
    assert webhook.deliver(raw).status_code == 204  # the same body, signed now, is taken


# (d) the endpoint URL check

ZOOM_LIKE_TOKEN = r"[A-Za-z0-9_-]{1,64}"  # the plain tokens Zoom sends: these must always be answered


@example(plain_token="\ud800")  # answered 500 before
@fuzz(100)
@given(plain_token=st.from_regex(ZOOM_LIKE_TOKEN, fullmatch=True) | texts | json_values)
def test_the_url_check_proves_the_secret_for_any_plain_token_or_refuses_it_clearly(webhook, plain_token):
    body = {
        "event": "endpoint.url_validation",
        "event_ts": 1772463600000,
        "payload": {"plainToken": plain_token},
    }
    before = webhook.state()
    response = webhook.deliver(json.dumps(body).encode())
    assert webhook.state() == before
    if response.status_code == 400:
        assert_refused(response, 400)
        assert not (isinstance(plain_token, str) and re.fullmatch(ZOOM_LIKE_TOKEN, plain_token))
        return
    assert response.status_code == 200, response.text
    proof = hmac.new(webhook.secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    assert response.get_json() == {"plainToken": plain_token, "encryptedToken": proof}
