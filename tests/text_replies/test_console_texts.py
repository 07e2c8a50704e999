"""Coordinators read the texts people sent: a program's page, newest first and page by page, with each sender
linked to their group; an unread count in the program's navigation; "mark as read", audited; and, for
admins, the texts from numbers we do not know."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from app import database
from app.database import utcnow
from app.models import AuditEvent, TextReply
from app.services.keyset import PAGE_SIZE

from .conftest import TextsKit, message_sid

PAGE = "/console/programs/demo/texts"


def unread_in_navigation(page: str) -> int | None:
    found = re.search(r"Texts people sent <span class=\"count\">\((\d+) unread\)</span>", page)
    return int(found.group(1)) if found else None


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_page_lists_each_text_with_its_sender_meaning_meeting_and_local_time(
    kit: TextsKit, console_client
):
    kit.sent_text("Ana")
    kit.text_from(kit.phones["Ana"], "NO")
    kit.text_from(kit.phones["Ben"], "Can I bring my husband?")
    client = console_client("demo")
    page = unescape(client.get(PAGE).text)
    rows = re.findall(r"<tr class=\"unread\">(.*?)</tr>", page, re.S)
    assert len(rows) == 2
    assert "Ben" in rows[0] and "Can I bring my husband?" in rows[0]  # newest first
    assert "Anything else: for you to read" in rows[0]
    assert "Ana" in rows[1] and "Can't come (recorded, and confirmed to them)" in rows[1]
    meeting = kit.meeting()
    assert f'/console/programs/demo/meetings/{kit.meeting_id}"' in rows[1]
    cohort = f'/console/programs/demo/cohorts/{meeting.cohort_id}">Ana</a>'
    assert cohort in rows[1]
    assert re.search(r"<time [^>]*>[^<]* \d\d:\d\d CES?T</time>", rows[0])  # the program's zone (Madrid)
    assert unread_in_navigation(page) == 2
    [viewed] = kit.rows(AuditEvent, AuditEvent.action == "console.viewed_texts")
    assert viewed.actor.startswith("coordinator-")


def test_marking_a_text_read_lowers_the_unread_count_and_is_audited(kit: TextsKit, console_client):
    kit.text_from(kit.phones["Ben"], "Running late?")
    kit.text_from(kit.phones["Ana"], "Thank you!")
    client = console_client("demo", email="coordinator@example.org")
    page = client.get(PAGE).text
    [ben] = kit.rows(TextReply, TextReply.body == "Running late?")
    answer = client.post(f"{PAGE}/{ben.id}/read", data={"csrf_token": csrf_token(page), "next": PAGE})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(PAGE)
    page = client.get(PAGE).text
    assert unread_in_navigation(page) == 1
    assert "Read by coordinator@example.org" in page
    marked = kit.row(TextReply, ben.id)
    assert marked.seen_by == "coordinator@example.org" and marked.seen_at is not None
    [event] = kit.rows(AuditEvent, AuditEvent.action == "text.marked_read")
    assert (event.subject_type, event.subject_id) == ("text", str(ben.id))
    # Every console page of the program shows the count.
    assert unread_in_navigation(client.get("/console/programs/demo/waitlist").text) == 1


def test_marking_read_needs_the_form_token(kit: TextsKit, console_client):
    kit.text_from(kit.phones["Ben"], "Running late?")
    [ben] = kit.rows(TextReply)
    client = console_client("demo")
    assert client.post(f"{PAGE}/{ben.id}/read").status_code == 400
    assert kit.row(TextReply, ben.id).seen_at is None


def test_a_coordinator_of_another_program_sees_none_of_its_texts(kit: TextsKit, console_client):
    kit.text_from(kit.phones["Ben"], "Running late?")
    [ben] = kit.rows(TextReply)
    stranger = console_client()
    assert stranger.get(PAGE).status_code == 404
    token = csrf_token(stranger.get("/console/account/password").text)
    assert stranger.post(f"{PAGE}/{ben.id}/read", data={"csrf_token": token}).status_code == 404
    assert kit.row(TextReply, ben.id).seen_at is None


def test_the_texts_come_page_by_page(kit: TextsKit, console_client):
    with kit.app.app_context():
        session = database.session()
        ana = kit.person("Ana")
        now = utcnow()
        session.add_all(
            TextReply(
                message_sid=message_sid(),
                program_id=ana.program_id,
                participant_id=ana.id,
                from_number=ana.phone,
                body=f"Text {n}",
                meaning="other",
                received_at=now - timedelta(minutes=n),
            )
            for n in range(PAGE_SIZE + 5)
        )
        session.commit()
    client = console_client("demo")
    first = unescape(client.get(PAGE).text)
    assert "Text 0<" in first and f"Text {PAGE_SIZE - 1}<" in first and f"Text {PAGE_SIZE}<" not in first
    following = re.search(r'<a href="([^"]+)" rel="next">', first).group(1)
    second = unescape(client.get(unescape(following)).text)
    assert f"Text {PAGE_SIZE}<" in second and f"Text {PAGE_SIZE + 4}<" in second and "Text 0<" not in second


def test_admins_read_texts_from_numbers_we_do_not_know(kit: TextsKit, console_client):
    kit.text_from("+15550199999", "Who is this?")
    kit.text_from(kit.phones["Ana"], "Thanks")
    admin = console_client(admin=True)
    page = admin.get("/console/texts/unknown").text
    assert "+15550199999" in page and "Who is this?" in page and "Thanks" not in page
    [unknown] = kit.rows(TextReply, TextReply.program_id.is_(None))
    assert (
        admin.post(
            f"/console/texts/unknown/{unknown.id}/read", data={"csrf_token": csrf_token(page)}
        ).status_code
        == 302
    )
    assert kit.row(TextReply, unknown.id).seen_at is not None
    coordinator = console_client("demo")
    assert coordinator.get("/console/texts/unknown").status_code == 403
