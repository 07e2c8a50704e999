"""Delivering batches over SMTP, and telling the outbox which failures are worth retrying."""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest

from emails.catcher import MailCatcher, list_messages
from emails.messages import compose
from emails.sending import ConsoleSender, MemorySender, SendError, SmtpSender

MAIL_FROM = "meetups@example.org"


class RefusingCatcher(MailCatcher):
    """A server that refuses some recipients with the reply given for each."""

    def __init__(self, directory: Path, refusals: dict[str, str]) -> None:
        super().__init__(directory)
        self.refusals = refusals

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


class DroppingCatcher(MailCatcher):
    """A server that hangs up on the first message it is given, as busy servers do."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.dropped = False

    async def handle_DATA(self, server, session, envelope):
        if not self.dropped:
            self.dropped = True
            return "421 Too busy, closing connection"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def batch(make_email, make_person) -> Callable[..., list[EmailMessage]]:
    def build(*addresses: str) -> list[EmailMessage]:
        return [
            compose(
                make_email("reminder", make_person(display_name=address.split("@")[0], email=address)),
                mail_from=MAIL_FROM,
            )
            for address in addresses
        ]

    return build


def recipients(mailbox: Path) -> list[str]:
    return [address for caught in list_messages(mailbox) for address in caught.recipients]


def test_a_batch_is_delivered_in_order(catcher, mailbox, batch):
    host, port = catcher

    outcomes = SmtpSender(host, port, starttls=False, timeout=5).send_many(
        batch("ana@example.com", "bea@example.com", "carl@example.com")
    )

    assert outcomes == [None, None, None]
    assert recipients(mailbox) == ["ana@example.com", "bea@example.com", "carl@example.com"]


def test_a_refused_recipient_fails_permanently_without_stopping_the_batch(smtp_server, mailbox, batch):
    host, port = smtp_server(RefusingCatcher(mailbox, {"gone@example.com": "550 5.1.1 No such user"}))

    outcomes = SmtpSender(host, port, starttls=False, timeout=5).send_many(
        batch("ana@example.com", "gone@example.com", "carl@example.com")
    )

    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], SendError)
    assert outcomes[1].permanent and outcomes[1].code == 550
    assert recipients(mailbox) == ["ana@example.com", "carl@example.com"]


def test_a_full_mailbox_fails_temporarily(smtp_server, mailbox, batch):
    host, port = smtp_server(RefusingCatcher(mailbox, {"full@example.com": "452 4.2.2 Mailbox full"}))

    [outcome] = SmtpSender(host, port, starttls=False, timeout=5).send_many(batch("full@example.com"))

    assert outcome is not None and not outcome.permanent and outcome.code == 452


def test_send_raises_what_send_many_reports(smtp_server, mailbox, batch):
    host, port = smtp_server(RefusingCatcher(mailbox, {"gone@example.com": "550 No such user"}))

    with pytest.raises(SendError) as refused:
        SmtpSender(host, port, starttls=False, timeout=5).send(batch("gone@example.com")[0])

    assert refused.value.permanent


def test_a_dropped_connection_is_reopened_and_nothing_is_lost(smtp_server, mailbox, batch):
    host, port = smtp_server(DroppingCatcher(mailbox))

    outcomes = SmtpSender(host, port, starttls=False, timeout=5).send_many(
        batch("ana@example.com", "bea@example.com")
    )

    assert outcomes == [None, None]
    assert recipients(mailbox) == ["ana@example.com", "bea@example.com"]


def test_a_server_that_is_down_is_a_temporary_failure_for_every_message(batch, unused_port):
    outcomes = SmtpSender("127.0.0.1", unused_port, starttls=False, timeout=2).send_many(
        batch("ana@example.com", "bea@example.com")
    )

    assert all(isinstance(outcome, SendError) and not outcome.permanent for outcome in outcomes)
    assert len(outcomes) == 2


def test_a_server_that_never_answers_fails_within_the_timeout(batch):
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()

        outcomes = SmtpSender("127.0.0.1", silent.getsockname()[1], starttls=False, timeout=0.5).send_many(
            batch("ana@example.com", "bea@example.com")
        )

        elapsed = time.monotonic() - started
    assert all(isinstance(outcome, SendError) and not outcome.permanent for outcome in outcomes)
    assert elapsed < 2  # once, not once per message


def test_the_memory_sender_keeps_what_it_is_given(batch):
    sender = MemorySender()
    messages = batch("ana@example.com", "bea@example.com")

    assert sender.send_many(messages) == [None, None]
    assert sender.sent == messages


def test_the_console_sender_prints_whole_messages(batch):
    stream = io.StringIO()

    ConsoleSender(stream).send_many(batch("ana@example.com", "bea@example.com"))

    printed = stream.getvalue()
    assert printed.count("Subject: Reminder: your conversation is coming up") == 2
    assert "To: ana <ana@example.com>" in printed and "To: bea <bea@example.com>" in printed
