"""What members asked for so they can take part, acted on from approval to their inbox: the number to call,
meeting ID and phone passcode for whoever joins by phone, captions turned on at Zoom (and the host told), and
larger type for whoever asked for large text. Messages are read as a real SMTP server received them, by
postal-mime, a parser that shares no code with ours."""

from __future__ import annotations

import re
from email.parser import BytesParser
from email.policy import compat32
from typing import Any

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.messages.queue import queue_message
from app.models import Cohort, CohortMember, Host, Meeting, Participant
from app.services.access_needs import local_number
from app.services.approval import approve_cohort
from app.worker.runner import run_mail_work, run_once

from ..emails.wire import body_font_size, raw_messages, read_with_postal_mime

CAPTIONS_NOTE = "asked for captions, so Zoom's captions are turned on for this meeting"
PHONE_HEADING = {"en": "Joining by phone", "es": "Unirse por teléfono"}
PHONE_STEPS = {
    "en": "key in the meeting ID, then the phone passcode, each followed by #",
    "es": "marque el ID de la reunión y después el código de acceso telefónico, cada uno seguido de #",
}


def _members(session, cohort_id: int) -> list[Participant]:
    return session.exec(
        select(Participant)
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .where(CohortMember.cohort_id == cohort_id)
        .order_by(Participant.id)
    ).all()


def _approve(app, make_cohorts, **first_member: Any) -> dict[str, Any]:
    """One group of four whose first member answered the form with `first_member`, approved, its meeting
    made at Zoom and its invitations and host briefing sent; the meeting row, the members' addresses and
    the host's."""
    [cohort_id] = make_cohorts(1, size=4)
    with app.app_context():
        session = database.session()
        first, *others = _members(session, cohort_id)
        for field, value in first_member.items():
            setattr(first, field, value)
        meeting = approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()
        meeting_id = meeting.id
        first_email, other_emails = first.email, [other.email for other in others]
        host_email = session.get(Host, session.get(Cohort, cohort_id).host_id).email
    run_once(app)
    run_once(app)
    with app.app_context():
        meeting = database.session().get(Meeting, meeting_id)
    return {"meeting": meeting, "first": first_email, "others": other_emails, "host": host_email}


def _received(mailbox, address: str) -> list[dict[str, Any]]:
    """Every message to `address`, as postal-mime reads it, oldest first."""
    return [
        read_with_postal_mime(raw)
        for raw in raw_messages(mailbox.directory)
        if address in BytesParser(policy=compat32).parsebytes(raw, headersonly=True)["To"]
    ]


def _remind(app, meeting: Meeting, address: str) -> None:
    with app.app_context():
        session = database.session()
        participant = session.exec(select(Participant).where(Participant.email == address)).one()
        queue_message(
            session, kind=MessageKind.REMINDER, program_id=participant.program_id, recipient=address,
            dedupe_key=f"reminder:{participant.id}", send_at=utcnow(), meeting_id=meeting.id,
            participant_id=participant.id,
        )  # fmt: skip
        session.commit()
    run_mail_work(app)


@pytest.mark.parametrize("language", ["en", "es"])
def test_who_joins_by_phone_gets_the_number_meeting_id_and_phone_passcode_in_invitation_and_reminder(
    app, make_cohorts, mailbox, running_emulator, language
):
    # A Spanish mobile number: the number to call is Zoom's Madrid one, though the program is in the US.
    group = _approve(app, make_cohorts, accessibility_needs=["phone"], locale=language, phone="+34612345678")
    meeting = group["meeting"]
    at_zoom = running_emulator.emulator.state.get_meeting(int(meeting.zoom_meeting_id))
    assert meeting.zoom_dial_in_numbers == [
        {key: number[key] for key in ("country", "number", "city", "type")}
        for number in at_zoom["settings"]["global_dial_in_numbers"]
    ]
    assert meeting.zoom_phone_passcode == at_zoom["h323_password"]
    _remind(app, meeting, group["first"])

    invitation, reminder = _received(mailbox, group["first"])
    digits = meeting.zoom_meeting_id
    spaced = f"{digits[:3]} {digits[3:-4]} {digits[-4:]}"
    for message in (invitation, reminder):
        for body in (message["text"], message["html"]):
            assert PHONE_HEADING[language] in body and PHONE_STEPS[language] in body
            assert "+34 910 000 123" in body and "+1 646 555 0123" not in body
            assert spaced in body and at_zoom["h323_password"] in body
    for address in group["others"]:
        [others_invitation] = _received(mailbox, address)
        assert "Joining by phone" not in others_invitation["text"]
        assert at_zoom["h323_password"] not in others_invitation["text"] + others_invitation["html"]


