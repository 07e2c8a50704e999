"""HTML and header injection through names and free text, and open redirects after signing in.

Whatever a registrant types is either refused with 422 or, once stored, shown escaped on every page and in
every email built for them, and never becomes a header of its own.
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.utils import getaddresses
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from app import database
from app.demo import seed_demo
from app.messages.building import build_email
from app.models import CohortMember, OutboundMessage, Participant, Program
from app.services.accounts import create_coordinator
from emails.messages import compose

from .conftest import API, SLUG, valid_body

MAIL_FROM = "Peer Meet-ups <meetups@example.org>"
SCRIPT_NOTE = "<script>alert('note')</script><b onmouseover=alert(2)>step-free</b>"
HOSTILE_NAMES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "Ann\r\nBcc: evil@example.org",
    "Ann\nTo: evil",
    "Ann, Bob; Eve",
    "=?utf-8?q?Bcc=3A_evil?=",
    "Ann </title></head><body>",
]
# Markup that only escaping keeps inert; its escaped form may show, the raw form never.
RAW_MARKUP = re.compile(r"<script>alert|<img src=x|<b onmouseover|</title></head><body>", re.IGNORECASE)


def _register(client, email: str, **changes):
    return client.post(API, json=valid_body(email=email, **changes))


def _messages_for(app, participant_id: int) -> list[OutboundMessage]:
    with app.app_context():
        statement = select(OutboundMessage).where(OutboundMessage.participant_id == participant_id)
        return list(database.session().exec(statement.order_by(OutboundMessage.id)).all())


def _participant(app, email: str) -> Participant:
    with app.app_context():
        return database.session().exec(select(Participant).where(Participant.email == email)).one()


def _verify(client, app, participant_id: int) -> None:
    """Follow the emailed link and confirm with the form's CSRF token, as the registrant would."""
    [email] = [email for _to, email in _built_emails(app, participant_id) if email.kind == "verify_email"]
    sent = message_from_bytes(bytes(compose(email, mail_from=MAIL_FROM)), policy=policy.default)
    links = re.findall(r"https?://\S+", sent.get_body(preferencelist=("plain",)).get_content())
    [path] = {urlsplit(link).path for link in links if f"/p/{SLUG}/verify/" in link}
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert token, f"no CSRF token on {path}"
    assert client.post(path, data={"csrf_token": token.group(1)}).status_code == 200


def _built_emails(app, participant_id: int):
    with app.app_context():
        session = database.session()
        rows = session.exec(
            select(OutboundMessage).where(OutboundMessage.participant_id == participant_id)
        ).all()
        return [(row.recipient, build_email(session, row)) for row in rows]


def _assert_email_is_safe(email, recipient: str) -> None:
    sent = message_from_bytes(bytes(compose(email, mail_from=MAIL_FROM)), policy=policy.default)
    assert sent.get_all("Bcc") is None and sent.get_all("Cc") is None
    to_headers = sent.get_all("To")
    assert len(to_headers) == 1, to_headers
    assert [address for _name, address in getaddresses(to_headers)] == [recipient]
    html = sent.get_body(preferencelist=("html",))
    assert html is not None
    assert not RAW_MARKUP.search(html.get_content()), f"raw markup in the {email.kind} email"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_name_and_note_are_refused_or_shown_escaped(app, client, name):
    email = "river@example.org"
    response = _register(client, email, display_name=name, accessibility_note=SCRIPT_NOTE)
    if response.status_code == 422:
        assert set(response.json["errors"]) <= {"display_name", "accessibility_note"}
        return
    assert response.status_code == 201, response.text
    participant = _participant(app, email)
    _verify(client, app, participant.id)

    stored = _participant(app, email)
    assert "\r" not in stored.display_name and "\n" not in stored.display_name
    built = _built_emails(app, participant.id)
    assert built, "no email was queued for the registrant"
    for recipient, message in built:
        _assert_email_is_safe(message, recipient)

    manage_url = next(message.links.manage_url for _recipient, message in built)
    page = client.get(urlsplit(manage_url).path)
    assert page.status_code == 200
    assert not RAW_MARKUP.search(page.text)
    if "<" in stored.display_name:
        assert "&lt;" in page.text  # shown, and shown escaped


