"""The deployment as it runs in production, as real processes on one PostgreSQL database of their own.

gunicorn serves the app, `flask worker` processes carry out the work, the Zoom emulator runs in its own
process and a real SMTP server (aiosmtpd, in this process) keeps every message it accepts. Faults are made
the way they happen: a process is killed, a server stops, or a `TcpProxy` in front of a server drops every
connection and refuses new ones, as a restarting server does.

The tests have a database of their own beside the run's, so that their processes never meet the shared
fixture's per-test TRUNCATE; it is emptied after each test. Every process is started in a
process group of its own and killed with it at teardown.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session, and_, or_, select

from app import database
from app.cli.db import upgrade_database
from app.database import utcnow
from app.demo import seed_demo
from app.messages.dispatch import outbox_message_id
from app.models import Cohort, Meeting, MessageStatus, OutboundMessage, ZoomOperation, ZoomOperationStatus
from app.services.approval import approve_cohort
from app.services.proposals import propose_cohorts
from emails import catcher
from integrations.zoom import ZoomClient
from integrations.zoom.emulator_control import EmulatorControl

from ..conftest import create_database, drop_database, empty_database, free_port
from .gunicorn_ready import READY

# The checkout under test: processes run its code, whichever checkout the environment was installed from.
CHECKOUT = Path(__file__).resolve().parents[2]
WEB_APP = "app:create_app()"
# A gunicorn config that logs each worker once it can take requests (tests/production/gunicorn_ready.py).
WEB_READY_CONFIG = ["--config", str(Path(__file__).with_name("gunicorn_ready.py"))]
# Each access log line names the web worker that answered (its pid, as <1234>).
ACCESS_LOG = ["--access-logfile", "-", "--access-logformat", '%(p)s "%(r)s" %(s)s']
POLL_SECONDS = "0.5"
STARTUP_SECONDS = 60
APP_SETTINGS = (
    "APP_ENV", "DATABASE_URL", "SECRET_KEY", "BASE_URL", "MAIL_FROM", "MAIL_CATCHER_DIR", "PROXY_HOPS",
    "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS",
    "ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_WEBHOOK_SECRET_TOKEN",
    "ZOOM_API_BASE_URL", "ZOOM_OAUTH_TOKEN_URL",
    "RATELIMIT_STORAGE_URI", "RATELIMIT_KEY_PREFIX", "REGISTRATION_RATE_LIMIT", "LOGIN_RATE_LIMIT",
)  # fmt: skip
T = TypeVar("T")


def wait_for(condition: Callable[[], T], what: str, timeout: float = 30) -> T:
    """Poll `condition` until it returns something truthy, and return that; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(0.1)
    return value


@pytest.fixture(name="wait_for")
def wait_for_fixture() -> Callable[..., Any]:
    return wait_for


# Databases


@pytest.fixture(scope="session")
def production_database(postgres_url) -> Iterator[str]:
    """A migrated database of these tests' own beside the run's, so their processes never meet the shared
    fixture's per-test TRUNCATE; dropped at the end of the run."""
    name = f"{make_url(postgres_url).database}_production"
    url = create_database(postgres_url, name)
    try:
        upgrade_database(url)
        yield url
    finally:
        drop_database(postgres_url, name)


@pytest.fixture
def database_url(production_database) -> Iterator[str]:
    """The tests' own database, emptied after each test once its processes are gone."""
    yield production_database
    empty_database(production_database)


@pytest.fixture
def demo_program(app) -> str:
    """The demo program (conditions, stages, hosts), without registrants; its slug."""
    with app.app_context():
        program = seed_demo(database.session())
        database.session().commit()
        return program.slug


@pytest.fixture
def registration() -> Callable[..., dict[str, Any]]:
    """A valid registration for the demo program's JSON API; keyword arguments replace fields."""

    def body(email: str, **changes: Any) -> dict[str, Any]:
        return {
            "email": email,
            "display_name": email.split("@")[0].title(),
            "role": "patient",
            "condition": "cll",
            "stage": "watch-and-wait",
            "timezone": "America/New_York",
            "languages": ["en"],
            "availability": [{"weekday": day, "start": "13:00", "end": "17:00"} for day in range(5)],
            "consent": True,
            **changes,
        }

    return body


