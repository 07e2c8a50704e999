"""Fixtures for the registration tests: the demo program, and `kit`, which acts as a registrant would
(fills in forms with their CSRF token, reads the emails queued for them, follows their links)."""

from __future__ import annotations

import re
import time
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from app import database
from app.demo import seed_demo
from app.links import LIFETIMES, make_token
from app.messages.building import build_email
from app.messages.kinds import MessageKind
from app.models import OutboundMessage, Participant
from emails.messages import compose

SLUG = "demo"
MAIL_FROM = "Peer Meet-ups <meetups@example.org>"


@pytest.fixture
def app(app):
    """The shared app with the demo program, and the rate limit out of the way (one test checks it)."""
    app.config["REGISTRATION_RATE_LIMIT"] = "1000 per minute"
    with app.app_context():
        seed_demo(database.session())
        database.session().commit()
    return app


@pytest.fixture
def kit(app, client):
    return Kit(app, client)


class Kit:
    page = f"/p/{SLUG}"
    api = f"/api/v1/programs/{SLUG}/registrations"
    manage = f"/p/{SLUG}/manage"
    unsubscribe = f"/p/{SLUG}/unsubscribe"

    def __init__(self, app, client):
        self.app = app
        self.client = client

    @staticmethod
    def body(**changes) -> dict:
        """A complete, valid JSON registration; keyword arguments replace fields, or remove them with None."""
        body = {
            "email": "river@example.org",
            "display_name": "River",
            "role": "patient",
            "condition": "cll",
            "stage": "watch-and-wait",
            "timezone": "Europe/Madrid",
            "languages": ["es", "en"],
            "availability": [{"weekday": 1, "start": "17:00", "end": "21:00"}],
            "accessibility_needs": ["captions"],
            "consent": True,
        }
        return _replace(body, changes)

    @staticmethod
    def form(**changes) -> dict:
        """The registration form as a person would fill it in; keyword arguments replace fields."""
        form = {
            "email": "river@example.org",
            "display_name": "River",
            "role": "patient",
            "condition": "cll",
            "stage-cll": "watch-and-wait",
            "timezone": "Europe/Madrid",
            "languages": ["es"],
            "availability": ["1-evening", "3-morning"],
            "consent": "yes",
        }
        return _replace(form, changes)

    def csrf_token(self, path: str) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post_form(self, path: str, data: dict, *, token_from: str | None = None, **kwargs):
        """Submit a form the way a browser does: the token comes from the page the form is on."""
        token = self.csrf_token(token_from or path)
        return self.client.post(path, data={**data, "csrf_token": token}, **kwargs)

    def messages(self, kind: str | None = None) -> list[OutboundMessage]:
        with self.app.app_context():
            statement = select(OutboundMessage).order_by(OutboundMessage.id)
            if kind:
                statement = statement.where(OutboundMessage.kind == kind)
            return list(database.session().exec(statement).all())

    def participants(self) -> list[Participant]:
        with self.app.app_context():
            return list(database.session().exec(select(Participant).order_by(Participant.id)).all())

    def participant(self, participant_id: int) -> Participant:
        with self.app.app_context():
            return database.session().get(Participant, participant_id)

    def latest_link(self, page: str = "verify") -> str:
        """The path of the link to `page` (verify, manage, unsubscribe) in the newest email queued, as the
        registrant would click it."""
        [path] = {urlsplit(link).path for link in self.emailed_links() if f"/p/{SLUG}/{page}/" in link}
        return path

    def emailed_links(self, message: OutboundMessage | None = None) -> list[str]:
        """The links of a queued email (the newest, unless given) as the worker would send it."""
        return re.findall(r"https?://\S+", self.emailed_text(message))

    def emailed_text(self, message: OutboundMessage | None = None) -> str:
        """The plain-text part of a queued email (the newest, unless given) as the worker would send it, read
        by the standard library's email parser."""
        with self.app.app_context():
            session = database.session()
            message = session.merge(message or self.messages()[-1])
            raw = bytes(compose(build_email(session, message), mail_from=MAIL_FROM))
        parsed = message_from_bytes(raw, policy=policy.default)
        return parsed.get_body(preferencelist=("plain",)).get_content()

    def changes_named_in_the_email(self) -> list[str]:
        """The answers the newest confirmation email says would change, as its reader sees them."""
        email = self.emailed_text(self.messages(MessageKind.VERIFY_EMAIL)[-1])
        listed = email.split("These answers would change:")[1].split("Nothing changes")[0]
        return [line.removeprefix("- ") for line in listed.strip().splitlines()]

    def signed_path(self, base: str, purpose: str, participant_id: int, *, expired: bool = False) -> str:
        """A link signed as our emails sign it; an expired one is signed as if long ago."""
        with self.app.app_context():
            if not expired:
                return f"{base}/{make_token(purpose, {'participant': participant_id})}"
            real_time = time.time
            # itsdangerous reads the clock while signing; signing "in the past" is how a link gets old.
            time.time = lambda: real_time() - LIFETIMES[purpose].total_seconds() - 60
            try:
                return f"{base}/{make_token(purpose, {'participant': participant_id})}"
            finally:
                time.time = real_time

    def register_and_verify(self, **changes) -> Participant:
        """Register through the API and follow the emailed link, as a registrant would."""
        assert self.client.post(self.api, json=self.body(**changes)).status_code == 201
        response = self.post_form(self.latest_link(), {})
        assert response.status_code == 200, response.text
        return self.participants()[-1]


