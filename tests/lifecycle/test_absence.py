"""Repeated absence is asked about, never punished silently: a member who missed their group's last two held
meetings without a word is asked whether they want to stay, pause or leave, and is paused (and told so) only
when they do not answer within a week.

Meetings are created in the Zoom emulator by the worker, Zoom tells the app over HTTP who joined, the worker
sends mail to a real SMTP server, and the member answers by following the link in the email.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import (
    Answer,
    Cohort,
    CohortMember,
    Meeting,
    MeetingRegistrant,
    Participant,
    ParticipantStatus,
)
from app.services.approval import approve_cohort
from app.services.follow_up import schedule_next_meeting
from app.services.marked_attendance import mark_attendance
from app.services.meeting_answers import record_answer
from app.worker.runner import run_once
from integrations.zoom.models import format_zoom_time

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ASKED = {"en": "Would you like to keep your place?", "es": "¿Desea conservar su lugar?"}
PAUSED = {"en": "We have paused your registration", "es": "Hemos puesto su inscripción en pausa"}
WEEK = timedelta(days=7)


class Group:
    """A group of four whose meetings Zoom tells the app about: who joins each, and whether it started."""

    def __init__(self, app, zoom, server, cohort_id: int):
        self.app, self.zoom, self.cohort_id = app, zoom, cohort_id
        zoom.configure(webhook_url=f"{server}/webhooks/zoom")
        with app.app_context():
            session = database.session()
            self.members = session.exec(
                select(Participant)
                .join(CohortMember, CohortMember.participant_id == Participant.id)
                .where(CohortMember.cohort_id == cohort_id)
                .order_by(Participant.id)
            ).all()
            for place in session.exec(select(CohortMember).where(CohortMember.cohort_id == cohort_id)):
                place.added_at = utcnow() - timedelta(days=90)  # they joined the group long ago
                session.add(place)
            session.commit()

    def meet(
        self, *, joined: tuple[int, ...], not_coming: tuple[int, ...] = (), held: bool = True, days_ago: int
    ) -> Meeting:
        """The group's next meeting (its first, or one more), set up by the worker. The members `not_coming`
        (by index) say so beforehand; Zoom says it started and who joined, unless it never took place. It
        then lies `days_ago` back."""
        with self.app.app_context():
            session = database.session()
            cohort = session.get(Cohort, self.cohort_id)
            if cohort.approved_at is None:
                meeting = approve_cohort(session, cohort, actor="test", now=utcnow())
            else:
                soon = utcnow() + timedelta(hours=1)
                meeting = schedule_next_meeting(session, cohort, starts_at=soon, actor="test", now=utcnow())
            session.commit()
        run_once(self.app)  # the meeting and its registrations are made at Zoom
        for index in not_coming:
            self._say_not_coming(index, meeting.id)
        if held:
            self._tell_zoom_it_was_held(meeting.id, joined)
        with self.app.app_context():
            session = database.session()
            meeting = session.get(Meeting, meeting.id)
            meeting.starts_at = utcnow() - timedelta(days=days_ago)
            session.add(meeting)
            session.commit()
            return meeting

    def _tell_zoom_it_was_held(self, meeting_id: int, joined: tuple[int, ...]) -> None:
        with self.app.app_context():
            session = database.session()
            zoom_id = int(session.get(Meeting, meeting_id).zoom_meeting_id)
            registrants = dict(
                session.exec(
                    select(MeetingRegistrant.participant_id, MeetingRegistrant.zoom_registrant_id).where(
                        MeetingRegistrant.meeting_id == meeting_id
                    )
                ).all()
            )
        assert self.zoom.send_event(zoom_id, "meeting.started")["status"] == 204
        for index in joined:
            who = {
                "registrant_id": registrants[self.members[index].id],
                "join_time": format_zoom_time(utcnow()),
            }
            assert self.zoom.send_event(zoom_id, "meeting.participant_joined", who)["status"] == 204
        assert self.zoom.send_event(zoom_id, "meeting.ended")["status"] == 204

    def _say_not_coming(self, index: int, meeting_id: int) -> None:
        with self.app.app_context():
            session = database.session()
            member = session.get(Participant, self.members[index].id)
            record_answer(session, session.get(Meeting, meeting_id), member, Answer.NOT_COMING, now=utcnow())
            session.commit()

    def speaks(self, index: int, locale: str) -> None:
        with self.app.app_context():
            session = database.session()
            member = session.get(Participant, self.members[index].id)
            member.locale = locale
            session.add(member)
            session.commit()

    def status(self, index: int) -> str:
        with self.app.app_context():
            return database.session().get(Participant, self.members[index].id).status


@pytest.fixture
def group(app, make_cohorts, zoom, server) -> Group:
    [cohort_id] = make_cohorts(1, size=4)
    return Group(app, zoom, server, cohort_id)


def _emails_to(mailbox, group: Group, index: int, subject: str) -> list:
    address = group.members[index].email
    return [
        message
        for message in mailbox.messages()
        if message["To"].addresses[0].addr_spec == address and message["Subject"] == subject
    ]


def _choice_link(message, choice: str) -> str:
    """The path of the link to `choice` in the plain-text part, as the member would tap it."""
    words = message.get_body(preferencelist=("plain",)).get_content().split()
    [link] = [word for word in words if re.match(rf"http://localhost/p/demo/absence/\S+/{choice}$", word)]
    return link.removeprefix("http://localhost")


def test_two_meetings_missed_without_a_word_ask_then_pause_only_those_who_did_not_answer(app, group, mailbox):
    # 0 and 3 miss both meetings without a word; 1 misses both but said she could not come to the second;
    # 2 joins both. 3 reads Spanish.
    group.speaks(3, "es")
    group.meet(joined=(2,), days_ago=30)
    group.meet(joined=(2,), not_coming=(1,), days_ago=2)

    done = run_once(app)

    assert done["follow_up"]["asked_about_absence"] == 2
    assert len(_emails_to(mailbox, group, 0, ASKED["en"])) == 1
    [spanish] = _emails_to(mailbox, group, 3, ASKED["es"])
    assert "Sí, quiero seguir" in spanish.get_body(preferencelist=("plain",)).get_content()
    assert not _emails_to(mailbox, group, 1, ASKED["en"]) and not _emails_to(mailbox, group, 2, ASKED["en"])

    # 0 follows "Yes, I want to stay": the page asks first (mail scanners open links), the button answers.
    [question] = _emails_to(mailbox, group, 0, ASKED["en"])
    client = app.test_client()
    stay = _choice_link(question, "stay")
    page = client.get(stay)
    assert page.status_code == 200 and "Yes, I want to stay" in page.text
    assert group.status(0) == ParticipantStatus.VERIFIED
    answered = client.post(stay, data={"csrf_token": CSRF.search(page.text).group(1)})
    assert answered.status_code == 200 and "You keep your place" in answered.text

    week_later = run_once(app, now=utcnow() + WEEK + timedelta(hours=1))
    again = run_once(app, now=utcnow() + WEEK + timedelta(days=2))

    assert week_later["follow_up"]["paused_without_answer"] == 1 and not again["follow_up"]
    assert group.status(0) == ParticipantStatus.VERIFIED and not _emails_to(mailbox, group, 0, PAUSED["en"])
    assert group.status(3) == ParticipantStatus.PAUSED
    [told] = _emails_to(mailbox, group, 3, PAUSED["es"])
    assert "/p/demo/manage/" in told.get_body(preferencelist=("plain",)).get_content()
    assert (
        len(_emails_to(mailbox, group, 0, ASKED["en"]))
        == len(_emails_to(mailbox, group, 3, ASKED["es"]))
        == 1
    )


def test_a_meeting_that_never_started_does_not_count(app, group, mailbox):
    group.meet(joined=(1, 2, 3), days_ago=30)
    group.meet(joined=(), held=False, days_ago=2)  # no one came, Zoom never said it started

    done = run_once(app, now=utcnow())

    assert "asked_about_absence" not in done["follow_up"]
    assert not _emails_to(mailbox, group, 0, ASKED["en"])


def test_who_was_marked_as_coming_counts_over_what_zoom_reported(app, group, mailbox):
    # The first meeting: Zoom saw 1, 2 and 3; the host marks 0 present (she dialled in by phone) and 3 absent
    # (Zoom's 3 was someone else on her link). The second never started in Zoom, but 1 and 2 are marked
    # present: it was held, and 0 and 3 missed it.
    first = group.meet(joined=(1, 2, 3), days_ago=30)
    second = group.meet(joined=(), held=False, days_ago=2)
    _mark(app, group, first, present=(0, 1, 2))
    _mark(app, group, second, present=(1, 2))

    done = run_once(app)

    assert done["follow_up"]["asked_about_absence"] == 1
    assert len(_emails_to(mailbox, group, 3, ASKED["en"])) == 1
    assert not any(_emails_to(mailbox, group, index, ASKED["en"]) for index in (0, 1, 2))


def _mark(app, group: Group, meeting: Meeting, *, present: tuple[int, ...]) -> None:
    with app.app_context():
        session = database.session()
        ids = {group.members[index].id for index in present}
        program_id = group.members[0].program_id
        mark_attendance(
            session, session.get(Meeting, meeting.id), ids, by="host", program_id=program_id, now=utcnow()
        )
        session.commit()


def test_pausing_from_the_question_pauses_at_once_and_leaving_takes_them_out(app, group, mailbox):
    group.meet(joined=(2, 3), days_ago=30)
    group.meet(joined=(2, 3), days_ago=2)
    run_once(app)
    client = app.test_client()
    for index, choice in ((0, "pause"), (1, "leave")):
        [question] = _emails_to(mailbox, group, index, ASKED["en"])
        link = _choice_link(question, choice)
        page = client.get(link)
        assert client.post(link, data={"csrf_token": CSRF.search(page.text).group(1)}).status_code == 200

    assert group.status(0) == ParticipantStatus.PAUSED
    assert group.status(1) == ParticipantStatus.WITHDRAWN
    run_once(app, now=utcnow() + WEEK + timedelta(hours=1))
    assert not _emails_to(mailbox, group, 0, PAUSED["en"]) and not _emails_to(mailbox, group, 1, PAUSED["en"])
