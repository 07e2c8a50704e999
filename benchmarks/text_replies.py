"""How long `POST /webhooks/sms` takes for a "can't come" in a large program, beside a STOP and `/healthz`.

A "can't come" by text does what the email's link does: records the answer, tells the host, and offers the
freed place to up to three people waiting who fit the group, which asks the database about everyone waiting.
Twilio waits 15 s for the webhook's answer; this shows how far below that it stays.

Seeds the demo program with N registrants (default 20,000) in a fresh PostgreSQL database, approves one
group of five of them meeting in two weeks, records a reminder texted to each member (as the sender leaves
it), then posts each member's "NO", signed as Twilio signs it, through the app in this process, one at a
time. Prints the median and slowest of the five, beside the same for a STOP and for `/healthz`.

    .venv/bin/python benchmarks/text_replies.py [--registrants 20000]

BENCH_DATABASE_URL names the database (default postgresql://postgres@127.0.0.1:5432/bench_text_replies); it
is emptied first.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlmodel import select
from support import analyze_postgres, postgres_url, prepare_demo, reset_postgres

from app import create_app, database
from app.database import utcnow
from app.messages.kinds import Channel, MessageKind
from app.messages.queue import message_row, queue_messages
from app.models import Cohort, CohortMember, Condition, Host, MessageStatus, OutboundMessage, Participant
from app.services.approval import approve_cohort
from app.settings import load_settings
from integrations.sms import compute_signature

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/bench_text_replies"
MEMBERS = 5
WEBHOOK = "/webhooks/sms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, default=20_000)
    args = parser.parse_args()
    url = postgres_url(DEFAULT_POSTGRES_URL)
    if not reset_postgres(url):
        print(f"PostgreSQL does not answer at {url}, so the benchmark is skipped.")
        return
    prepare_demo(url, args.registrants)
    with tempfile.TemporaryDirectory() as folder:
        environ = {"APP_ENV": "testing", "DATABASE_URL": url, "BASE_URL": "https://meetups.example.org"}
        app = create_app({"SETTINGS": load_settings(Path(folder), environ)})
        numbers = _one_group_reminded(app)
        analyze_postgres(url)
        client = app.test_client()
        post = _signed_poster(app, client)
        figures = {
            "/healthz": [_timed(lambda: client.get("/healthz")) for _ in numbers],
            '"NO" to a reminder': [_timed(lambda number=number: post(number, "NO")) for number in numbers],
            "STOP": [_timed(lambda number=number: post(number, "STOP")) for number in numbers],
        }
        app.extensions["engine"].dispose()
    print(f"{args.registrants} registrants; {MEMBERS} requests each, one at a time")
    for name, times in figures.items():
        median, slowest = statistics.median(times) * 1000, max(times) * 1000
        print(f"{name:22} median {median:7.1f} ms   slowest {slowest:7.1f} ms")


def _one_group_reminded(app) -> list[str]:
    """Approve a group of the first verified CLL registrants, give them numbers and texted reminders; their
    numbers."""
    with app.app_context():
        session = database.session()
        cll = session.exec(select(Condition).where(Condition.code == "cll")).one()
        members = session.exec(
            select(Participant)
            .where(Participant.condition_id == cll.id)
            .order_by(Participant.id)
            .limit(MEMBERS)
        ).all()
        host = session.exec(select(Host).where(Host.display_name == "Jonah")).one()
        cohort = Cohort(
            program_id=cll.program_id,
            condition_id=cll.id,
            language="en",
            slot=16,
            role=members[0].role,
            host_id=host.id,
        )
        session.add(cohort)
        session.flush()
        session.add_all(CohortMember(cohort_id=cohort.id, participant_id=member.id) for member in members)
        now = utcnow()
        meeting = approve_cohort(session, cohort, actor="benchmark", now=now)
        for number, member in enumerate(members):
            member.phone, member.sms_consent_at = f"+1555020{number:04d}", now
            session.add(member)
        session.flush()
        queue_messages(
            session,
            [
                message_row(
                    kind=MessageKind.REMINDER,
                    program_id=cll.program_id,
                    recipient=member.phone,
                    dedupe_key=f"bench-text-{member.id}",
                    send_at=now,
                    participant_id=member.id,
                    meeting_id=meeting.id,
                )
                for member in members
            ],
        )
        for row in session.exec(
            select(OutboundMessage).where(OutboundMessage.dedupe_key.startswith("bench-text-"))
        ):
            row.channel, row.status, row.sent_at = Channel.SMS, MessageStatus.SENT, now - timedelta(hours=1)
            session.add(row)
        session.commit()
        return [member.phone for member in members]


def _signed_poster(app, client):
    settings = app.config["SETTINGS"]
    sent = iter(range(10**6))

    def post(number: str, body: str) -> None:
        params = {
            "MessageSid": f"SM{next(sent):032x}", "AccountSid": settings.twilio.account_sid, "From": number,
            "To": "+15005550006", "Body": body,
        }  # fmt: skip
        signature = compute_signature(settings.twilio.auth_token, settings.base_url + WEBHOOK, params)
        answer = client.post(WEBHOOK, data=params, headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 200, answer.text

    return post


def _timed(work) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


if __name__ == "__main__":
    main()
