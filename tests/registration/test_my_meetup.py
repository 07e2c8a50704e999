""" "My meet-up" on the page behind the manage link: the next meeting with all it takes to join, or, before
placement, where the person honestly stands."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.models import Meeting, MessageStatus, OutboundMessage, Participant, ParticipantStatus
from app.services.meeting_answers import answer_of
from app.services.meeting_changes.rescheduling import reschedule_meeting

from ..emails.wire import calendar_lines, calendar_values
from .conftest import PERSONAL_JOIN_URL, ZOOM_PASSCODE, ZOOM_PHONE_PASSCODE


def _meeting(kit, meeting_id: int) -> Meeting:
    with kit.app.app_context():
        return database.session().get(Meeting, meeting_id)


def _manage(kit, participant, **headers) -> tuple[str, str]:
    path = kit.signed_path(kit.manage, "manage", participant.id)
    return path, unescape(kit.client.get(path, headers=headers).text)


def _link(page: str, words: str) -> str:
    match = re.search(rf'<a [^>]*href="([^"]+)"[^>]*>{re.escape(words)}</a>', page)
    assert match, f"no link {words!r}"
    return match.group(1)


def _form_action(page: str, button: str) -> str:
    forms = re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    return next(action for action, body in forms if button in body)


@pytest.mark.parametrize(
    ("language", "weekday", "clock"),
    [("en", "Tuesday", lambda local: f"{local:%-I}:00"), ("es", "martes", lambda local: f"{local:%H}:00")],
)
def test_a_placed_member_sees_their_next_meeting_in_their_own_zone_and_language(
    kit, place, language, weekday, clock
):
    river = kit.register_and_verify()
    meeting = _meeting(kit, place(river))
    _path, page = _manage(kit, river, **{"Accept-Language": language})
    local = meeting.starts_at.astimezone(ZoneInfo("Europe/Madrid"))  # River's zone; slot 40 is Tuesday UTC
    assert weekday in page and clock(local) in page and "Europe/Madrid" in page
    assert f'href="{PERSONAL_JOIN_URL}"' in page.replace("&amp;", "&")
    assert "Amara" in page and "Okafor" not in page  # the host by first name only
    others = _others(kit)
    assert len(others) == 3 and all(f"<li>{name}</li>" in page for name in others)
    assert "demo-participant-" not in page and "amara@example.org" not in page  # never others' addresses


def test_a_member_answers_from_the_page_and_sees_their_answer(kit, place):
    river = kit.register_and_verify()
    meeting_id = place(river)
    _path, page = _manage(kit, river)
    assert "You have not told us yet." in page
    answered = kit.client.post(
        _form_action(page, "I can't come this time"),
        data={"csrf_token": kit.csrf_token(_path)},
    )
    assert answered.status_code == 200
    _path, page = _manage(kit, river)
    assert "You told us: I can't come this time." in page
    assert "Yes, I'll be there" in page  # they can still change their mind
    with kit.app.app_context():
        assert answer_of(database.session(), meeting_id, river.id) == "not_coming"


def test_a_moved_meeting_shows_the_old_and_the_new_time(kit, place):
    river = kit.register_and_verify()
    meeting_id = place(river)
    _told_of(kit, river, meeting_id)
    before = _meeting(kit, meeting_id).starts_at
    after = _move(kit, meeting_id, timedelta(days=1, hours=2))
    _path, page = _manage(kit, river)
    madrid = ZoneInfo("Europe/Madrid")
    notice = re.search(r'<p class="notice">This meeting has moved from (.*?) to (.*?)\.</p>', page, re.S)
    assert notice, "no word of the move"
    assert f"{before.astimezone(madrid):%-I}:00" in notice.group(1) and "Tuesday" in notice.group(1)
    assert f"{after.astimezone(madrid):%-I}:00" in notice.group(2) and "Wednesday" in notice.group(2)


def test_the_calendar_file_is_the_invitations_entry_at_its_current_time(kit, place):
    river = kit.register_and_verify()
    meeting_id = place(river)
    _path, page = _manage(kit, river)
    download = kit.client.get(_link(page, "Add to my calendar"))
    assert download.status_code == 200
    assert download.mimetype == "text/calendar"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"
    meeting = _meeting(kit, meeting_id)
    _check_entry(download.data, meeting, sequence=0)

    _told_of(kit, river, meeting_id)
    _move(kit, meeting_id, timedelta(hours=3))
    _check_entry(
        kit.client.get(_link(_manage(kit, river)[1], "Add to my calendar")).data,
        _meeting(kit, meeting_id),
        sequence=1,
    )


def _check_entry(data: bytes, meeting: Meeting, *, sequence: int) -> None:
    """Read from the raw lines, not by the library that wrote them."""
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and b"\r\nEND:VCALENDAR\r\n" in data
    assert calendar_values(data, "METHOD") == ["REQUEST"]
    assert calendar_values(data, "UID") == [meeting.calendar_uid]
    assert calendar_values(data, "SEQUENCE") == [str(sequence)]
    assert calendar_values(data, "DTSTART") == [f"{meeting.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"]
    assert calendar_values(data, "URL") == [PERSONAL_JOIN_URL]
    assert any(
        line.startswith("ATTENDEE") and "mailto:river@example.org" in line for line in calendar_lines(data)
    )


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        (None, "+1 646 555 0123"),  # no number of their own: the program's country, the US
        ("+34 612 345 678", "+34 910 000 123"),  # a Spanish mobile: the Madrid number
        ("+33 6 12 34 56 78", "+1 646 555 0123"),  # France has no number: the program's country again
    ],
)
def test_someone_who_joins_by_phone_sees_the_number_for_their_country_the_meeting_id_and_passcode(
    kit, place, phone, number
):
    texts = {"phone": phone, "sms_consent": True} if phone else {}
    caller = kit.register_and_verify(accessibility_needs=["phone"], **texts)
    place(caller)
    page = _manage(kit, caller)[1]
    details = re.search(r"<h3>Joining by phone</h3>(.*?)<h3>", page, re.S).group(1)
    assert f'<a href="tel:{number.replace(" ", "")}">{number}</a>' in details
    assert "850 1234 5678" in details and ZOOM_PHONE_PASSCODE in details
    assert "key in the meeting ID, then the phone passcode, each followed by #" in details
    assert ZOOM_PASSCODE not in page  # the video passcode is no use on a phone
    assert "invitation email from Zoom" not in page


def test_the_phone_details_speak_spanish(kit, place):
    caller = kit.register_and_verify(accessibility_needs=["phone"])
    place(caller)
    page = _manage(kit, caller, **{"Accept-Language": "es"})[1]
    assert "Unirse por teléfono" in page and "Número al que llamar" in page
    assert "Código de acceso telefónico" in page and ZOOM_PHONE_PASSCODE in page


def test_someone_who_joins_by_video_is_not_shown_phone_details(kit, place):
    river = kit.register_and_verify()  # asked for captions, not the phone
    place(river)
    page = _manage(kit, river)[1]
    assert ZOOM_PASSCODE not in page and "Joining by phone" not in page


def test_until_the_personal_link_is_made_the_page_says_so_and_offers_no_calendar_file(kit, place):
    river = kit.register_and_verify()
    place(river, registered=False)
    path, page = _manage(kit, river)
    assert "Your personal link to join is being made." in page
    assert "zoom.example" not in page  # never the meeting's own link, open to anyone, while theirs is coming
    assert kit.client.get(f"{path}/meeting.ics").status_code == 404


def test_in_a_group_under_review_they_hear_an_invitation_will_come_and_no_names_yet(kit, place):
    river = kit.register_and_verify()
    place(river, approved=False)
    page = _manage(kit, river)[1]
    assert "A group is being put together for you." in page and "you will get an invitation" in page
    assert "You will meet:" not in page and "Amara" not in page


def test_waiting_they_hear_why_in_plain_words_and_can_add_a_suggested_time(kit):
    river = kit.register_and_verify()
    _set(kit, river, waitlist_reason="no_common_time", suggested_slots=[61])
    page = _manage(kit, river)[1]
    assert "You are signed up, but you are not in a group yet." in page
    assert "We could not find a time when you and enough other people are all free." in page
    assert "no_common_time" not in page
    assert "Wednesday" in page  # slot 61 is Wednesday 13:00 UTC, 14:00 or 15:00 in Madrid
    add = kit.client.get(_link(page, "Add this time"))
    assert add.status_code == 200 and "Add this time?" in unescape(add.text)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({}, "We have not formed new groups since you signed up."),
        ({"status": ParticipantStatus.PAUSED}, "Your registration is paused."),
        ({"status": ParticipantStatus.PENDING_VERIFICATION}, "We are waiting for you to confirm your email"),
        ({"status": ParticipantStatus.WITHDRAWN}, "You have left this program."),
    ],
)
def test_before_placement_each_state_says_where_they_stand(kit, changes, words):
    river = kit.register_and_verify()
    _set(kit, river, **changes)
    page = _manage(kit, river)[1]
    assert words in page
    assert "Your next meeting:" not in page and "Add to my calendar" not in page


def _others(kit) -> list[str]:
    with kit.app.app_context():
        query = select(Participant.display_name).where(Participant.email.like("demo-participant-%"))
        return list(database.session().exec(query).all())


def _set(kit, participant, **values) -> None:
    with kit.app.app_context():
        session = database.session()
        row = session.get(type(participant), participant.id)
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()


def _told_of(kit, participant, meeting_id: int) -> None:
    """The member's invitation went out, so a move is news to them."""
    with kit.app.app_context():
        session = database.session()
        invitation = session.exec(
            select(OutboundMessage).where(
                OutboundMessage.meeting_id == meeting_id,
                OutboundMessage.participant_id == participant.id,
                OutboundMessage.kind == MessageKind.COHORT_INVITATION,
            )
        ).one()
        invitation.status, invitation.sent_at = MessageStatus.SENT, utcnow()
        session.commit()


def _move(kit, meeting_id: int, shift: timedelta):
    with kit.app.app_context():
        session = database.session()
        meeting = session.get(Meeting, meeting_id)
        starts_at = meeting.starts_at + shift
        reschedule_meeting(session, meeting, starts_at, actor="test", now=utcnow())
        session.commit()
        return starts_at