@pytest.fixture
def approve_a_cohort(app, demo_program) -> Callable[[], int]:
    """Approve one cohort of synthetic demo registrants, as a coordinator does; its meeting's id. Its Zoom
    calls and its invitations are due at once."""

    def approve() -> int:
        with app.app_context():
            session = database.session()
            program = seed_demo(session, registrants=40)
            propose_cohorts(session, program, today=utcnow().date())
            cohort = session.exec(
                select(Cohort).where(Cohort.program_id == program.id).order_by(Cohort.id)
            ).first()
            meeting = approve_cohort(session, cohort, actor="test", now=utcnow())
            session.commit()
            return meeting.id

    return approve


class Records:
    """The database as it is now: every read is a new session, so nothing is stale."""

    def __init__(self, engine: Engine, mail_from: str):
        self._engine = engine
        self._mail_from = mail_from

    def all(self, statement) -> list:
        with Session(self._engine) as session:
            return list(session.exec(statement).all())

    def messages(self, *conditions) -> list[OutboundMessage]:
        return self.all(select(OutboundMessage).where(*conditions).order_by(OutboundMessage.id))

    def zoom_operations(self, *conditions) -> list[ZoomOperation]:
        return self.all(select(ZoomOperation).where(*conditions).order_by(ZoomOperation.id))

    def meeting(self, meeting_id: int) -> Meeting:
        with Session(self._engine) as session:
            return session.get(Meeting, meeting_id)

    def sent_message_ids(self) -> list[str]:
        """The Message-ID of every email the outbox says was sent."""
        sent = self.messages(OutboundMessage.status == MessageStatus.SENT)
        return sorted(outbox_message_id(message, self._mail_from) for message in sent)

    def unfinished_work(self, by: datetime | None = None) -> list[str]:
        """Messages and Zoom calls due by `by` (default: now) that are not done, or being carried out."""
        by = by or utcnow()
        messages = self.messages(
            or_(
                OutboundMessage.status == MessageStatus.SENDING,
                and_(OutboundMessage.status == MessageStatus.PENDING, OutboundMessage.send_at <= by),
            )
        )
        operations = self.zoom_operations(
            or_(
                ZoomOperation.status == ZoomOperationStatus.RUNNING,
                and_(
                    ZoomOperation.status == ZoomOperationStatus.PENDING, ZoomOperation.next_attempt_at <= by
                ),
            )
        )
        return [f"message {m.id} {m.kind} {m.status}" for m in messages] + [
            f"Zoom call {o.id} {o.kind} {o.status}" for o in operations
        ]

    def failures(self) -> list[str]:
        """Messages and Zoom calls given up as failed, with why."""
        messages = self.messages(OutboundMessage.status == MessageStatus.FAILED)
        operations = self.zoom_operations(ZoomOperation.status == ZoomOperationStatus.FAILED)
        return [f"message {m.id} {m.kind}: {m.last_error}" for m in messages] + [
            f"Zoom call {o.id} {o.kind}: {o.last_error}" for o in operations
        ]


@pytest.fixture
def records(app) -> Records:
    return Records(app.extensions["engine"], app.config["SETTINGS"].mail_from)


# Processes


