"""Twilio's delivery reports: a text's state only moves forward, a failure tells the coordinator why, and a
refusal because the person replied STOP (21610) stops every text to the number."""

from __future__ import annotations

import pytest

from app.messages.kinds import MessageKind
from app.models import MessageStatus, OutboundMessage, TextReply

from .conftest import TextsKit, message_sid


def state(kit: TextsKit, message_id: int) -> tuple[str | None, str | None]:
    row = kit.row(OutboundMessage, message_id)
    return row.delivery_status, row.last_error


def test_reports_move_a_text_forward_and_a_late_one_never_moves_it_back(kit: TextsKit):
    message_id, sid = kit.sent_text("Ana")
    for status in ("sent", "delivered", "sent", "queued"):
        assert kit.report(sid, status).status_code == 200
    assert state(kit, message_id) == ("delivered", None)
    assert kit.row(OutboundMessage, message_id).status == MessageStatus.SENT


def test_a_delivered_text_stays_delivered_when_a_failure_arrives_late(kit: TextsKit):
    message_id, sid = kit.sent_text("Ana")
    kit.report(sid, "delivered")
    kit.report(sid, "undelivered", 30003)
    assert state(kit, message_id) == ("delivered", None)


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (
            "undelivered",
            30003,
            "Not delivered (Twilio error 30003: the phone is switched off or out of reach).",
        ),
        (
            "failed",
            30006,
            "Not delivered (Twilio error 30006: the number is a landline, or its carrier cannot take texts).",
        ),
        ("failed", 30410, "Not delivered (Twilio error 30410: see Twilio's list of error codes)."),
        ("undelivered", None, "Not delivered; Twilio gave no reason."),
    ],
)
def test_a_failed_delivery_shows_the_coordinator_why(kit: TextsKit, status, code, error):
    message_id, sid = kit.sent_text("Ana")
    kit.report(sid, "sent")
    kit.report(sid, status, code)
    assert state(kit, message_id) == (status, error)


def test_a_text_refused_because_the_person_replied_stop_stops_every_text_to_them(kit: TextsKit):
    message_id, sid = kit.sent_text("Ana")
    waiting, _ = kit.sent_text("Ana", kind=MessageKind.SURVEY, status=MessageStatus.PENDING)
    others, _ = kit.sent_text("Ben", kind=MessageKind.SURVEY, status=MessageStatus.PENDING)
    kit.report(sid, "failed", 21610)
    assert state(kit, message_id) == (
        "failed",
        "Not delivered (Twilio error 21610: the recipient replied STOP).",
    )
    assert kit.person("Ana").sms_opted_out_at is not None
    assert kit.row(OutboundMessage, waiting).status == MessageStatus.CANCELLED
    assert kit.row(OutboundMessage, others).status == MessageStatus.PENDING
    assert kit.person("Ben").sms_opted_out_at is None


def test_a_report_of_a_text_we_do_not_know_is_taken_and_ignored(kit: TextsKit):
    message_id, _ = kit.sent_text("Ana")
    answer = kit.report(message_sid(), "delivered")
    assert answer.status_code == 200 and answer.text.endswith("<Response/>")
    assert state(kit, message_id) == ("queued", None)
    assert kit.rows(TextReply) == []


def test_a_report_never_touches_an_email(kit: TextsKit):
    message_id, sid = kit.sent_text("Ana")
    from app import database

    with kit.app.app_context():
        session = database.session()
        row = session.get(OutboundMessage, message_id)
        row.channel = "email"
        session.add(row)
        session.commit()
    kit.report(sid, "delivered")
    assert state(kit, message_id) == ("queued", None)
