"""Fixtures for texts: a demo group about to be approved, members with and without numbers, and the app
talking to the SMS emulator over real HTTP, as it talks to Twilio."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from app import create_app
from app.database import utcnow
from app.demo import seed_demo
from app.messages.kinds import Channel
from app.models import Attendance, Cohort, CohortStatus, Meeting, OutboundMessage, Participant, Program
from app.services.approval import approve_cohort
from app.services.meeting_setup import cohort_members
from app.services.proposals import propose_cohorts
from app.settings import EMULATOR_TWILIO_ACCOUNT_SID, EMULATOR_TWILIO_AUTH_TOKEN, EMULATOR_TWILIO_FROM_NUMBER
from integrations.sms.emulator import EmulatorConfig, RunningEmulator, start_in_thread
from integrations.sms.emulator_control import EmulatorControl

from ..conftest import make_settings

MOBILE = "+12015550123"  # fictional, and valid for phonenumbers
OTHER_MOBILE = "+12015550124"


@dataclass
class Group:
    """A proposed demo group of the program, and its members, soonest first."""

    program: Program
    cohort: Cohort
    members: list[Participant]

    def approve(self, session: Session, *, now: datetime) -> Meeting:
        meeting = approve_cohort(session, self.cohort, actor="test", now=now)
        session.commit()
        return meeting


def proposed_group(session: Session, *, now: datetime | None = None) -> Group:
    now = now or utcnow()
    program = seed_demo(session, registrants=40, today=now.date())
    propose_cohorts(session, program, today=now.date())
    cohort = session.exec(
        select(Cohort).where(Cohort.program_id == program.id, Cohort.status == CohortStatus.PROPOSED)
    ).first()
    return Group(program, cohort, cohort_members(session, cohort))


def agree_to_texts(person: Participant, phone: str = MOBILE, *, at: datetime | None = None) -> Participant:
    person.phone, person.sms_consent_at = phone, at or utcnow() - timedelta(days=1)
    return person


def came(session: Session, meeting_id: int, participant_id: int) -> None:
    """Zoom saw the member join: the meeting was held and they took part (a meeting that never started
    sends no survey, and one who did not come is missed by email, not texted)."""
    stretch = Attendance(
        meeting_id=meeting_id, participant_id=participant_id, zoom_participant_key=f"member-{participant_id}",
        joined_at=utcnow(),
    )  # fmt: skip
    session.add(stretch)


def texts(session: Session, **where) -> list[OutboundMessage]:
    """The text rows, oldest first, narrowed by column values."""
    query = select(OutboundMessage).where(OutboundMessage.channel == Channel.SMS)
    for column, value in where.items():
        query = query.where(getattr(OutboundMessage, column) == value)
    return list(session.exec(query.order_by(OutboundMessage.id)).all())


def daytime_zone(moment: datetime, hour: int = 14) -> str:
    """A time zone (whole hours from UTC) where `moment` is `hour` o'clock."""
    offset = (hour - moment.hour) % 24
    offset = offset - 24 if offset > 14 else offset
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # the Etc zones' signs are the other way round


EMULATOR = EmulatorConfig(
    account_sid=EMULATOR_TWILIO_ACCOUNT_SID,
    auth_token=EMULATOR_TWILIO_AUTH_TOKEN,
    from_numbers=(EMULATOR_TWILIO_FROM_NUMBER,),
    auto_deliver=False,
    sender_rate=1,
)


@pytest.fixture(scope="session")
def running_sms_emulator() -> Iterator[RunningEmulator]:
    with start_in_thread(EMULATOR) as running:
        yield running


@pytest.fixture
def sms(running_sms_emulator: RunningEmulator) -> EmulatorControl:
    """The emulator's control API, empty, pacing each number as Twilio paces a long code."""
    control = EmulatorControl(running_sms_emulator.url)
    control.reset()
    control.configure(sender_rate=1, inbound_url=None, auto_deliver=False)
    return control


@pytest.fixture
def texting_app(database_url, tmp_path, sms):
    """The app, with Twilio being the emulator."""
    settings = make_settings(database_url, tmp_path / "instance", TWILIO_API_BASE_URL=sms.api_base_url)
    flask_app = create_app({"TESTING": True, "SETTINGS": settings})
    yield flask_app
    flask_app.extensions["engine"].dispose()
