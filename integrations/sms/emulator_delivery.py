"""The webhooks the SMS emulator posts — delivery reports and texts people send — signed as Twilio's.

A webhook's answer to a text may be TwiML with replies to send back (`<Response><Message>…`): they are
read here, as Twilio reads them, with the standard library's XML parser.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

import requests

from integrations.sms.emulator_state import API_VERSION
from integrations.sms.signature import SIGNATURE_HEADER, compute_signature

DELIVERY_TIMEOUT = 15.0  # Twilio waits this long for a webhook to answer
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"


@dataclass(frozen=True)
class Delivery:
    """What the receiver of a webhook answered: its HTTP `status` (None when unreachable), and the reply
    texts its TwiML asked for; `twiml_error` says why its answer was no usable TwiML, if it was not."""

    status: int | None
    replies: tuple[str, ...] = ()
    twiml_error: str | None = field(default=None)


def status_report_params(message: Mapping[str, Any]) -> dict[str, str]:
    """The form parameters of the delivery report Twilio posts for `message` in its current status."""
    params = {
        "MessageSid": message["sid"],
        "SmsSid": message["sid"],
        "AccountSid": message["account_sid"],
        "From": message["from"] or "",
        "To": message["to"],
        "MessageStatus": message["status"],
        "SmsStatus": message["status"],
        "ApiVersion": API_VERSION,
    }
    if message["messaging_service_sid"]:
        params["MessagingServiceSid"] = message["messaging_service_sid"]
    if message["error_code"] is not None:
        params["ErrorCode"] = str(message["error_code"])
    return params


def incoming_params(message: Mapping[str, Any]) -> dict[str, str]:
    """The form parameters Twilio posts to a number's webhook when a text reaches it."""
    return {
        "MessageSid": message["sid"],
        "SmsMessageSid": message["sid"],
        "SmsSid": message["sid"],
        "AccountSid": message["account_sid"],
        "From": message["from"],
        "To": message["to"],
        "Body": message["body"],
        "NumMedia": "0",
        "NumSegments": message["num_segments"],
        "SmsStatus": "received",
        "ApiVersion": API_VERSION,
    }


def deliver(url: str, auth_token: str, params: Mapping[str, str], *, read_twiml: bool = False) -> Delivery:
    """POST `params` to `url`, form-encoded and signed with `auth_token`, as Twilio does."""
    headers = {
        SIGNATURE_HEADER: compute_signature(auth_token, url, params),
        IDEMPOTENCY_HEADER: secrets.token_hex(16),
    }
    try:
        response = requests.post(url, data=dict(params), headers=headers, timeout=DELIVERY_TIMEOUT)
    except requests.RequestException:
        return Delivery(None)
    if not read_twiml or not response.ok:
        return Delivery(response.status_code)
    replies, error = read_replies(response.text, response.headers.get("Content-Type", ""))
    return Delivery(response.status_code, replies, error)


def read_replies(text: str, content_type: str) -> tuple[tuple[str, ...], str | None]:
    """The reply texts in a webhook's TwiML answer, and why the answer is not usable TwiML (None if it is).

    An empty answer sends nothing, as with Twilio.
    """
    if not text.strip():
        return (), None
    if content_type.split(";")[0].strip() not in ("text/xml", "application/xml", "text/html"):
        return (), f"12300 Invalid Content-Type: {content_type or 'none'}"
    try:
        # The answer comes from the webhook the developer configured, on this machine.
        root = ElementTree.fromstring(text)  # noqa: S314
    except ElementTree.ParseError as exc:
        return (), f"12100 Document parse failure: {exc}"
    if root.tag != "Response":
        return (), "12100 Document parse failure: the root element is not <Response>"
    unknown = sorted({child.tag for child in root if child.tag != "Message"})
    if unknown:
        return (), f"12200 Schema validation warning: unknown verbs {', '.join(unknown)}"
    return tuple("".join(child.itertext()) for child in root), None