def _replace(values: dict, changes: dict) -> dict:
    merged = {**values, **changes}
    return {key: value for key, value in merged.items() if value is not None}


# What Zoom gives a meeting and one member, standing in for the Zoom calls the worker makes.
ZOOM_MEETING_ID, ZOOM_PASSCODE, ZOOM_PHONE_PASSCODE = "85012345678", "tea42", "604217"
DIAL_IN_NUMBERS = [
    {"country": "US", "number": "+1 646 555 0123", "city": "New York", "type": "toll"},
    {"country": "US", "number": "+1 800 555 0199", "city": "", "type": "tollfree"},
    {"country": "ES", "number": "+34 910 000 123", "city": "Madrid", "type": "toll"},
    {"country": "GB", "number": "+44 20 7946 0123", "city": "London", "type": "toll"},
]
PERSONAL_JOIN_URL = "https://zoom.example/w/85012345678?tk=river-own"


@pytest.fixture
def place(kit):
    """Put a participant in a group of three others hosted by "Amara Okafor", approved (unless not), with
    the meeting made at Zoom and the participant's own Zoom registration made (unless not); returns the
    meeting's id."""
    from app.database import utcnow
    from app.models import Cohort, CohortMember, Host, MeetingRegistrant
    from app.services.approval import approve_cohort

    def make(participant: Participant, *, approved: bool = True, registered: bool = True) -> int | None:
        with kit.app.app_context():
            session = database.session()
            program = seed_demo(session, registrants=3)
            host = Host(
                program_id=program.id, display_name="Amara Okafor", email="amara@example.org",
                zoom_user="amara@example.org", timezone="Europe/London", languages=["en", "es"],
            )  # fmt: skip
            session.add(host)
            session.flush()
            cohort = Cohort(
                program_id=program.id, condition_id=participant.condition_id, language="en", slot=40,
                host_id=host.id,
            )  # fmt: skip
            session.add(cohort)
            session.flush()
            others = session.exec(select(Participant).where(Participant.email.like("demo-participant-%")))
            for person in [participant, *others]:
                session.add(CohortMember(cohort_id=cohort.id, participant_id=person.id))
            if not approved:
                session.commit()
                return None
            meeting = approve_cohort(session, cohort, actor="test", now=utcnow())
            meeting.zoom_meeting_id, meeting.zoom_passcode = ZOOM_MEETING_ID, ZOOM_PASSCODE
            meeting.zoom_dial_in_numbers, meeting.zoom_phone_passcode = DIAL_IN_NUMBERS, ZOOM_PHONE_PASSCODE
            meeting.zoom_join_url = f"https://zoom.example/j/{ZOOM_MEETING_ID}"
            if registered:
                session.add(
                    MeetingRegistrant(
                        meeting_id=meeting.id, participant_id=participant.id, join_url=PERSONAL_JOIN_URL
                    )
                )
            session.commit()
            return meeting.id

    return make
