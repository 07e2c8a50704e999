"""Keeping signed links, join links and email addresses out of the logs.

The app never logs a name, an address or what someone wrote on purpose. Text it does not choose still reaches
log records: a request path holding a signed link's token (the access log, the development server's request
lines, "unhandled error on GET /s/<token>"), or an exception quoting an address or a link that Zoom or a mail
server sent back. `redact` replaces those with "…", and `install_redaction` applies it to every record.

It is a record factory, not a filter: a filter sees only the records of the logger or handler it is attached
to (one on `app` misses `app.worker.*` and `werkzeug`), and which handlers exist is up to gunicorn, Flask, the
deployer's logging set-up or a test. Every record, whoever logs it, is made by the record factory.
"""

from __future__ import annotations

import logging
import re

REDACTED = "…"

_REPLACEMENTS = (
    # An email address, also as a URL carries it (before the token rule, so the address goes as a whole).
    # Its local part may hold "/", "=", "?" and "&" too, but taking those would swallow the path or query.
    (re.compile(r"[\w.!#$%'*+^`{|}~-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+"), REDACTED),
    # A signed token (itsdangerous, as app.links makes them, or any JWT such as a Zoom access token):
    # base64url of a JSON object ("eyJ"; ".eJ" when compressed), a timestamp or header, and a signature.
    (re.compile(r"(?:eyJ|\.eJ)[\w-]*\.[\w-]{4,}\.[\w-]{20,}", re.ASCII), REDACTED),
    # Zoom join and start links carry their passcode or host key in the query string.
    (re.compile(r"(?<=[?&])(pwd|zak|tk)=[^&\s\"'<>]+"), rf"\1={REDACTED}"),
)
_FORMATTER = logging.Formatter()


def redact(text: str) -> str:
    """`text` with every email address, signed token and Zoom link secret replaced by "…"."""
    for pattern, replacement in _REPLACEMENTS:
        text = pattern.sub(replacement, text)
    return text


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a record's message, exception text and stack in place; left alone where nothing needs it.

    The message is formatted here, so its arguments are replaced by the redacted result only when it
    changed: records without anything to hide keep their template and arguments for whoever groups them.
    """
    try:
        message = record.getMessage()
    except Exception:  # this runs inside the caller's logging call: it must not raise
        # Arguments that do not fit the message: logging would print them raw while reporting the mistake.
        message, record.args = str(record.msg), ()
    redacted = redact(message)
    if redacted != message:
        record.msg, record.args = redacted, ()
    if record.exc_info and not record.exc_text:
        text = _FORMATTER.formatException(record.exc_info)
        if (redacted_text := redact(text)) != text:
            record.exc_text = redacted_text  # formatters show this instead of formatting the exception
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def install_redaction() -> None:
    """Pass every log record of this process through `redact_record`; calling it again changes nothing."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "redacts", False):
        return

    def make_redacted_record(*args, **kwargs) -> logging.LogRecord:
        return redact_record(make_record(*args, **kwargs))

    make_redacted_record.redacts = True
    logging.setLogRecordFactory(make_redacted_record)
