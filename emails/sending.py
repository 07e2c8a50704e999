"""Deliver built messages: over SMTP, to a console, or into memory for tests.

The app picks a sender from its settings and hands it the messages its outbox holds. A failed
delivery raises (or, in a batch, reports) ``SendError``, whose ``permanent`` flag tells the outbox
whether to try again later (a 4xx reply, a dropped or refused connection, a timeout) or to give up
(a 5xx reply: the address does not exist, or the server will never take this message).
"""

from __future__ import annotations

import smtplib
import ssl
import sys
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from typing import Protocol, TextIO

DEFAULT_TIMEOUT = 10.0


class SendError(Exception):
    """A message was not delivered. ``permanent`` says that trying again would not help."""

    def __init__(self, reason: str, *, permanent: bool, code: int | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.code = code

    @classmethod
    def from_reply(cls, code: int, reason: str) -> SendError:
        """Classify an SMTP reply: 5xx is permanent, anything else (4xx) may pass."""
        return cls(f"{code} {reason}", permanent=500 <= code < 600, code=code)


class Sender(Protocol):
    """Anything that delivers messages."""

    def send(self, message: EmailMessage) -> None:
        """Deliver one message, or raise ``SendError``."""
        ...

    def send_many(self, messages: Sequence[EmailMessage]) -> list[SendError | None]:
        """Deliver every message; one entry per message, in order: ``None`` if delivered, else why not."""
        ...


class MemorySender:
    """Keeps every message in ``sent``, for tests."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        """Keep ``message``."""
        self.sent.append(message)

    def send_many(self, messages: Sequence[EmailMessage]) -> list[SendError | None]:
        """Keep every message."""
        return _send_each(self.send, messages)


class ConsoleSender:
    """Writes every message to a stream (standard output by default), for development."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: EmailMessage) -> None:
        """Write ``message`` as it would travel, followed by a separator line."""
        self.stream.write(message.as_string())
        self.stream.write("\n" + "=" * 72 + "\n")
        self.stream.flush()

    def send_many(self, messages: Sequence[EmailMessage]) -> list[SendError | None]:
        """Write every message."""
        return _send_each(self.send, messages)


class SmtpSender:
    """Delivers through an SMTP server, one connection for a whole batch.

    ``timeout`` (seconds) bounds connecting and every exchange with the server. With ``starttls`` the
    connection is upgraded to TLS, with certificate checks, before logging in; ``username`` is
    optional for servers that need no login (a local relay, the development mail catcher).
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        """Deliver one message, or raise ``SendError``."""
        [error] = self.send_many([message])
        if error is not None:
            raise error

    def send_many(self, messages: Sequence[EmailMessage]) -> list[SendError | None]:
        """Deliver every message over one connection; one entry per message: ``None`` or why not.

        A refused message does not stop the batch. If the server drops the connection, the message
        is tried once more on a new one; if the server cannot be reached at all, every message left
        is reported as a temporary failure rather than waiting out the timeout once per message.
        """
        outcomes: list[SendError | None] = []
        connection: smtplib.SMTP | None = None
        try:
            for index, message in enumerate(messages):
                try:
                    connection = connection or self._connect()
                    error = _deliver(connection, message)
                    if isinstance(error, _Disconnected):
                        # Servers drop idle or busy connections; the message was not taken, so it
                        # gets one more try on a fresh connection.
                        connection = self._connect()
                        error = _deliver(connection, message)
                except SendError as unreachable:
                    return outcomes + [unreachable] * (len(messages) - index)
                outcomes.append(error)
        finally:
            if connection is not None:
                _quit(connection)
        return outcomes

    def _connect(self) -> smtplib.SMTP:
        try:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.starttls:
                    connection.starttls(context=ssl.create_default_context())
                if self.username:
                    connection.login(self.username, self.password or "")
            except BaseException:
                connection.close()
                raise
        except smtplib.SMTPResponseException as error:
            # A refused login or greeting is the server's configuration, not the message's fault:
            # once an operator fixes it, the same messages will go through.
            reply = f"{error.smtp_code} {_text(error.smtp_error)}"
            raise SendError(reply, permanent=False, code=error.smtp_code) from error
        except (OSError, smtplib.SMTPException) as error:
            raise SendError(f"cannot reach {self.host}:{self.port}: {error}", permanent=False) from error
        return connection


class _Disconnected(SendError):
    """The connection was lost while delivering; the message may be retried on a new one."""


def _deliver(connection: smtplib.SMTP, message: EmailMessage) -> SendError | None:
    try:
        refused = connection.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        # Each message has one recipient, so its refusal is the message's.
        code, reason = next(iter(error.recipients.values()))
    except smtplib.SMTPResponseException as error:
        code, reason = error.smtp_code, error.smtp_error
    except (smtplib.SMTPServerDisconnected, OSError) as error:
        return _Disconnected(f"connection lost: {error}", permanent=False)
    except smtplib.SMTPException as error:
        # What remains means this message cannot travel as it is (it needs SMTPUTF8, say).
        return SendError(str(error), permanent=True)
    else:
        if not refused:
            return None
        code, reason = next(iter(refused.values()))
    if code == 421:  # the server is closing the connection; smtplib has already closed our side
        return _Disconnected(f"421 {_text(reason)}", permanent=False, code=421)
    return SendError.from_reply(code, _text(reason))


def _send_each(
    send: Callable[[EmailMessage], None], messages: Sequence[EmailMessage]
) -> list[SendError | None]:
    outcomes: list[SendError | None] = []
    for message in messages:
        try:
            send(message)
        except SendError as error:
            outcomes.append(error)
        else:
            outcomes.append(None)
    return outcomes


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
