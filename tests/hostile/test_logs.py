"""No personal data, signed token, Zoom link or secret in the logs.

A registrant, a host and a coordinator go through the app with every logger at DEBUG (registering,
confirming, meeting, a Zoom failure, an unexpected error, the survey, leaving, signing in), and no log record
may hold what they typed or the keys in their links. A real gunicorn, started as the Procfile starts it, must
write access lines that name the route of a signed link but not its token.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app import database
from app.links import make_token
from app.logs import redact
from app.models import CohortMember, Condition, Host, MeetingRegistrant, Participant
from app.services.accounts import create_coordinator
from app.worker.runner import run_once
from integrations.zoom.webhooks import sign

from ..conftest import free_port
from ..lifecycle import conftest as lifecycle
from ..registration.conftest import Kit
from ..survey.conftest import FULL_ANSWERS, SurveyKit

# The app wired to the Zoom emulator over HTTP and a real SMTP server, with the demo program.
running_emulator, zoom, mailbox = lifecycle.running_emulator, lifecycle.zoom, lifecycle.mailbox
app, program, make_cohorts = lifecycle.app, lifecycle.program, lifecycle.make_cohorts
base_url = lifecycle.base_url

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = "http://localhost"
EMAIL = "wren.quillfeather.7731@example.org"
NAME = "Wrenna Quillfeather"
NOTE = "I lip-read, so please keep the Rhododendron lamp on"
COMMENT = "The Marigold teapot circle made me feel understood"
COORDINATOR = "lark.coordinator.5521@example.org"
PASSWORD = "Pelican-Orchard-9431-staple"
WRONG_PASSWORD = "Pelican-Orchard-9431-stable"
SMTP_PASSWORD = "smtp-Saffron-Kettle-2207"
LINK_KEY = "a-secret-key-for-signing-test-links"  # what the gunicorn below runs with
# The signed links the journey follows (see app.links), by name: the path, with the token as its group.
ROUTES = {
    "verify": r"/p/demo/verify/([^/]+)",
    "manage": r"/p/demo/manage/([^/]+)",
    "survey": r"/s/([^/]+)",
    "host page": r"/host/([^/]+)",
    "start": r"/host/start/([^/]+)",
}
LINK = re.compile(r"https?://\S+")


def shown(record: logging.LogRecord) -> str:
    """All a handler could write of a record: its line with message and traceback, and its raw arguments."""
    return logging.Formatter().format(record) + repr(record.args)


def status_over_http(url: str | urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (our own test servers)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def signed(purpose: str, payload: dict) -> str:
    """A token signed as app.links signs one, with LINK_KEY."""
    signer = Flask(__name__)
    signer.config["SECRET_KEY"] = LINK_KEY
    with signer.app_context():
        return make_token(purpose, payload)


# Redaction itself


@pytest.mark.parametrize(
    ("text", "shown_as"),
    [
        (f"GET /p/demo/verify/{signed('verify', {'p': 7})} HTTP/1.1", "GET /p/demo/verify/… HTTP/1.1"),
        (f"/s/{signed('survey', {'p': 7, 'm': 2, 'pad': 'x' * 300})}/another-group", "/s/…/another-group"),
        ("https://us02web.zoom.us/j/857?pwd=Ab3.c_d&uname=A", "https://us02web.zoom.us/j/857?pwd=…&uname=A"),
        ("https://zoom.us/s/857?zak=eyJ0eXAiOiJKV1Qi.eyJ1aWQiOiJ4In0.c2lnbmF0dXJl", "https://zoom.us/s/857?zak=…"),
        ("https://zoom.us/w/857?tk=Q1w2E3r4", "https://zoom.us/w/857?tk=…"),
        ("User does not exist: ana.silva+cll@example.org.", "User does not exist: …."),
        ("POST /v2/users/ana.silva%40example.org/meetings", "POST /v2/users/…/meetings"),
        ("Bearer eyJhbGciOiJIUzUxMiJ9.eyJ2ZXIiOjd9.aBcDeFgHiJkLmNoPqRsTuVwXyZ012345", "Bearer …"),
    ],
    ids=["verify link", "compressed token", "join link", "start link", "personal join link", "address",
         "address in a URL", "access token"],
)  # fmt: skip
def test_redaction_keeps_the_route_and_drops_the_key(text, shown_as):
    assert redact(text) == shown_as


@pytest.mark.parametrize(
    "text",
    [
        "requests.exceptions.ChunkedEncodingError",
        "sqlalchemy.exc.IntegrityError: duplicate key value violates unique constraint",
        'File "/srv/app/.venv/lib/python3.11/site-packages/werkzeug/serving.py", line 370',
        "postgresql+psycopg://127.0.0.1:5432/meetups",
        "meeting 85746065 started at 2026-03-02T15:01:30+00:00",
        "GET /console/programs/demo/cohorts/12?page=2 HTTP/1.1",
    ],
)
def test_redaction_leaves_ordinary_log_text_alone(text):
    assert redact(text) == text


# A journey through the app


class Journey:
    """A registrant, their host and a coordinator using the app; each secret they meet goes into `secrets`."""

    def __init__(self, app, mailbox, zoom, make_cohorts):
        self.app, self.mailbox, self.zoom, self.make_cohorts = app, mailbox, zoom, make_cohorts
        self.kit = Kit(app, app.test_client())
        # As in production the settings hold an SMTP password (the local mail catcher asks for no login).
        settings = dataclasses.replace(app.config["SETTINGS"], smtp_password=SMTP_PASSWORD)
        app.config["SETTINGS"] = settings
        self.secrets = {
            "email": EMAIL, "display name": NAME, "accessibility note": NOTE, "survey comment": COMMENT,
            "coordinator email": COORDINATOR, "password": PASSWORD, "wrong password": WRONG_PASSWORD,
            "SMTP password": SMTP_PASSWORD, "SECRET_KEY": settings.secret_key,
            "webhook secret": settings.zoom_webhook_secret_token, "host email": self._host_email(),
        }  # fmt: skip
        self.paths: dict[str, str] = {}

    def keep(self, name: str, url: str) -> str:
        """Remember a link's path and the secret in it: a signed link's token; a Zoom link, whole."""
        path = urlsplit(url).path
        self.secrets[f"{name} link"] = re.fullmatch(ROUTES[name], path)[1] if name in ROUTES else url
        self.paths[name] = path
        return path

    def emailed_link(self, to: str, name: str) -> str:
        """The path of the newest `name` link emailed to `to`, once the worker has sent what is due."""
        run_once(self.app)
        links = [
            link
            for link in self._links_emailed_to(to)
            if link.startswith(BASE_URL) and re.fullmatch(ROUTES[name], urlsplit(link).path)
        ]
        assert links, f"no {name} link was emailed to {to}"
        return self.keep(name, links[-1])

    def _links_emailed_to(self, address: str) -> list[str]:
        bodies = [
            message.get_body(preferencelist=("plain",)).get_content()
            for message in self.mailbox.messages()
            if message["To"].addresses[0].addr_spec == address
        ]
        return [link for body in bodies for link in LINK.findall(body)]

    def _host_email(self) -> str:
        with self.app.app_context():
            return database.session().exec(select(Host.email).where(Host.display_name == "Jonah")).one()

    # The registrant

    def register(self) -> None:
        form = Kit.form(email=EMAIL, display_name=NAME, accessibility_note=NOTE, languages=["en"])
        assert self.kit.post_form(Kit.page, form).status_code == 303
        verify = self.emailed_link(EMAIL, "verify")
        assert self.kit.post_form(verify, {}).status_code == 200

    def meet(self) -> SurveyKit:
        """Join a group of three; the group is approved, its meeting made at Zoom and everyone invited."""
        [cohort_id] = self.make_cohorts(1, size=3)
        with self.app.app_context():
            session = database.session()
            me = session.exec(select(Participant).where(Participant.email == EMAIL)).one()
            session.add(CohortMember(cohort_id=cohort_id, participant_id=me.id))
            session.commit()
        group = SurveyKit(self.app, self.mailbox, cohort_id)
        self.keep("Zoom join", next(link for link in self._links_emailed_to(EMAIL) if self.zoom.url in link))
        return group

    def attend(self, group: SurveyKit) -> None:
        """Zoom tells us the registrant joined, with their address and name; a forged copy is refused."""
        meeting = group.meeting()
        who = {"user_name": NAME, "email": EMAIL, "registrant_id": self._zoom_registrant_id(),
               "join_time": meeting.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")}  # fmt: skip
        body = {
            "event": "meeting.participant_joined",
            "event_ts": int(time.time() * 1000),
            "payload": {"account_id": "acc", "object": {"id": meeting.zoom_meeting_id, "participant": who}},
        }
        raw, secret = json.dumps(body).encode(), self.secrets["webhook secret"]
        assert self._deliver(raw, secret).status_code == 204
        assert self._deliver(raw, "forged-" + secret).status_code == 401

    def _zoom_registrant_id(self) -> str:
        mine = (
            select(MeetingRegistrant.zoom_registrant_id)
            .join(Participant, Participant.id == MeetingRegistrant.participant_id)
            .where(Participant.email == EMAIL)
        )
        with self.app.app_context():
            return database.session().exec(mine).one()

    def _deliver(self, raw: bytes, secret: str):
        stamp = str(int(time.time()))
        headers = {"x-zm-request-timestamp": stamp, "x-zm-signature": sign(secret, stamp, raw)}
        return self.kit.client.post("/webhooks/zoom", data=raw, headers=headers)

    def answer_survey(self, group: SurveyKit) -> None:
        group.run_worker(group.survey_time())
        survey = self.emailed_link(EMAIL, "survey")
        assert self.kit.post_form(survey, {**FULL_ANSWERS, "answer-comments": COMMENT}).status_code == 200

    def leave(self) -> None:
        manage = self.emailed_link(EMAIL, "manage")
        assert self.kit.client.get(manage).status_code == 200
        assert self.kit.post_form(f"{manage}/withdraw", {}).status_code == 200

    # The host

    def start_meeting(self) -> None:
        """Start the meeting from the host page: once it works, once Zoom fails, once our own code fails."""
        page = self.kit.client.get(self.emailed_link(self.secrets["host email"], "host page")).text
        start = self.keep("start", re.search(r'href="(/host/start/[^"]+)"', page)[1])
        started = self.kit.client.get(start)
        assert started.status_code == 303
        self.keep("Zoom start", started.headers["Location"])
        # What Zoom answers for a host it does not know: the address, in the error's message.
        self.zoom.fail_next(404, code=1001, message=f"User does not exist: {self.secrets['host email']}.")
        assert self.kit.client.get(start).status_code == 502
        working = self.app.extensions["zoom_client"]
        self.app.extensions["zoom_client"] = _BrokenZoom()
        try:
            assert self.kit.client.get(start).status_code == 500
        finally:
            self.app.extensions["zoom_client"] = working

    # The coordinator

    def sign_in(self) -> None:
        with self.app.app_context():
            create_coordinator(database.session(), COORDINATOR, PASSWORD, is_admin=True)
            database.session().commit()
        for password, status in ((WRONG_PASSWORD, 401), (PASSWORD, 303)):
            form = {"email": COORDINATOR, "password": password}
            assert self.kit.post_form("/console/login", form).status_code == status


class _BrokenZoom:
    """A Zoom client failing in a way our code does not expect."""

    def get_meeting(self, meeting_id: int):
        raise RuntimeError("the connection pool is gone")


@pytest.fixture
def journey(app, mailbox, zoom, make_cohorts, caplog) -> Journey:
    caplog.set_level(logging.WARNING, logger="sqlalchemy")  # the app leaves SQL echo off
    # The SMTP server the test stands up logs whole messages at DEBUG: it is the mail provider, not the app.
    caplog.set_level(logging.WARNING, logger="mail.log")
    caplog.set_level(logging.DEBUG)  # last: it also sets the level of the handler that captures records
    return Journey(app, mailbox, zoom, make_cohorts)


def test_no_log_record_holds_personal_data_a_token_a_zoom_link_or_a_secret(journey, server, caplog):
    journey.register()
    group = journey.meet()
    journey.attend(group)
    journey.start_meeting()
    journey.answer_survey(group)
    journey.leave()
    journey.sign_in()
    for name in ("verify", "manage", "survey"):  # over real HTTP too: the development server logs requests
        assert status_over_http(server + journey.paths[name]) < 500

    leaks = [
        f"{name} in {record.name}: {shown(record)[:300]}"
        for record in caplog.records
        for name, secret in journey.secrets.items()
        if secret in shown(record)
    ]
    assert not leaks, "\n".join(leaks)
    logged = "\n".join(shown(record) for record in caplog.records)
    # The log still tells an operator what happened, and where.
    assert "could not fetch a start link" in logged and "Zoom HTTP 404, code 1001" in logged
    assert "unhandled error on GET /host/start/…" in logged
    assert '"GET /p/demo/verify/… HTTP/1.1"' in logged


def test_a_database_error_in_the_log_does_not_quote_the_row_it_failed_to_write(app, program, caplog):
    """A traceback shows the error's text: SQLAlchemy puts a statement's values there unless told not to."""
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        session = database.session()
        condition_id = session.exec(select(Condition.id).where(Condition.program_id == program.id)).first()
        for _ in range(2):  # the same address twice in one program
            session.add(
                Participant(
                    program_id=program.id, email=EMAIL, display_name=NAME, accessibility_note=NOTE,
                    condition_id=condition_id, timezone="Europe/Madrid", languages=["en"],
                    consent_version="1",
                )
            )  # fmt: skip
        try:
            session.flush()
        except IntegrityError:
            logging.getLogger("app").exception("could not save a registration")
        else:
            pytest.fail("the database took the same address twice")
    [record] = [record for record in caplog.records if record.exc_info]
    assert "IntegrityError" in shown(record)
    assert not [value for value in (EMAIL, NAME, NOTE) if value in shown(record)]


# The access log of a real gunicorn


def procfile_command(process: str) -> str:
    """The command the Procfile gives for `process`, as a platform would run it."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{process}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"the Procfile has no {process} process")


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if status_over_http(f"{url}/healthz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer at {url}")


