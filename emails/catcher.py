"""A development mail catcher: an SMTP server that keeps every message it receives in a folder.

Nothing leaves the machine. Each message becomes one ``.eml`` file named by its arrival time, so
names sort in arrival order, with the envelope written on top as a delivering server would
(``Return-Path`` and one ``Delivered-To`` per recipient). The file opens in any mail program; the
app's development page lists and shows messages with ``list_messages`` and ``read_message``.

    python -m emails.catcher --port 1025 --directory instance/mail
"""

from __future__ import annotations

import argparse
import re
import secrets
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, cast

from aiosmtpd.controller import Controller

SUFFIX = ".eml"
# An id is the arrival time in nanoseconds, zero-padded so names sort by time, and a random tail so
# two messages in the same nanosecond cannot collide. Ids come back from a web page: anything else
# is refused before it can name a path.
_ID = re.compile(r"\d{20}-[0-9a-f]{8}")


@dataclass(frozen=True)
class CaughtMessage:
    """What a list of caught messages shows about each one."""

    id: str
    received_at: datetime
    sender: str
    recipients: tuple[str, ...]
    subject: str


class MailCatcher:
    """aiosmtpd handler that stores every message in ``directory``."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Store the message; the reply tells the client it was accepted."""
        store_message(self.directory, envelope.mail_from, envelope.rcpt_tos, envelope.content)
        return "250 Message accepted for delivery"


def store_message(directory: Path, sender: str, recipients: Sequence[str], content: bytes) -> str:
    """Write one received message into ``directory`` and return its id."""
    message_id = f"{time.time_ns():020d}-{secrets.token_hex(4)}"
    envelope = [f"Return-Path: <{sender}>"] + [f"Delivered-To: {recipient}" for recipient in recipients]
    partial = directory / f".{message_id}.part"
    partial.write_bytes("".join(f"{line}\r\n" for line in envelope).encode() + content)
    partial.replace(directory / f"{message_id}{SUFFIX}")  # readers never see a half-written file
    return message_id


def list_messages(directory: str | Path) -> list[CaughtMessage]:
    """Every message in ``directory``, oldest first."""
    caught = []
    for path in sorted(Path(directory).glob(f"*{SUFFIX}")):
        with path.open("rb") as file:
            headers = BytesParser(policy=policy.default).parse(file, headersonly=True)
        caught.append(
            CaughtMessage(
                id=path.stem,
                received_at=datetime.fromtimestamp(int(path.stem.split("-")[0]) / 1e9, UTC),
                sender=str(headers.get("Return-Path", "")).strip("<>"),
                recipients=tuple(str(recipient) for recipient in headers.get_all("Delivered-To", [])),
                subject=str(headers.get("Subject", "")),
            )
        )
    return caught


def read_message(directory: str | Path, message_id: str) -> EmailMessage:
    """The message with ``message_id``; ``KeyError`` if there is none."""
    path = Path(directory) / f"{message_id}{SUFFIX}"
    if not _ID.fullmatch(message_id) or not path.is_file():
        raise KeyError(message_id)
    with path.open("rb") as file:
        return cast(EmailMessage, BytesParser(policy=policy.default).parse(file))


def calendar_part(message: EmailMessage) -> bytes | None:
    """The calendar file a message carries: its ``.ics`` attachment byte for byte, else the inline part."""
    for content_type in ("application/ics", "text/calendar"):
        for part in message.walk():
            if part.get_content_type() == content_type:
                return part.get_payload(decode=True)
    return None


def start(host: str, port: int, directory: str | Path) -> Controller:
    """Start catching mail on ``host:port`` in a background thread; call ``stop()`` on the result."""
    # A fixed server name: the default looks up this machine's domain name, which can stall offline.
    controller = Controller(MailCatcher(directory), hostname=host, port=port, server_hostname="mail-catcher")
    controller.start()
    return controller


def serve(host: str, port: int, directory: str | Path) -> None:
    """Catch mail until interrupted (Ctrl-C or SIGTERM)."""
    controller = start(host, port, directory)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"Catching mail on {host}:{port} into {Path(directory).resolve()}", file=sys.stderr)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m emails.catcher [--host H] [--port P] [--directory D]``."""
    parser = argparse.ArgumentParser(description="Keep every email sent to this SMTP server in a folder.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--directory", default="instance/mail")
    arguments = parser.parse_args(argv)
    serve(arguments.host, arguments.port, arguments.directory)


if __name__ == "__main__":
    main()
