"""People's texts and Twilio's delivery reports reaching `POST /webhooks/sms`: the demo program with one
approved group whose members have mobile numbers, texts sent to them as the sender records them, and
webhooks signed as Twilio signs them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.demo import seed_demo
from app.messages.kinds import Channel, MessageKind
from app.messages.queue import message_row, queue_messages
from app.models import (
    Cohort,
    CohortMember,
    Condition,
    Host,
    Meeting,
    MessageStatus,
    OutboundMessage,
    Participant,
    ParticipantStatus,
    Stage,
)
from app.services.approval import approve_cohort
from integrations.sms import compute_signature

WEBHOOK = "/webhooks/sms"
OUR_NUMBER = "+15005550006"
MONDAY = [{"weekday": 0, "start": "15:00", "end": "18:00"}]  # UTC: the group meets at slot 16
SLOT = 16


def message_sid() -> str:
    return "SM" + secrets.token_hex(16)


@dataclass
class TextsKit:
    """The demo program, one approved group of four with numbers, and helpers to text as Twilio would."""

    app: object
    client: object
    meeting_id: int = 0
    people: dict[str, int] = field(default_factory=dict)  # display name -> participant id
    phones: dict[str, str] = field(default_factory=dict)  # display name -> number

    @property
    def settings(self):
        return self.app.config["SETTINGS"]

    def signed_post(self, params: dict[str, str], *, url: str | None = None, **request):
        """POST `params` to the webhook, signed for `url` (default: BASE_URL + the webhook's path)."""
        signed_for = url or self.settings.base_url + WEBHOOK
        signature = compute_signature(self.settings.twilio.auth_token, signed_for, params)
        headers = {"X-Twilio-Signature": signature, **request.pop("headers", {})}
        return self.client.post(WEBHOOK, data=params, headers=headers, **request)

    def text_from(self, number: str, body: str, *, sid: str | None = None):
        """A person's text reaching our number; the webhook's answer."""
        return self.signed_post(self.inbound(number, body, sid=sid))

    def inbound(self, number: str, body: str, *, sid: str | None = None) -> dict[str, str]:
        return {
            "MessageSid": sid or message_sid(),
            "AccountSid": self.settings.twilio.account_sid,
            "From": number,
            "To": OUR_NUMBER,
            "Body": body,
            "NumMedia": "0",
            "SmsStatus": "received",
        }

    def report(self, sid: str, status: str, error_code: int | None = None):
        params = {
            "MessageSid": sid,
            "AccountSid": self.settings.twilio.account_sid,
            "MessageStatus": status,
            "To": "+15550000000",
            "From": OUR_NUMBER,
        }
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        return self.signed_post(params)

    def sent_text(
        self,
        name: str,
        *,
        kind: MessageKind = MessageKind.REMINDER,
        status: str = MessageStatus.SENT,
        meeting_id: int | None = None,
        sent_ago: timedelta = timedelta(hours=1),
        sid: str | None = None,
    ) -> tuple[int, str]:
        """A text to `name`'s number as the sender leaves it once Twilio took it (as `sid`, by default a new
        one); its id and Twilio sid."""
        sid = sid or message_sid()
        with self.app.app_context():
            session = database.session()
            person = session.get(Participant, self.people[name])
            now = utcnow()
            key = f"test-{sid}"
            queue_messages(
                session,
                [
                    message_row(
                        kind=kind,
                        program_id=person.program_id,
                        recipient=person.phone,
                        dedupe_key=key,
                        send_at=now - sent_ago,
                        locale=person.locale,
                        participant_id=person.id,
                        meeting_id=meeting_id or self.meeting_id,
                    )
                ],
            )
            row = session.exec(select(OutboundMessage).where(OutboundMessage.dedupe_key == key)).one()
            row.channel, row.status = Channel.SMS, status
            if status == MessageStatus.SENT:
                row.provider_id, row.sent_at, row.delivery_status = sid, now - sent_ago, "queued"
            session.add(row)
            session.commit()
            return row.id, sid

    def same_number(self, name: str, other: str, *, in_the_group: bool = False) -> int:
        """Register `other` with `name`'s number (a caregiver and the person they care for, say), in the
        group too if asked; their id."""
        with self.app.app_context():
            session = database.session()
            known = session.get(Participant, self.people[name])
            person = Participant(
                **{
                    **known.model_dump(exclude={"id"}),
                    "email": f"{other.lower()}@example.org",
                    "display_name": other,
                }
            )
            session.add(person)
            session.flush()
            if in_the_group:
                cohort_id = session.get(Meeting, self.meeting_id).cohort_id
                session.add(CohortMember(cohort_id=cohort_id, participant_id=person.id))
            session.commit()
            self.people[other], self.phones[other] = person.id, known.phone
            return person.id

    def row(self, model, row_id):
        with self.app.app_context():
            return database.session().get(model, row_id)

    def rows(self, model, *where):
        with self.app.app_context():
            return database.session().exec(select(model).where(*where).order_by(model.id)).all()

    def person(self, name: str) -> Participant:
        return self.row(Participant, self.people[name])

    def meeting(self) -> Meeting:
        return self.row(Meeting, self.meeting_id)


def build_group(app, names=("Ana", "Ben", "Carmen", "Dev"), locales=None) -> tuple[int, dict, dict]:
    """The demo program and one approved group of `names`, each with a mobile number and consent to texts;
    the meeting's id, and the members' ids and numbers by name."""
    locales = locales or {"Carmen": "es"}
    with app.app_context():
        session = database.session()
        program = seed_demo(session)
        cll = session.exec(
            select(Condition).where(Condition.program_id == program.id, Condition.code == "cll")
        ).one()
        stage = session.exec(
            select(Stage).where(Stage.condition_id == cll.id, Stage.code == "in-treatment")
        ).one()
        host = session.exec(
            select(Host).where(Host.program_id == program.id, Host.display_name == "Jonah")
        ).one()
        now = utcnow()
        people = []
        for number, name in enumerate(names):
            people.append(
                Participant(
                    program_id=program.id,
                    email=f"{name.lower()}@example.org",
                    display_name=name,
                    condition_id=cll.id,
                    stage_id=stage.id,
                    timezone="America/New_York",
                    role="patient",
                    languages=["en", "es"],
                    availability=MONDAY,
                    consent_version="1",
                    status=ParticipantStatus.VERIFIED,
                    verified_at=now,
                    locale=locales.get(name, "en"),
                    phone=f"+1555010{number:04d}",
                    sms_consent_at=now,
                )
            )
        session.add_all(people)
        session.flush()
        cohort = Cohort(
            program_id=program.id,
            condition_id=cll.id,
            language="en",
            slot=SLOT,
            role="patient",
            host_id=host.id,
        )
        session.add(cohort)
        session.flush()
        session.add_all(CohortMember(cohort_id=cohort.id, participant_id=person.id) for person in people)
        session.flush()
        meeting = approve_cohort(session, cohort, actor="test", now=now)
        session.commit()
        return (
            meeting.id,
            {person.display_name: person.id for person in people},
            {person.display_name: person.phone for person in people},
        )


@pytest.fixture
def kit(app, client) -> TextsKit:
    meeting_id, people, phones = build_group(app)
    return TextsKit(app, client, meeting_id, people, phones)
