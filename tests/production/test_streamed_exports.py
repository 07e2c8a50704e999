"""A CSV download through gunicorn on PostgreSQL holds one database session while it is sent, and gives it
back when the download is over: read to the end, or left by a client that went away in the middle.

The world: 2,000 anonymous survey answers with long comments, a download of about 6 MB, more than the
sockets between the server and a client that reads nothing can hold, so the server is still sending (and
reading rows) when that client goes.
"""

from __future__ import annotations

import csv
import io
import re
import socket
import struct
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests
from sqlmodel import select

from app import database
from app.demo import seed_demo
from app.models import Cohort, Condition, Meeting, SurveyResponse
from app.services.accounts import create_coordinator

from ..sessions import open_transactions

pytestmark = pytest.mark.postgres_only

ANSWERS = 2_000
COMMENT = "We talked about the weeks after treatment, " * 70  # about 3 kB
EMAIL, PASSWORD = "exports@example.org", "a long enough export password"
EXPORT = "/console/programs/demo/results.csv"


@pytest.fixture
def answered(app) -> None:
    with app.app_context():
        session = database.session()
        program = seed_demo(session)
        condition = session.exec(select(Condition).where(Condition.program_id == program.id)).first()
        cohort = Cohort(program_id=program.id, condition_id=condition.id, language="en", slot=17)
        session.add(cohort)
        session.flush()
        meeting = Meeting(
            cohort_id=cohort.id, starts_at=datetime(2026, 3, 2, 17, tzinfo=UTC), status="ended",
            calendar_uid="streamed-exports",
        )  # fmt: skip
        session.add(meeting)
        session.flush()
        session.add_all(
            SurveyResponse(
                meeting_id=meeting.id, anonymous=True, response_key=f"streamed-{number:05d}",
                answers={"feeling": 4, "comments": COMMENT}, submitted_at=datetime(2026, 3, 3, tzinfo=UTC),
            )
            for number in range(ANSWERS)
        )  # fmt: skip
        create_coordinator(session, EMAIL, PASSWORD, program_slugs=("demo",))
        session.commit()


def _sign_in(web_url: str) -> str:
    """The Cookie header of a coordinator signed in through the console's form."""
    with requests.Session() as browser:
        page = browser.get(f"{web_url}/console/login", timeout=30)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        form = {"email": EMAIL, "password": PASSWORD, "csrf_token": token}
        assert browser.post(f"{web_url}/console/login", data=form, timeout=30).status_code == 200
        return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def test_a_download_gives_its_session_back_read_to_the_end_or_left_half_way(
    app, answered, deployment, wait_for
):
    engine = app.extensions["engine"]
    deployment.start_web(workers=1)
    cookie = _sign_in(deployment.web_url)

    whole = requests.get(f"{deployment.web_url}{EXPORT}", headers={"Cookie": cookie}, timeout=60)
    assert whole.status_code == 200 and whole.headers["Transfer-Encoding"] == "chunked"
    rows = list(csv.reader(io.StringIO(whole.text, newline="")))
    assert len(rows) == ANSWERS + 1 and {row[-1] for row in rows[1:]} == {COMMENT}
    wait_for(lambda: open_transactions(engine) == 0, "the finished download to give its session back")

    # A client that reads the first bytes, then nothing (a small receive buffer, so the server soon waits).
    address = urlsplit(deployment.web_url)
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect((address.hostname, address.port))
    client.sendall(f"GET {EXPORT} HTTP/1.1\r\nHost: {address.netloc}\r\nCookie: {cookie}\r\n\r\n".encode())
    assert client.recv(1024).startswith(b"HTTP/1.1 200")
    wait_for(lambda: open_transactions(engine) == 1, "the download to be under way, reading its rows")
    # It goes away (a reset, as when a laptop is closed): the server stops and gives the session back.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    wait_for(lambda: open_transactions(engine) == 0, "the abandoned download to give its session back")
    assert requests.get(f"{deployment.web_url}/healthz", timeout=30).status_code == 200