def test_hostile_names_are_escaped_on_the_console_cohort_page(app, client, runner, console_client):
    with app.app_context():
        seed_demo(database.session(), registrants=40)
        database.session().commit()
    everyday = [{"weekday": day, "start": "08:00", "end": "22:00"} for day in range(7)]
    accepted = []
    for number, name in enumerate(HOSTILE_NAMES):
        email = f"hostile-{number}@example.org"
        response = _register(
            client,
            email,
            display_name=name,
            accessibility_note=SCRIPT_NOTE,
            languages=["en", "es"],
            availability=everyday,
        )
        if response.status_code == 201:
            participant = _participant(app, email)
            _verify(client, app, participant.id)
            accepted.append(participant.id)
    assert accepted, "every hostile name was refused, so nothing reaches the console"

    result = runner.invoke(args=["match", "run", SLUG])
    assert result.exit_code == 0, result.output
    with app.app_context():
        members = (
            database.session()
            .exec(select(CohortMember).where(CohortMember.participant_id.in_(accepted)))
            .all()
        )
        cohort_ids = sorted({member.cohort_id for member in members})
    assert cohort_ids, f"the matcher placed none of the hostile registrants: {result.output}"

    coordinator = console_client(SLUG)
    for cohort_id in cohort_ids:
        page = coordinator.get(f"/console/programs/{SLUG}/cohorts/{cohort_id}")
        assert page.status_code == 200
        assert not RAW_MARKUP.search(page.text)
        assert "&lt;script&gt;" in page.text  # the note is shown, escaped

    for participant_id in accepted:
        for recipient, message in _built_emails(app, participant_id):
            _assert_email_is_safe(message, recipient)


@pytest.mark.parametrize("title", HOSTILE_NAMES)
def test_a_hostile_program_name_or_neutral_title_never_becomes_a_header(app, client, title):
    with app.app_context():
        session = database.session()
        program = session.exec(select(Program).where(Program.slug == SLUG)).one()
        program.name, program.neutral_title = f"{title} name", title
        session.commit()
    assert _register(client, "river@example.org").status_code == 201
    participant = _participant(app, "river@example.org")

    for recipient, message in _built_emails(app, participant.id):
        _assert_email_is_safe(message, recipient)
        raw = bytes(compose(message, mail_from=MAIL_FROM))
        sent = message_from_bytes(raw, policy=policy.default)
        assert [address for _name, address in getaddresses(sent.get_all("From"))] == ["meetups@example.org"]
        assert raw.count(b"\nFrom: ") == 1


# Text a database cannot store: refused like any other bad answer, never a server error.
UNSTORABLE = [
    pytest.param("display_name", "\ud800", id="lone-surrogate-name"),
    pytest.param("accessibility_note", "\udfff note", id="lone-surrogate-note"),
    pytest.param("accessibility_note", "step\x00free", id="nul-in-note"),
    pytest.param("display_name", "Ann\x00", id="nul-in-name"),
]


@pytest.mark.parametrize(("field", "value"), UNSTORABLE)
def test_text_the_database_cannot_store_is_refused(client, field, value):
    response = client.post(API, json=valid_body(**{field: value}))
    assert response.status_code == 422, response.text
    assert field in response.json["errors"]


EMAIL = "coordinator@example.org"
PASSWORD = "a long enough test password"
OFF_SITE = [
    "https://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:/evil.example",
    "/console@evil.example",
    " //evil.example",
    "\t//evil.example",
    "javascript:alert(1)",
    "/console/../\\evil.example",
    "%2F%2Fevil.example",
]


@pytest.fixture
def coordinator(app):
    with app.app_context():
        session = database.session()
        create_coordinator(session, EMAIL, PASSWORD, program_slugs=(SLUG,))
        session.commit()


def _stays_on_site(location: str) -> bool:
    parts = urlsplit(location)
    # Browsers read a backslash as a slash, so "/\evil" would leave the site too.
    return parts.scheme in ("", "http") and parts.netloc in ("", "localhost") and "\\" not in location


@pytest.mark.parametrize("target", OFF_SITE)
def test_signing_in_never_redirects_off_the_site(app, client, coordinator, target):
    login = client.get("/console/login", query_string={"next": target})
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert token
    signed_in = client.post(
        "/console/login",
        data={
            "email": EMAIL,
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": target,
        },
    )
    assert signed_in.status_code in (302, 303), signed_in.text
    assert _stays_on_site(signed_in.location), signed_in.location

    again = client.get("/console/login", query_string={"next": target})  # already signed in
    assert again.status_code == 302
    assert _stays_on_site(again.location), again.location
