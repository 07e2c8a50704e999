"""The development mail catcher keeps what it is sent, for people and for the app's mail page."""

from __future__ import annotations

import signal
import smtplib
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from emails.catcher import calendar_part, list_messages, read_message
from emails.messages import compose
from emails.sending import SmtpSender


def plain_message(subject: str, to: str = "ana@example.com") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "meetups@example.org"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Synthetic body.\n")
    return message


def test_messages_are_listed_in_order_of_arrival_with_their_envelope(catcher, mailbox):
    host, port = catcher
    before = datetime.now(UTC)

    SmtpSender(host, port, starttls=False, timeout=5).send_many(
        [plain_message(f"Message {number}", to=f"p{number}@example.com") for number in range(12)]
    )

    caught = list_messages(mailbox)
    assert [message.subject for message in caught] == [f"Message {number}" for number in range(12)]
    assert caught[3].recipients == ("p3@example.com",)
    assert caught[3].sender == "meetups@example.org"
    assert (
        before - timedelta(seconds=1) <= caught[0].received_at <= caught[-1].received_at <= datetime.now(UTC)
    )
    assert sorted(path.name for path in mailbox.iterdir()) == [f"{message.id}.eml" for message in caught]


def test_a_caught_message_reads_back_whole(catcher, mailbox, make_email, make_person):
    host, port = catcher
    sent = compose(make_email("cohort_invitation", make_person()), mail_from="meetups@example.org")

    SmtpSender(host, port, starttls=False, timeout=5).send(sent)

    [caught] = list_messages(mailbox)
    received = read_message(mailbox, caught.id)
    assert received["Subject"] == sent["Subject"]
    assert received.get_body(("plain",)).get_content() == sent.get_body(("plain",)).get_content()
    assert calendar_part(received) == calendar_part(sent)
    assert calendar_part(received).startswith(b"BEGIN:VCALENDAR\r\n")


def test_a_message_without_a_meeting_has_no_calendar(catcher, mailbox):
    host, port = catcher
    SmtpSender(host, port, starttls=False, timeout=5).send(plain_message("No meeting"))

    assert calendar_part(read_message(mailbox, list_messages(mailbox)[0].id)) is None


@pytest.mark.parametrize("message_id", ["../secrets", "00000000000000000000-deadbeef", "", "x" * 29])
def test_an_unknown_or_crafted_id_finds_nothing(mailbox, message_id):
    mailbox.mkdir()
    (mailbox.parent / "secrets.eml").write_text("Subject: not for the mail page\n\n")

    with pytest.raises(KeyError):
        read_message(mailbox, message_id)


def test_an_empty_or_missing_folder_lists_nothing(tmp_path):
    assert list_messages(tmp_path / "never-created") == []


def test_the_catcher_runs_as_its_own_process_until_terminated(tmp_path, unused_port):
    port = unused_port
    directory = tmp_path / "mail"
    process = subprocess.Popen(
        [sys.executable, "-m", "emails.catcher", "--port", str(port), "--directory", str(directory)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=2) as client:
                    client.send_message(plain_message("Through the command line"))
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)

    assert process.returncode == 0, stderr
    assert f"127.0.0.1:{port}" in stderr
    assert [message.subject for message in list_messages(directory)] == ["Through the command line"]


def test_stored_files_open_in_a_mail_program(catcher, mailbox):
    host, port = catcher
    SmtpSender(host, port, starttls=False, timeout=5).send(plain_message("Readable"))

    [path] = Path(mailbox).glob("*.eml")
    raw = path.read_bytes()
    assert raw.startswith(b"Return-Path: <meetups@example.org>\r\nDelivered-To: ana@example.com\r\n")
    assert b"Subject: Readable\r\n" in raw
