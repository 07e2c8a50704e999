"""What Twilio posts to our webhook — a text someone sent us, or a delivery report — and our answer.

Check the signature first (signature.py); then `parse_webhook` reads the form parameters. Twilio may
deliver the same webhook more than once: handle each `message_sid` (with its status) once.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

# Statuses a delivery report may carry for an outbound text.
REPORTED_STATUSES = frozenset(
    {
        "accepted",
        "scheduled",
        "canceled",
        "queued",
        "sending",
        "sent",
        "delivered",
        "undelivered",
        "failed",
        "read",
    }
)
#: The content type of a TwiML answer.
TWIML_CONTENT_TYPE = "text/xml"
MAX_BODY_LENGTH = 1600  # what Twilio accepts or passes on in one (concatenated) text
MAX_ADDRESS_LENGTH = 64  # a phone number, short code or channel address

_MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")
_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
_ERROR_CODE = re.compile(r"[0-9]{1,6}")


class WebhookPayloadError(ValueError):
    """The parameters are not a text or a delivery report as Twilio sends them."""


@dataclass(frozen=True)
class InboundMessage:
    """A text someone sent to our number: `from_number` is theirs, `to_number` ours."""

    message_sid: str
    account_sid: str
    from_number: str = field(repr=False)
    to_number: str = field(repr=False)
    body: str = field(repr=False)


@dataclass(frozen=True)
class StatusReport:
    """What became of a text we sent: its `status` now, and Twilio's `error_code` when it failed (30003
    unreachable, 30005 unknown number, 30006 landline, 30007 filtered by the carrier…)."""

    message_sid: str
    account_sid: str
    status: str
    error_code: int | None


def parse_webhook(params: Mapping[str, str]) -> InboundMessage | StatusReport:
    """The text or delivery report in the form parameters Twilio posted; WebhookPayloadError otherwise."""
    message_sid = _matching(params, "MessageSid", _MESSAGE_SID)
    account_sid = _matching(params, "AccountSid", _ACCOUNT_SID)
    status = params.get("MessageStatus")
    if status is not None and status != "received":
        if status not in REPORTED_STATUSES:
            raise WebhookPayloadError(f"unknown MessageStatus {status[:20]!r}")
        error_code = params.get("ErrorCode") or None
        if error_code is not None and not _ERROR_CODE.fullmatch(error_code):
            raise WebhookPayloadError("ErrorCode is not a number")
        return StatusReport(message_sid, account_sid, status, int(error_code) if error_code else None)
    body = params.get("Body")
    if body is None or len(body) > MAX_BODY_LENGTH:
        raise WebhookPayloadError("Body is missing or too long")
    return InboundMessage(message_sid, account_sid, _address(params, "From"), _address(params, "To"), body)


def twiml_response(*messages: str) -> str:
    """The TwiML answer to an incoming text: empty (no reply), or each of `messages` sent back as a reply."""
    replies = "".join(f"<Message>{escape(message)}</Message>" for message in messages)
    body = f"<Response>{replies}</Response>" if replies else "<Response/>"
    return '<?xml version="1.0" encoding="UTF-8"?>' + body


def _matching(params: Mapping[str, str], name: str, pattern: re.Pattern[str]) -> str:
    value = params.get(name)
    if value is None or not pattern.fullmatch(value):
        raise WebhookPayloadError(f"{name} is missing or malformed")
    return value


def _address(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value or len(value) > MAX_ADDRESS_LENGTH:
        raise WebhookPayloadError(f"{name} is missing or too long")
    return value
