"""Messages dispatched per second from the outbox to a local SMTP server, beside a bare smtplib loop.

Queues 10,000 synthetic messages in a fresh SQLite database, runs the worker's dispatcher over them (claim,
build from the database, render in the recipient's language, send over one SMTP connection per batch, mark
sent), then sends the same number of already-built messages with a plain smtplib loop on one connection.
Both go to the same aiosmtpd server that accepts and discards.

    .venv/bin/python benchmarks/mail.py [--messages 10000]
"""

from __future__ import annotations

import argparse
import smtplib
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from sqlmodel import Session, select
from support import free_port

from app import create_app
from app.cli.db import upgrade_database
from app.database import utcnow
from app.demo import seed_demo
from app.messages.building import build_email
from app.messages.kinds import MessageKind
from app.messages.queue import queue_message
from app.models import OutboundMessage, Participant
from app.settings import load_settings
from app.worker.runner import run_mail_work
from emails.messages import compose


def prepare(app, count: int) -> None:
    with app.app_context(), Session(app.extensions["engine"]) as session:
        program = seed_demo(session, registrants=count)
        for participant in session.exec(select(Participant).where(Participant.program_id == program.id)):
            queue_message(
                session, kind=MessageKind.REGISTRATION_CONFIRMED, program_id=program.id,
                recipient=participant.email, participant_id=participant.id, send_at=utcnow(),
                dedupe_key=f"bench:{participant.id}", locale=participant.locale,
            )  # fmt: skip
        session.commit()


def bare_smtplib(app, port: int, count: int) -> float:
    with app.app_context(), Session(app.extensions["engine"]) as session:
        sample = session.exec(select(OutboundMessage).limit(1)).one()
        message = compose(build_email(session, sample), mail_from="bench@example.org")
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as connection:
        for _ in range(count):
            connection.send_message(message)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    arguments = parser.parse_args()
    port = free_port()
    server = Controller(Sink(), hostname="127.0.0.1", port=port)
    server.start()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_database(url)
        environ = {"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "b" * 40, "SMTP_PORT": str(port)}
        app = create_app({"SETTINGS": load_settings(Path(folder), environ)})
        prepare(app, arguments.messages)
        started = time.perf_counter()
        outcome = run_mail_work(app)
        outbox_seconds = time.perf_counter() - started
        smtplib_seconds = bare_smtplib(app, port, arguments.messages)
    server.stop()
    count = arguments.messages
    sent = outcome["sent"]
    print(f"outbox dispatcher: {sent:>6} sent, {outbox_seconds:6.2f} s, {count / outbox_seconds:5.0f}/s")
    print(f"bare smtplib loop: {count:>6} sent, {smtplib_seconds:6.2f} s, {count / smtplib_seconds:5.0f}/s")
    print(f"the outbox runs at {smtplib_seconds / outbox_seconds:.0%} of the bare loop's rate")


if __name__ == "__main__":
    main()