@dataclass
class Process:
    """A command started in a process group of its own, its output kept in `log`."""

    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group at once, as a crash or the kernel's OOM killer would."""
        with contextlib.suppress(ProcessLookupError):  # the group may be gone already
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, as a deployment stops a process; its exit status (SIGKILL if it takes too long)."""
        if self.running:
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.name} did not stop within {timeout:g} s of SIGTERM") from None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


class Processes:
    """Starts commands with their output in `folder`; `end()` kills every one still running."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.started: list[Process] = []

    def start(self, name: str, command: list[str], environment: dict[str, str]) -> Process:
        log = self.folder / f"{name}.log"
        with log.open("ab") as output:
            popen = subprocess.Popen(
                command,
                env=environment,
                cwd=self.folder,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.started.append(process)
        return process

    def end(self) -> None:
        """Kill what is left and print each log's end, which pytest shows when the test failed."""
        for process in self.started:
            process.kill()
        for process in self.started:
            tail = "\n".join(process.output().splitlines()[-40:])
            print(f"--- {process.name} (exit status {process.popen.returncode}) ---\n{tail}")


def _flask(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "app", *arguments]


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


def process_environment(**settings: str) -> dict[str, str]:
    """This environment for a process under test, with every app setting blank unless given here: neither
    the developer's shell nor a `.env` in the checkout (loaded by the app, but never over a variable that is
    set) reaches it. Output is unbuffered, so a log read mid-test is complete, and the code run is this
    checkout's, whichever checkout the environment was installed from."""
    return {
        **os.environ, **dict.fromkeys(APP_SETTINGS, ""), "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(CHECKOUT),
        **settings,
    }  # fmt: skip


@pytest.fixture(scope="session")
def zoom_emulator_url(tmp_path_factory) -> Iterator[str]:
    """`flask zoom-emulator` in a process of its own for the whole run; its base URL."""
    processes = Processes(tmp_path_factory.mktemp("zoom-emulator"))
    port = free_port()
    command = _flask("zoom-emulator", "--port", str(port))
    emulator = processes.start("zoom-emulator", command, process_environment())
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(f"{url}/_emulator/requests"), "the Zoom emulator", STARTUP_SECONDS)
        yield url
    finally:
        emulator.kill()


@pytest.fixture
def zoom(zoom_emulator_url) -> EmulatorControl:
    """The emulator's control API, on an emulator with nothing in it."""
    control = EmulatorControl(zoom_emulator_url)
    control.reset()
    return control


@pytest.fixture
def zoom_api(zoom) -> ZoomClient:
    """Zoom's API as anyone with the account's credentials sees it (the emulator's, as the app uses it)."""
    return ZoomClient(
        "emulator", "emulator", "emulator", token_url=zoom.token_url, api_base_url=zoom.api_base_url
    )


# SMTP


