"""Zoom's notifications: only genuine, fresh ones count, repeats are harmless, attendance adds up."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app import database
from app.models import Attendance, AuditEvent, Cohort, Meeting, MeetingRegistrant, MeetingStatus, Participant
from integrations.zoom.webhooks import sign

from .conftest import WEBHOOK_SECRET

ZOOM_ID = "81234567890"
START = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


@pytest.fixture
def meeting(app, make_cohorts):
    [cohort_id] = make_cohorts(1, size=3)
    with app.app_context():
        session = database.session()
        meeting = Meeting(
            cohort_id=cohort_id,
            starts_at=START,
            calendar_uid="webhook-test@peer-meetups",
            zoom_meeting_id=ZOOM_ID,
        )
        session.add(meeting)
        session.flush()
        session.get(Cohort, cohort_id).status = "approved"
        members = session.exec(select(Participant).order_by(Participant.id)).all()
        for number, member in enumerate(members):
            session.add(
                MeetingRegistrant(
                    meeting_id=meeting.id, participant_id=member.id, zoom_registrant_id=f"reg-{number}"
                )
            )
        session.commit()
        return meeting


def _post(client, body: dict, *, timestamp: int | None = None, secret: str = WEBHOOK_SECRET):
    raw = json.dumps(body).encode()
    stamp = timestamp if timestamp is not None else int(time.time())
    headers = {"x-zm-request-timestamp": str(stamp), "x-zm-signature": sign(secret, stamp, raw)}
    return client.post("/webhooks/zoom", data=raw, headers=headers, content_type="application/json")


def _participant_event(event: str, registrant: str | None, at: datetime, **extra) -> dict:
    who = {
        "user_name": "Someone",
        "registrant_id": registrant,
        "participant_user_id": registrant or "guest-1",
        **extra,
    }
    who["join_time" if event.endswith("joined") else "leave_time"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "event": f"meeting.participant_{event}",
        "event_ts": int(at.timestamp() * 1000),
        "payload": {"account_id": "acc", "object": {"id": ZOOM_ID, "uuid": "u1", "participant": who}},
    }


def _stretches(app):
    with app.app_context():
        return database.session().exec(select(Attendance).order_by(Attendance.id)).all()


def test_url_validation_proves_we_hold_the_secret(client):
    response = _post(
        client, {"event": "endpoint.url_validation", "event_ts": 1, "payload": {"plainToken": "abc"}}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["plainToken"] == "abc" and len(body["encryptedToken"]) == 64


@pytest.mark.parametrize(
    ("secret", "age"),
    [("not-the-secret", 0), (WEBHOOK_SECRET, 3600)],
    ids=["forged", "replayed-an-hour-later"],
)
def test_forged_or_stale_deliveries_are_refused(client, meeting, secret, age):
    event = _participant_event("joined", "reg-0", START)
    response = _post(client, event, timestamp=int(time.time()) - age, secret=secret)
    assert response.status_code == 401
    assert _stretches(client.application) == []


def test_unsigned_malformed_and_huge_bodies_are_refused(client):
    assert client.post("/webhooks/zoom", data=b"{}").status_code == 401
    stamp = int(time.time())
    bad = b"{not json"
    headers = {"x-zm-request-timestamp": str(stamp), "x-zm-signature": sign(WEBHOOK_SECRET, stamp, bad)}
    assert client.post("/webhooks/zoom", data=bad, headers=headers).status_code == 400
    assert _post(client, {"event": "x", "event_ts": 1, "payload": {"pad": "x" * 100_000}}).status_code == 413


def test_joins_and_leaves_become_attendance_matched_to_registrants(client, meeting):
    app = client.application
    assert _post(client, _participant_event("joined", "reg-0", START)).status_code == 204
    assert (
        _post(client, _participant_event("left", "reg-0", START + timedelta(minutes=20))).status_code == 204
    )
    assert (
        _post(client, _participant_event("joined", "reg-0", START + timedelta(minutes=25))).status_code == 204
    )
    assert (
        _post(client, _participant_event("left", "reg-0", START + timedelta(minutes=55))).status_code == 204
    )
    stretches = _stretches(app)
    assert [(s.joined_at, s.left_at) for s in stretches] == [
        (START, START + timedelta(minutes=20)),
        (START + timedelta(minutes=25), START + timedelta(minutes=55)),
    ]
    with app.app_context():
        first_member = database.session().exec(select(Participant).order_by(Participant.id)).first()
    assert {s.participant_id for s in stretches} == {first_member.id}


def test_a_repeated_delivery_changes_nothing(client, meeting):
    event = _participant_event("joined", "reg-1", START)
    stamp = int(time.time())
    assert _post(client, event, timestamp=stamp).status_code == 204
    assert _post(client, event, timestamp=stamp).status_code == 204
    assert len(_stretches(client.application)) == 1


def test_an_unknown_attendee_is_recorded_without_a_registrant(client, meeting):
    _post(client, _participant_event("joined", None, START, email="stranger@example.net"))
    [stretch] = _stretches(client.application)
    assert stretch.participant_id is None


def test_meeting_end_closes_everyone_still_in_it(client, meeting):
    _post(client, _participant_event("joined", "reg-2", START))
    ended = {"event": "meeting.ended", "event_ts": int((START + timedelta(hours=1)).timestamp() * 1000),
             "payload": {"account_id": "acc", "object": {"id": ZOOM_ID, "uuid": "u1"}}}  # fmt: skip
    assert _post(client, ended).status_code == 204
    [stretch] = _stretches(client.application)
    assert stretch.left_at == START + timedelta(hours=1)
    with client.application.app_context():
        assert database.session().get(Meeting, meeting.id).status == MeetingStatus.ENDED


def test_a_meeting_deleted_on_zoom_is_flagged_for_the_coordinator(client, meeting):
    deleted = {"event": "meeting.deleted", "event_ts": int(time.time() * 1000),
               "payload": {"account_id": "acc", "object": {"id": ZOOM_ID, "uuid": "u1"}}}  # fmt: skip
    assert _post(client, deleted).status_code == 204
    with client.application.app_context():
        session = database.session()
        assert session.get(Meeting, meeting.id).zoom_vanished_at is not None
        assert session.exec(select(AuditEvent.action)).all() == ["zoom.meeting_vanished"]
