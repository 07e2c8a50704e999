"""The survey tests use the lifecycle fixtures (the Zoom emulator over HTTP and a real SMTP server), and
`survey`, which approves a cohort, runs the worker when the survey is due and acts as its members would."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import Attendance, Cohort, CohortMember, Meeting, OutboundMessage, Participant, Program
from app.services.approval import approve_cohort
from app.worker.runner import run_once

from ..lifecycle import conftest as lifecycle

# The lifecycle fixtures, shared: the app with the Zoom emulator and a real SMTP server, the demo program and
# its proposed cohorts.
running_emulator, zoom, mailbox = lifecycle.running_emulator, lifecycle.zoom, lifecycle.mailbox
app, program, make_cohorts = lifecycle.app, lifecycle.program, lifecycle.make_cohorts
base_url = lifecycle.base_url

BASE_URL = "http://localhost"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class SurveyKit:
    """One approved cohort of four, its meeting, and what its members see and do."""

    def __init__(self, app, mailbox, cohort_id: int):
        self.app = app
        self.mailbox = mailbox
        self.client = app.test_client()
        with app.app_context():
            session = database.session()
            meeting = approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
            session.commit()
            self.meeting_id = meeting.id
        self.members = [member.participant_id for member in self.rows(CohortMember, cohort_id=cohort_id)]
        run_once(app)  # the Zoom meeting, the registrations and the invitations

    def rows(self, model, *, order_by=None, **where) -> list:
        with self.app.app_context():
            query = select(model)
            for column, value in where.items():
                query = query.where(getattr(model, column) == value)
            order = model.id if order_by is None else order_by
            return list(database.session().exec(query.order_by(order)).all())

    def meeting(self) -> Meeting:
        return self.rows(Meeting, id=self.meeting_id)[0]

    def program(self) -> Program:
        return self.rows(Program)[0]

    def member(self, number: int) -> Participant:
        return self.rows(Participant, id=self.members[number])[0]

    def change(self, model, row_id: int, **values) -> None:
        with self.app.app_context():
            session = database.session()
            row = session.get(model, row_id)
            for name, value in values.items():
                setattr(row, name, value)
            session.add(row)
            session.commit()

    def attended(self, *numbers: int) -> None:
        """Zoom told us these members joined (and so that the meeting was held)."""
        meeting = self.meeting()
        with self.app.app_context():
            session = database.session()
            for number in numbers:
                session.add(
                    Attendance(
                        meeting_id=meeting.id, participant_id=self.members[number],
                        zoom_participant_key=f"member-{number}", joined_at=meeting.starts_at,
                        left_at=meeting.starts_at + timedelta(minutes=55),
                    )
                )  # fmt: skip
            session.commit()

    def surveys_sent(self) -> None:
        """Everyone came (Zoom saw them join), and the worker sends the survey when it is due."""
        self.attended(*range(len(self.members)))
        self.run_worker(self.survey_time())

    def survey_time(self) -> datetime:
        meeting, program = self.meeting(), self.program()
        ends = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        return ends + timedelta(hours=program.survey_hours_after, minutes=1)

    def reminder_time(self) -> datetime:
        return self.survey_time() + timedelta(days=self.program().survey_reminder_days)

    def run_worker(self, now: datetime | None = None):
        return run_once(self.app, now=now)

    def emails_to(self, number: int, subject: str | None = None) -> list[EmailMessage]:
        address = self.member(number).email
        return [
            message
            for message in self.mailbox.messages()
            if message["To"].addresses[0].addr_spec == address and subject in (None, message["Subject"])
        ]

    def link_in(self, message: EmailMessage, path_start: str = "/s/") -> str:
        """The path of the first link to `path_start` in the plain-text part, as the member would tap it."""
        text = message.get_body(preferencelist=("plain",)).get_content()
        [link] = [word for word in text.split() if word.startswith(BASE_URL + path_start)]
        return link.removeprefix(BASE_URL)

    def survey_link(self, number: int) -> str:
        [message] = self.emails_to(number, "How was your conversation?")
        return self.link_in(message)

    def post(self, path: str, data: dict, **kwargs):
        """Submit the form on `path` as a browser does, with the CSRF token from the page."""
        token = CSRF.search(self.client.get(path).text).group(1)
        return self.client.post(path, data={**data, "csrf_token": token}, **kwargs)

    def messages(self, kind: str) -> list[OutboundMessage]:
        return self.rows(OutboundMessage, kind=kind, order_by=OutboundMessage.participant_id)


# Every question of the default survey answered, as the form sends them.
FULL_ANSWERS = {
    "answer-feeling": "4",
    "answer-less_alone": "a_little",
    "answer-host_helped": "yes",
    "answer-meet_again": "yes",
    "answer-comments": "It helped to hear from others.\r\nThank you.",
}


@pytest.fixture
def survey(app, mailbox, make_cohorts) -> SurveyKit:
    [cohort_id] = make_cohorts(1, size=4)
    return SurveyKit(app, mailbox, cohort_id)
