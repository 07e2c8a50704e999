"""The host's debrief: the email once the meeting has ended, the form behind its link, what is kept, and the
coordinator reading it on the meeting's console page; in English and in Spanish."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.database import utcnow
from app.messages.kinds import MessageKind
from app.models import AuditEvent, Concern, HostDebrief, Meeting, MessageStatus, OutboundMessage

from .conftest import COORDINATOR

WORDS = {
    "en": {
        "subject": "How did your group's conversation go?",
        "page": "How did the conversation go?",
        "thanks": "The coordinators have your debrief.",
        "again": "You already told us how this meeting went.",
        "missing": "Tell us what concerns you.",
    },
    "es": {
        "subject": "¿Cómo fue la conversación de su grupo?",
        "page": "¿Cómo fue la conversación?",
        "thanks": "Los coordinadores tienen su valoración.",
        "again": "Ya nos contó cómo fue esta reunión.",
        "missing": "Cuéntenos qué le preocupa.",
    },
}
CONCERN = "Member 0.1 spoke of wanting to stop treatment; I was worried."


def _debrief_link(kit, locale: str) -> str:
    host = kit.host()
    [email] = [
        message
        for message in kit.emails_to_address(host.email)
        if message["Subject"] == WORDS[locale]["subject"]
    ]
    return kit.link_in(email, "/host/debrief/")


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_host_debriefs_from_the_email_and_the_coordinator_reads_it(make_kit, coordinator, locale):
    kit = make_kit(locale)
    kit.run_worker(kit.meeting().starts_at)  # as the meeting starts: no debrief yet
    assert [
        m for m in kit.emails_to_address(kit.host().email) if m["Subject"] == WORDS[locale]["subject"]
    ] == []

    kit.end_meeting()
    link = _debrief_link(kit, locale)
    page = kit.client.get(link)
    assert page.status_code == 200 and WORDS[locale]["page"] in page.text
    assert f'<html lang="{locale}">' in page.text
    assert "Member 0.1" in page.text  # a concern may name a member of the group, by display name

    refused = kit.post(
        link, {"mood": "hard", "note": "Quiet at first.", "raise_concern": "yes", "concern": ""}
    )
    assert refused.status_code == 422 and WORDS[locale]["missing"] in refused.text
    about = kit.member(1)
    sent = kit.post(
        link,
        {
            "mood": "hard",
            "note": "Quiet at first.",
            "raise_concern": "yes",
            "concern": CONCERN,
            "about": str(about.id),
        },
    )

    assert sent.status_code == 200 and WORDS[locale]["thanks"] in sent.text
    [debrief] = kit.rows(HostDebrief)
    [concern] = kit.rows(Concern)
    assert (debrief.meeting_id, debrief.host_id, debrief.mood, debrief.note) == (
        kit.meeting_id,
        kit.host().id,
        "hard",
        "Quiet at first.",
    )
    assert debrief.concern_id == concern.id
    assert (concern.reporter, concern.host_id, concern.participant_id) == ("host", kit.host().id, None)
    assert (concern.about_id, concern.meeting_id, concern.status, concern.body) == (
        about.id,
        kit.meeting_id,
        "new",
        CONCERN,
    )
    assert WORDS[locale]["again"] in kit.client.get(link).text  # once only

    meeting_page = coordinator.get(f"/console/programs/demo/meetings/{kit.meeting_id}").text
    assert "Host's debrief" in meeting_page and "It was difficult" in meeting_page
    assert "Quiet at first." in meeting_page and f"#concern-{concern.id}" in meeting_page
    queue = coordinator.get("/console/programs/demo/concerns").text
    assert CONCERN in queue and "from host Jonah" in queue and "About</dt><dd>Member 0.1" in queue


def test_a_debrief_without_a_concern_raises_none(kit):
    kit.end_meeting()
    sent = kit.post(
        _debrief_link(kit, "en"), {"mood": "well", "note": "", "concern": "ignored unless ticked"}
    )

    assert sent.status_code == 200
    [debrief] = kit.rows(HostDebrief)
    assert (debrief.mood, debrief.concern_id) == ("well", None)
    assert kit.rows(Concern) == [] and kit.messages(MessageKind.CONCERN_RAISED) == []


def test_the_debrief_email_is_not_sent_once_the_host_has_answered(kit):
    kit.end_meeting()
    [email] = kit.messages(MessageKind.HOST_DEBRIEF)
    assert email.status == MessageStatus.SENT and email.not_after is not None


@pytest.mark.parametrize("locale", ["en", "es"])
def test_a_meeting_that_never_started_sends_no_debrief_and_is_flagged_to_the_coordinator(
    make_kit, coordinator, locale
):
    kit = make_kit(locale)
    meeting = kit.meeting()
    kit.run_worker(meeting.ends_at + timedelta(seconds=30))  # Zoom never said it started; no one was marked
    kit.change(Meeting, meeting.id, starts_at=utcnow() - timedelta(minutes=meeting.duration_minutes + 60))

    subjects = [message["Subject"] for message in kit.emails_to_address(kit.host().email)]
    assert WORDS[locale]["subject"] not in subjects
    [debrief] = kit.messages(MessageKind.HOST_DEBRIEF)
    assert debrief.status != MessageStatus.SENT and "never started" in debrief.last_error
    listed = coordinator.get("/console/programs/demo/meetings?when=past").text
    assert "Never started" in listed and f"/meetings/{kit.meeting_id}/attendance" in listed


def test_a_debrief_link_changed_by_hand_or_posted_without_the_form_is_refused(kit):
    kit.end_meeting()
    link = _debrief_link(kit, "en")

    assert kit.client.get(link[:-3] + "abc").status_code == 400
    assert kit.client.post(link, data={"mood": "well"}).status_code == 400  # no CSRF token
    start_link_of_another_meeting = link.rsplit("/", 1)[0] + "/not-a-token"
    assert kit.client.get(start_link_of_another_meeting).status_code == 400
    assert kit.rows(HostDebrief) == []


def test_before_the_meeting_ends_the_link_says_to_come_back(kit):
    from app.links import make_token

    with kit.app.test_request_context():
        token = make_token("host", {"h": kit.host().id, "m": kit.meeting_id})
    page = kit.client.get(f"/host/debrief/{token}")

    assert page.status_code == 200 and "This meeting has not ended yet" in page.text
    assert "csrf_token" not in page.text


def test_each_coordinator_of_the_program_is_emailed_once_and_never_the_concern(kit, coordinator):
    kit.end_meeting()
    kit.post(_debrief_link(kit, "en"), {"mood": "mixed", "raise_concern": "yes", "concern": CONCERN})
    kit.run_worker()
    kit.run_worker()  # a second round sends nothing again

    [message] = kit.messages(MessageKind.CONCERN_RAISED)
    assert (message.recipient, message.status) == (COORDINATOR, MessageStatus.SENT)
    [email] = kit.emails_to_address(COORDINATOR)
    assert email["Subject"] == "A concern came in"
    whole = email.as_string()
    assert "concern" in whole and CONCERN.split(";")[0] not in whole and "Member 0.1" not in whole
    assert "Jonah" not in whole  # not even who raised it
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert "http://localhost/console/programs/demo/concerns" in text
    [raised] = kit.rows(AuditEvent, action="concern.raised")
    assert raised.actor == "host" and CONCERN not in str(raised.detail)
    assert kit.rows(OutboundMessage, kind=MessageKind.CONCERN_RAISED, status=MessageStatus.SENT) == [message]