class _HoldingCatcher(catcher.MailCatcher):
    """The mail catcher, which can hold a delivery after the client named its recipient.

    A held delivery has not been accepted: the message was claimed and is on its way, but no server has
    taken it yet. That is the moment a worker dies "between claim and send".
    """

    def __init__(self, directory: Path):
        super().__init__(directory)
        self.hold_next = threading.Event()
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if self.hold_next.is_set():
            self.hold_next.clear()
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a free localhost port, keeping every message it accepts.

    `stop()` and `start()` take it down and bring it back on the same port; `hold_next_delivery()` makes
    it hold the next delivery before accepting it, until `release()`.
    """

    def __init__(self, directory: Path):
        self.port = free_port()
        self._handler = _HoldingCatcher(directory)
        self._controller: Controller | None = None
        self.start()

    def start(self) -> None:
        self._controller = Controller(
            self._handler, hostname="127.0.0.1", port=self.port, server_hostname="production-test"
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def hold_next_delivery(self) -> threading.Event:
        """Hold the next delivery; the event returned is set once one is being held."""
        self._handler.released.clear()
        self._handler.hold_next.set()
        return self._handler.holding

    def release(self) -> None:
        self._handler.released.set()

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """Every message accepted (only those for `to`, when given), oldest first."""
        directory = self._handler.directory
        caught = [catcher.read_message(directory, each.id) for each in catcher.list_messages(directory)]
        return [message for message in caught if to is None or message["To"].addresses[0].addr_spec == to]

    def message_ids(self) -> list[str]:
        return sorted(message["Message-ID"] for message in self.messages())


@pytest.fixture
def smtp(tmp_path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path / "mail")
    yield server
    server.release()
    server.stop()


# A restarting server


class TcpProxy:
    """Forwards a free local port to the server at `url`, and can fail as a restarting server does:
    `cut()` drops every open connection and refuses new ones until `restore()`."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self._target = (parts.hostname, parts.port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self.restore()

    def route(self, url: str) -> str:
        """`url` (of the proxied server) going through the proxy instead."""
        parts = urlsplit(url)
        user = parts.netloc.rpartition("@")[0]
        netloc = f"{user}@" if user else ""
        return urlunsplit(parts._replace(netloc=f"{netloc}127.0.0.1:{self.port}"))

    def restore(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.settimeout(0.1)
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._connections = self._connections, set()
        if listener is not None:
            listener.close()
        for connection in connections:
            _close(connection)

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by cut()
                return
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                _close(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut while this one was being accepted
                    _close(client)
                    _close(upstream)
                    return
                self._connections |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy one direction of a connection; when either side ends, end both."""
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with self._lock:
            self._connections -= {source, sink}
        _close(sink)
        _close(source)


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()


@pytest.fixture
def proxy_to() -> Iterator[Callable[[str], TcpProxy]]:
    """Start a `TcpProxy` in front of the server at a URL."""
    proxies: list[TcpProxy] = []

    def start(url: str) -> TcpProxy:
        proxies.append(TcpProxy(url))
        return proxies[-1]

    yield start
    for proxy in proxies:
        proxy.cut()


# The deployment


@dataclass
class Deployment:
    """The app's own processes — gunicorn, `flask worker`, other `flask` commands — configured as in
    production through the environment, on the test's database, SMTP server and Zoom emulator.

    `database_url` and `zoom_url` are what a process is given unless told otherwise (a proxy's route); other
    settings (`REGISTRATION_RATE_LIMIT="10 per minute"`) may be given by their names.
    """

    processes: Processes
    database_url: str
    zoom_url: str
    smtp_port: int
    secret_key: str
    web_url: str = field(default_factory=lambda: f"http://127.0.0.1:{free_port()}")

    def environment(
        self, *, database_url: str | None = None, zoom_url: str | None = None, **settings: str
    ) -> dict[str, str]:
        zoom_url = zoom_url or self.zoom_url
        given = {
            "APP_ENV": "testing",
            "DATABASE_URL": database_url or self.database_url,
            "SECRET_KEY": self.secret_key,
            "BASE_URL": self.web_url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.smtp_port),
            "ZOOM_API_BASE_URL": f"{zoom_url}/v2",
            "ZOOM_OAUTH_TOKEN_URL": f"{zoom_url}/oauth/token",
            # Every request of these tests comes from 127.0.0.1: the registration limit per address is raised.
            "REGISTRATION_RATE_LIMIT": "1000 per minute",
        }
        return process_environment(**{**given, **settings})

    def start_web(self, *, workers: int, **routes: str) -> Process:
        """gunicorn with `workers` web workers, once each has loaded the app and gunicorn answers /healthz."""
        port = str(urlsplit(self.web_url).port)
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
        web = self.processes.start(
            "web", [*command, *WEB_READY_CONFIG, *ACCESS_LOG, WEB_APP], self.environment(**routes)
        )

        def every_worker_loaded() -> bool:
            return web.output().count(READY) >= workers

        wait_for(every_worker_loaded, f"{workers} web workers to load the app", STARTUP_SECONDS)
        wait_for(lambda: _answers(f"{self.web_url}/healthz"), "gunicorn to answer", STARTUP_SECONDS)
        return web

    def start_worker(self, **routes: str) -> Process:
        """A long-running `flask worker`, polling every POLL_SECONDS."""
        name = f"worker-{len(self.processes.started) + 1}"
        return self.start_flask(name, "worker", "--poll-seconds", POLL_SECONDS, **routes)

    def start_flask(self, name: str, *arguments: str, **routes: str) -> Process:
        """`flask ARGUMENTS` in a process of its own, left to run."""
        return self.processes.start(name, _flask(*arguments), self.environment(**routes))

    def flask(self, *arguments: str, **routes: str) -> str:
        """Run `flask ARGUMENTS` to its end; what it printed."""
        finished = subprocess.run(
            _flask(*arguments),
            env=self.environment(**routes),
            cwd=self.processes.folder,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert finished.returncode == 0, f"flask {' '.join(arguments)} failed:\n{finished.stderr}"
        return finished.stdout

    def run_worker_once(self, now: datetime | None = None, **routes: str) -> dict[str, str]:
        """`flask worker --once [--now NOW]`; what it did per area, such as {"mail": "2 sent"}."""
        moment = ["--now", now.isoformat()] if now else []
        printed = self.flask("worker", "--once", *moment, **routes)
        return dict(re.findall(r"^(\w+): (.*)$", printed, flags=re.MULTILINE))


@pytest.fixture
def deployment(app, database_url, smtp, zoom, tmp_path) -> Iterator[Deployment]:
    processes = Processes(tmp_path)
    yield Deployment(processes, database_url, zoom.url, smtp.port, app.config["SECRET_KEY"])
    processes.end()