def test_captions_asked_for_are_turned_on_at_zoom_and_the_host_is_told(
    app, make_cohorts, mailbox, running_emulator
):
    group = _approve(app, make_cohorts, accessibility_needs=["captions"])

    user = group["meeting"].zoom_user
    settings = running_emulator.emulator.state.user_settings(user)
    assert settings["in_meeting"]["closed_captioning"] == {"enable": True, "auto_transcribing": True}
    [briefing] = _received(mailbox, group["host"])
    assert CAPTIONS_NOTE in briefing["text"] and CAPTIONS_NOTE in briefing["html"].replace("&#39;", "'")
    host_page = app.test_client().get(_link(briefing["text"], "Your host page"))
    assert host_page.status_code == 200
    assert CAPTIONS_NOTE in host_page.get_data(as_text=True).replace("&#39;", "'")


def test_a_zoom_account_that_refuses_captions_still_gets_its_meeting_and_its_invitations(
    app, make_cohorts, mailbox, zoom, caplog
):
    # Zoom's answer when the app lacks the scope that user settings need: nothing another try would cure.
    lacking = "Invalid access token, does not contain scopes:[user:write:admin]."
    zoom.fail_next(401, code=4711, message=lacking)

    group = _approve(app, make_cohorts, accessibility_needs=["captions"])

    assert group["meeting"].zoom_meeting_id is not None
    assert len(_received(mailbox, group["first"])) == 1
    assert "Zoom refused to turn captions on" in caplog.text and "4711" in caplog.text


def test_without_captions_asked_for_zoom_and_the_host_hear_nothing_of_them(
    app, make_cohorts, mailbox, running_emulator
):
    group = _approve(app, make_cohorts)

    assert running_emulator.emulator.state.user_settings(group["meeting"].zoom_user) == {}
    assert not any(CAPTIONS_NOTE in message["text"] for message in _read_all(mailbox))


def test_a_member_who_asks_for_large_text_gets_emails_in_larger_type(app, make_cohorts, mailbox):
    group = _approve(app, make_cohorts, accessibility_needs=["large_text"])

    [invitation] = _received(mailbox, group["first"])
    [others_invitation] = _received(mailbox, group["others"][0])
    assert body_font_size(invitation["html"]) == 24
    assert body_font_size(others_invitation["html"]) == 19


def _read_all(mailbox) -> list[dict[str, Any]]:
    return [read_with_postal_mime(raw) for raw in raw_messages(mailbox.directory)]


def _link(text: str, label: str) -> str:
    """The path of the link the plain text gives after `label: `."""
    url = re.search(rf"{re.escape(label)}: (\S+)", text).group(1)
    return url.removeprefix("http://localhost")


NUMBERS = [
    {"country": "US", "number": "+1 800 555 0199", "type": "tollfree"},
    {"country": "US", "number": "+1 646 555 0123", "type": "toll"},
    {"country": "ES", "number": "+34 900 000 123", "type": "tollfree"},
    {"country": "GB", "number": "+44 20 7946 0123", "type": "toll"},
]


@pytest.mark.parametrize(
    ("numbers", "country", "number"),
    [
        (NUMBERS, "US", "+1 646 555 0123"),  # the country's toll number before its toll-free one
        (NUMBERS, "ES", "+34 900 000 123"),  # a country with only a toll-free number: that one
        (NUMBERS, "BR", "+1 646 555 0123"),  # a country with none: the first toll number
        (NUMBERS[:1], "BR", "+1 800 555 0199"),  # no toll number at all: the first there is
        ([], "US", None),
    ],
)
def test_the_number_to_call_is_the_callers_countrys_else_the_first_toll_number(numbers, country, number):
    assert local_number(numbers, country) == number
