"""A member says "I'll be there" or "I can't come this time" from their invitation or reminder; the host
hears of it, a member not coming gets no reminder, and the answer can change until the meeting starts."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import url_for

from app.database import utcnow
from app.links import make_token
from app.messages.kinds import MessageKind
from app.models import Answer, Cohort, Meeting, MeetingAnswer, MessageStatus, Participant

INVITATION = "You are invited to a small group conversation"
REMINDER = "Reminder: your conversation is coming up"
HOST = "host-jonah@example.org"


def _reminder_time(kit):
    meeting, program = kit.meeting(), kit.program()
    return meeting.starts_at - timedelta(hours=program.reminder_hours_before, minutes=-1)


def test_the_invitation_carries_both_answers_and_opening_one_answers_nothing(kit):
    [invitation] = kit.emails_to(0, INVITATION)
    html = invitation.get_body(preferencelist=("html",)).get_content()

    coming, not_coming = kit.link(invitation, "/coming"), kit.link(invitation, "/not_coming")

    assert "I'll be there</a>" in html and "I can't come this time</a>" in html
    for path in (coming, not_coming):
        page = kit.client.get(path)
        assert page.status_code == 200 and 'method="post"' in page.text
    assert kit.rows(MeetingAnswer) == []  # a mail scanner opening the links answers for no one


def test_not_coming_tells_the_host_keeps_the_place_and_skips_the_reminder(kit):
    [invitation] = kit.emails_to(0, INVITATION)

    answered = kit.post(kit.link(invitation, "/not_coming"), {})
    kit.run_worker()

    assert answered.status_code == 200 and "You keep your place in the group" in answered.text
    [row] = kit.rows(MeetingAnswer)
    assert (row.participant_id, row.answer) == (kit.members[0], Answer.NOT_COMING)
    [told] = kit.emails_to_address(HOST, f"{kit.member(0).display_name} cannot come this time")
    assert "They keep their place in the group" in told.get_body(preferencelist=("plain",)).get_content()
    kit.run_worker(_reminder_time(kit))
    assert kit.emails_to(0, REMINDER) == []
    assert [len(kit.emails_to(number, REMINDER)) for number in (1, 2, 3)] == [1, 1, 1]
    skipped = [m for m in kit.messages(MessageKind.REMINDER) if m.participant_id == kit.members[0]]
    assert [(m.status, m.last_error) for m in skipped] == [
        (MessageStatus.SKIPPED, "they told us they cannot come")
    ]


def test_the_reminder_carries_both_answers_too(kit):
    kit.run_worker(_reminder_time(kit))
    [reminder] = kit.emails_to(1, REMINDER)

    page = kit.post(kit.link(reminder, "/coming"), {})

    assert page.status_code == 200 and "We look forward to seeing you" in page.text
    assert [row.answer for row in kit.rows(MeetingAnswer)] == [Answer.COMING]
    kit.run_worker()
    assert not [message for message in kit.emails_to_address(HOST) if "after all" in message["Subject"]]


def test_an_answer_changes_until_the_meeting_starts_and_the_host_hears_each_change(kit):
    [invitation] = kit.emails_to(2, INVITATION)
    not_coming, coming = kit.link(invitation, "/not_coming"), kit.link(invitation, "/coming")
    name = kit.member(2).display_name

    kit.post(not_coming, {})
    changed_back = kit.post(coming, {})
    kit.run_worker()

    assert changed_back.status_code == 200
    [row] = kit.rows(MeetingAnswer)
    assert (row.answer, row.changes) == (Answer.COMING, 1)
    subjects = [message["Subject"] for message in kit.emails_to_address(HOST)]
    # The first "cannot come" was overtaken before it went: the host hears only the answer that stands.
    assert f"{name} will come after all" in subjects and f"{name} cannot come this time" not in subjects
    kit.change(Meeting, kit.meeting_id, starts_at=utcnow() - timedelta(minutes=1))
    too_late = kit.post(not_coming, {})
    assert too_late.status_code == 409 and "already started" in too_late.text
    assert [row.answer for row in kit.rows(MeetingAnswer)] == [Answer.COMING]


def test_a_spanish_speaker_answers_in_spanish(kit):
    kit.change(Participant, kit.members[3], locale="es")
    kit.run_worker(_reminder_time(kit))
    [reminder] = kit.emails_to(3, "Recordatorio: se acerca su conversación")
    text = reminder.get_body(preferencelist=("plain",)).get_content()

    page = kit.client.get(kit.link(reminder, "/not_coming"))
    answered = kit.post(kit.link(reminder, "/not_coming"), {})

    assert "No puedo ir esta vez" in text and "Allí estaré" in text
    assert page.status_code == 200 and "¿Podrá asistir?" in page.text
    assert "Conserva su lugar en el grupo" in answered.text


def test_the_host_and_the_coordinator_see_each_member_s_answer(kit, console_client):
    [invitation] = kit.emails_to(0, INVITATION)
    kit.post(kit.link(invitation, "/not_coming"), {})
    kit.post(kit.link(kit.emails_to(1, INVITATION)[0], "/coming"), {})
    kit.run_worker()
    host_id = kit.rows(Cohort, id=kit.meeting().cohort_id)[0].host_id
    with kit.app.test_request_context():
        host_url = url_for("hosts.page", token=make_token("host", {"h": host_id}))
    host_page = kit.client.get(host_url)
    coordinator = console_client(admin=True)
    console_page = coordinator.get(f"/console/programs/{kit.program().slug}/meetings/{kit.meeting_id}")

    assert (host_page.status_code, console_page.status_code) == (200, 200)
    for page in (host_page.text, console_page.text):
        found = re.findall(r'member-name">([^<]+)</span>: <span class="answer[^"]*">([^<]+)<', page)
        answers = [(name, html.unescape(answer)) for name, answer in found]
        assert sorted(answers) == sorted(
            [(kit.member(0).display_name, "Can't come this time"), (kit.member(1).display_name, "Coming"),
             (kit.member(2).display_name, "No answer yet"), (kit.member(3).display_name, "No answer yet")]
        )  # fmt: skip


def test_a_moved_meeting_asks_again_and_an_answer_for_the_old_time_no_longer_stands(kit, console_client):
    [invitation] = kit.emails_to(0, INVITATION)
    kit.post(kit.link(invitation, "/not_coming"), {})
    kit.app.config["WTF_CSRF_ENABLED"] = False  # the console's own forms are tested with it elsewhere
    coordinator = console_client(admin=True)
    program, meeting = kit.program(), kit.meeting()
    later = (meeting.starts_at + timedelta(days=1)).astimezone(ZoneInfo(program.timezone))

    moved = coordinator.post(
        f"/console/programs/{program.slug}/meetings/{meeting.id}/reschedule",
        data={"starts_at": later.strftime("%Y-%m-%dT%H:%M"), "confirm": "yes"},
    )
    kit.run_worker()

    assert moved.status_code in (302, 303)
    assert kit.rows(MeetingAnswer) == []
    [changed] = kit.emails_to(0, "Your conversation has changed")
    assert kit.link(changed, "/not_coming") and kit.link(changed, "/coming")
