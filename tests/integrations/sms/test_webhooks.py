"""Reading what Twilio posts to our webhook, and the TwiML we answer with."""

from xml.etree import ElementTree

import pytest

from integrations.sms.webhooks import (
    InboundMessage,
    StatusReport,
    WebhookPayloadError,
    parse_webhook,
    twiml_response,
)

SID = "SM" + "a" * 32
ACCOUNT = "AC" + "b" * 32
INCOMING = {
    "MessageSid": SID,
    "SmsMessageSid": SID,
    "AccountSid": ACCOUNT,
    "From": "+15551234567",
    "To": "+15005550006",
    "Body": "No puedo ir",
    "NumMedia": "0",
    "SmsStatus": "received",
    "ApiVersion": "2010-04-01",
}
REPORT = {
    "MessageSid": SID,
    "AccountSid": ACCOUNT,
    "From": "+15005550006",
    "To": "+15551234567",
    "MessageStatus": "undelivered",
    "SmsStatus": "undelivered",
    "ErrorCode": "30003",
}


def test_a_text_someone_sent_is_read():
    message = parse_webhook(INCOMING)
    assert message == InboundMessage(SID, ACCOUNT, "+15551234567", "+15005550006", "No puedo ir")
    assert "+15551234567" not in repr(message) and "No puedo" not in repr(message)


def test_a_delivery_report_is_read():
    assert parse_webhook(REPORT) == StatusReport(SID, ACCOUNT, "undelivered", 30003)
    assert parse_webhook({**REPORT, "MessageStatus": "delivered", "ErrorCode": ""}).error_code is None


@pytest.mark.parametrize(
    "params",
    [
        {**INCOMING, "MessageSid": "SM123"},
        {**INCOMING, "AccountSid": "nope"},
        {k: v for k, v in INCOMING.items() if k != "Body"},
        {k: v for k, v in INCOMING.items() if k != "From"},
        {**INCOMING, "Body": "x" * 1601},
        {**INCOMING, "From": "+1" * 40},
        {**REPORT, "MessageStatus": "exploded"},
        {**REPORT, "ErrorCode": "30003; DROP TABLE"},
        {},
    ],
)
def test_anything_else_is_refused(params):
    with pytest.raises(WebhookPayloadError):
        parse_webhook(params)


def test_twiml_answers_are_well_formed_and_escaped():
    empty = ElementTree.fromstring(twiml_response().encode())  # noqa: S314 (our own output)
    assert (empty.tag, list(empty)) == ("Response", [])
    reply = ElementTree.fromstring(twiml_response("Reply <STOP> & you're out", "Dos").encode())  # noqa: S314
    assert [(child.tag, child.text) for child in reply] == [
        ("Message", "Reply <STOP> & you're out"),
        ("Message", "Dos"),
    ]