def written(path: Path, *, containing: str) -> str:
    """The file's text once it holds `containing`: gunicorn writes an access line after it has answered."""
    deadline = time.monotonic() + 10
    while containing not in (text := path.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return text


@pytest.fixture
def signed_tokens() -> dict[str, str]:
    """One real token per purpose, signed with the key the gunicorn below runs with."""
    return {
        "verify": signed("verify", {"participant": 1, "nonce": "n0nce"}),
        "manage": signed("manage", {"participant": 1}),
        "survey": signed("survey", {"p": 1, "m": 1}),
        "host": signed("host", {"h": 1, "m": 1}),
    }


@pytest.fixture
def procfile_web(sqlite_template, tmp_path):
    """The Procfile's web process on a free port, on a fresh SQLite database; yields its address and the
    files its standard output (the access log) and standard error go to."""
    database_file = tmp_path / "web.db"
    shutil.copyfile(sqlite_template, database_file)
    port = free_port()
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PORT": str(port), "WEB_CONCURRENCY": "1", "APP_ENV": "testing",
        "DATABASE_URL": f"sqlite:///{database_file}", "SECRET_KEY": LINK_KEY,
        "XDG_RUNTIME_DIR": str(tmp_path),  # gunicorn's control socket: this run's own
    }  # fmt: skip
    url, output, errors = f"http://127.0.0.1:{port}", tmp_path / "stdout.log", tmp_path / "stderr.log"
    with output.open("w") as out, errors.open("w") as err:
        command = ["/bin/sh", "-c", "exec " + procfile_command("web")]
        web = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=err)
        try:
            wait_until_up(url, web)
            yield url, output, errors
        finally:
            web.terminate()
            web.wait(timeout=30)


def test_gunicorn_logs_the_route_of_a_signed_link_but_not_its_token(procfile_web, signed_tokens):
    url, output, errors = procfile_web
    status_over_http(f"{url}/p/demo/verify/{signed_tokens['verify']}")
    status_over_http(f"{url}/s/{signed_tokens['survey']}?from=email")
    manage_page = f"http://localhost/p/demo/manage/{signed_tokens['manage']}"
    referred = urllib.request.Request(  # noqa: S310  (our own gunicorn)
        f"{url}/host/start/{signed_tokens['host']}", headers={"Referer": manage_page}
    )
    status_over_http(referred)

    lines = written(output, containing="GET /host/start/")
    assert '"GET /p/demo/verify/… HTTP/1.1"' in lines
    assert '"GET /s/…?from=email HTTP/1.1"' in lines
    assert '"GET /host/start/… HTTP/1.1"' in lines and '"http://localhost/p/demo/manage/…"' in lines
    everything = lines + errors.read_text()
    assert not [purpose for purpose, token in signed_tokens.items() if token in everything]
