"""The emulator behaves like the part of Twilio we use: the Messages API as its spec describes it, what
Twilio refuses, signed delivery reports, and people's replies with Twilio's own keyword handling."""

import base64
import hashlib
import hmac
import json
import time
from html.parser import HTMLParser

import pytest
import requests

from integrations.sms.signature import SIGNATURE_HEADER
from integrations.sms.spec import SPEC_RESOURCE, response_violations

from ..spec_answers import answer_violations
from .conftest import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, PERSON, SERVICE_SID

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
AUTH = (ACCOUNT_SID, AUTH_TOKEN)
TEXT = {"To": PERSON, "From": OUR_NUMBER, "Body": "Hola 👍"}


def call(sms, method: str, path: str, *, form=None, params=None, auth=AUTH) -> requests.Response:
    return requests.request(method, sms.url + path, data=form, params=params, auth=auth, timeout=5)


def spec_violations(response: requests.Response) -> list:
    """How an answer breaks Twilio's spec, checked by openapi-core against the request that was sent."""
    return answer_violations(response_violations, response)


def signed_by_hand(url: str, form: dict[str, str]) -> str:
    """The signature Twilio's documentation describes, written out here rather than taken from our code."""
    text = url + "".join(name + form[name] for name in sorted(form))
    return base64.b64encode(hmac.new(AUTH_TOKEN.encode(), text.encode(), hashlib.sha1).digest()).decode()


# The Messages API


def test_a_created_text_is_answered_as_the_spec_describes(sms):
    response = call(sms, "POST", MESSAGES, form={**TEXT, "StatusCallback": "https://example.org/cb"})

    assert response.status_code == 201
    assert spec_violations(response) == []
    body = response.json()
    assert (body["status"], body["direction"], body["num_segments"]) == ("queued", "outbound-api", "1")
    assert body["sid"].startswith("SM") and body["account_sid"] == ACCOUNT_SID


def test_fetched_and_listed_texts_are_answered_as_the_spec_describes(sms):
    sid = call(sms, "POST", MESSAGES, form=TEXT).json()["sid"]
    sms.advance(sid)
    sms.advance(sid)

    fetched = call(sms, "GET", f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json")
    listed = call(sms, "GET", MESSAGES, params={"To": PERSON, "PageSize": 20})

    assert spec_violations(fetched) == [] and spec_violations(listed) == []
    assert (fetched.json()["status"], fetched.json()["price"]) == ("sent", "-0.00830")
    assert [message["sid"] for message in listed.json()["messages"]] == [sid]


def test_a_text_through_a_messaging_service_is_answered_as_the_spec_describes(sms):
    form = {"To": PERSON, "MessagingServiceSid": SERVICE_SID, "Body": "Hello"}
    response = call(sms, "POST", MESSAGES, form=form)
    assert response.status_code == 201 and spec_violations(response) == []
    assert (response.json()["from"], response.json()["num_segments"]) == (None, "0")


@pytest.mark.parametrize("auth", [None, (ACCOUNT_SID, "wrong"), ("AC" + "f" * 32, AUTH_TOKEN)])
def test_requests_without_the_accounts_credentials_are_401_code_20003(sms, auth):
    response = call(sms, "POST", MESSAGES, form=TEXT, auth=auth)
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


def test_another_accounts_path_is_not_found(sms):
    response = call(sms, "POST", MESSAGES.replace(ACCOUNT_SID, "AC" + "f" * 32), form=TEXT)
    assert (response.status_code, response.json()["code"]) == (404, 20404)


@pytest.mark.parametrize(
    ("changes", "code", "complaint"),
    [
        ({"To": None}, 21604, "'To' phone number is required"),
        ({"Body": None}, 21602, "body is required"),
        ({"Body": "x" * 1601}, 21617, "1600 character limit"),
        ({"From": None}, 21603, "'From' phone number is required"),
        ({"To": "5551234567"}, 21211, "is not a valid phone number"),
        ({"To": "+0551234567"}, 21211, "is not a valid phone number"),
        ({"From": "our number"}, 21212, "is not a valid phone number"),
        ({"From": "+15559999999"}, 21606, "not a valid message-capable Twilio phone number"),
        ({"StatusCallback": "/webhooks/sms"}, 21609, "is not a valid URL"),
        ({"StatusCallback": "https://my_host.example.org/cb"}, 21609, "is not a valid URL"),
        ({"Statuscallback": "https://example.org/cb"}, 20001, "Unknown parameters: Statuscallback"),
        ({"ValidityPeriod": "soon"}, 70002, "Failed to cast value to integer type: soon"),
        ({"From": None, "MessagingServiceSid": "MG123"}, 70002, "does not match '^MG[0-9a-fA-F]{32}$'"),
    ],
)
def test_what_twilio_refuses_is_400_with_its_code(sms, changes, code, complaint):
    form = {key: value for key, value in {**TEXT, **changes}.items() if value is not None}

    response = call(sms, "POST", MESSAGES, form=form)

    assert (response.status_code, response.json()["code"]) == (400, code)
    assert complaint in response.json()["message"]
    assert sms.count("messages_created") == 0


def test_a_fetch_of_an_unknown_text_is_404(sms):
    response = call(sms, "GET", f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/SM{'0' * 32}.json")
    assert (response.status_code, response.json()["code"]) == (404, 20404)


def test_a_sender_past_its_pace_is_answered_429_with_retry_after(sms):
    sms.configure(sender_rate=1)
    assert call(sms, "POST", MESSAGES, form=TEXT).status_code == 201

    refused = call(sms, "POST", MESSAGES, form=TEXT)

    assert (refused.status_code, refused.json()["code"], refused.headers["Retry-After"]) == (429, 20429, "1")
    # Another sender keeps its own pace.
    other = {"To": PERSON, "MessagingServiceSid": SERVICE_SID, "Body": "Hello"}
    assert call(sms, "POST", MESSAGES, form=other).status_code == 201


# Delivery reports


def test_each_step_of_delivery_is_reported_signed_to_the_status_callback(sms, webhook):
    sid = call(sms, "POST", MESSAGES, form={**TEXT, "StatusCallback": webhook.url}).json()["sid"]

    statuses = [sms.advance(sid) for _ in range(3)]

    assert statuses == [
        {"status": status, "receiver_status": 200} for status in ("queued", "sent", "delivered")
    ]
    forms = webhook.forms()
    assert [form["MessageStatus"] for form in forms] == ["queued", "sent", "delivered"]
    assert {(form["MessageSid"], form["AccountSid"], form["To"], form["From"]) for form in forms} == {
        (sid, ACCOUNT_SID, PERSON, OUR_NUMBER)
    }
    for request, form in zip(webhook.received, forms, strict=True):
        assert request.headers[SIGNATURE_HEADER] == signed_by_hand(webhook.url, form)


def test_nothing_is_left_to_report_after_delivery(sms, webhook):
    sid = call(sms, "POST", MESSAGES, form={**TEXT, "StatusCallback": webhook.url}).json()["sid"]
    for _ in range(3):
        sms.advance(sid)
    with pytest.raises(requests.HTTPError) as raised:
        sms.advance(sid)
    assert raised.value.response.status_code == 409


def test_a_failed_delivery_is_reported_with_its_error_code(sms, webhook):
    sid = call(sms, "POST", MESSAGES, form={**TEXT, "StatusCallback": webhook.url}).json()["sid"]
    sms.advance(sid)

    sms.advance(sid, "undelivered")

    last = webhook.forms()[-1]
    assert (last["MessageStatus"], last["ErrorCode"]) == ("undelivered", "30003")
    assert [report["status"] for report in sms.messages()[0]["reports"]] == ["queued", "undelivered"]


def test_texts_are_delivered_by_themselves_when_set_to(sms, webhook):
    sms.configure(auto_deliver=True, delivery_delay=0.05)
    call(sms, "POST", MESSAGES, form={**TEXT, "StatusCallback": webhook.url})

    deadline = time.monotonic() + 5
    while len(webhook.received) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)

    assert [form["MessageStatus"] for form in webhook.forms()] == ["queued", "sent", "delivered"]


# People's texts


def test_a_persons_text_is_posted_signed_to_the_inbound_url(sms, webhook):
    sms.configure(inbound_url=webhook.url)

    answer = sms.reply(PERSON, "No puedo ir")

    assert answer["status"] == 200 and answer["replies"] == []
    (request,) = webhook.received
    form = request.form.to_dict()
    assert (form["From"], form["To"], form["Body"], form["AccountSid"]) == (
        PERSON,
        OUR_NUMBER,
        "No puedo ir",
        ACCOUNT_SID,
    )
    assert form["MessageSid"] == answer["message"]["sid"]
    assert request.headers[SIGNATURE_HEADER] == signed_by_hand(webhook.url, form)
    assert request.headers["I-Twilio-Idempotency-Token"]


def test_the_replies_in_the_webhooks_twiml_are_sent_back(sms, webhook):
    sms.configure(inbound_url=webhook.url)
    webhook.answer = ("<Response><Message>Thanks, we told your host.</Message></Response>", "text/xml")

    answer = sms.reply(PERSON, "NO")

    assert answer["replies"] == ["Thanks, we told your host."]
    replies = [m for m in sms.messages() if m["direction"] == "outbound-reply"]
    assert [(m["to"], m["from"], m["body"]) for m in replies] == [
        (PERSON, OUR_NUMBER, "Thanks, we told your host.")
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        ("<Respons/>", "text/xml", "12100"),
        ("<Response><Message>unclosed", "text/xml", "12100"),
        ("<Response><Say>Hi</Say></Response>", "text/xml", "12200"),
        ('{"reply": "hi"}', "application/json", "12300"),
    ],
)
def test_an_answer_that_is_no_twiml_sends_nothing_back(sms, webhook, body, content_type, error):
    sms.configure(inbound_url=webhook.url)
    webhook.answer = (body, content_type)

    answer = sms.reply(PERSON, "Hello")

    assert answer["replies"] == [] and answer["twiml_error"].startswith(error)


def test_stop_blocks_texts_and_start_lifts_the_block_with_twilios_answers(sms, webhook):
    sms.configure(inbound_url=webhook.url)
    webhook.answer = ("<Response><Message>Our own answer</Message></Response>", "text/xml")

    stopped = sms.reply(PERSON, "stop")

    assert sms.recorded_requests()["opted_out"] == [PERSON]
    assert stopped["replies"] == []  # nothing more goes to someone who just opted out
    assert webhook.forms()[-1]["Body"] == "stop"  # Twilio still passes the text on
    refused = call(sms, "POST", MESSAGES, form=TEXT)
    assert (refused.status_code, refused.json()["code"]) == (400, 21610)

    sms.reply(PERSON, "START")

    assert sms.recorded_requests()["opted_out"] == []
    assert call(sms, "POST", MESSAGES, form=TEXT).status_code == 201
    answers = [m["body"] for m in sms.messages() if m["direction"] == "outbound-reply"]
    assert answers[0].startswith("You have successfully been unsubscribed")
    assert answers[1].startswith("You have successfully been re-subscribed")


@pytest.mark.parametrize("body", ["STOP PLEASE", "ALTO", "NO", "Cancel my place"])
def test_only_twilios_lone_keywords_block_texts(sms, body):
    sms.reply(PERSON, body)
    assert sms.recorded_requests()["opted_out"] == []


def test_help_gets_twilios_answer(sms):
    sms.reply(PERSON, "HELP")
    (answer,) = [m["body"] for m in sms.messages() if m["direction"] == "outbound-reply"]
    assert "Reply STOP to unsubscribe" in answer


# The phone page


class _PageText(HTMLParser):
    """The texts of a page, read by the standard library's parser rather than by the code that wrote it."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def handle_data(self, data) -> None:
        if data.strip():
            self.texts.append(data.strip())


def read_page(response: requests.Response) -> list[str]:
    assert response.headers["Content-Type"].startswith("text/html")
    page = _PageText()
    page.feed(response.text)
    return page.texts


def test_the_phone_page_shows_each_conversation_and_answers_from_its_form(sms, webhook):
    sms.configure(inbound_url=webhook.url)
    call(
        sms,
        "POST",
        MESSAGES,
        form={**TEXT, "Body": "Your meet-up is <tomorrow>. Reply NO if you can't come."},
    )

    sent = requests.post(
        f"{sms.url}/phone", data={"from": PERSON, "body": "NO"}, timeout=5, allow_redirects=False
    )

    assert (sent.status_code, sent.headers["Location"]) == (303, "/phone")
    assert webhook.forms()[-1]["Body"] == "NO"
    texts = read_page(requests.get(f"{sms.url}/phone", timeout=5))
    assert PERSON in texts
    assert "Your meet-up is <tomorrow>. Reply NO if you can't come." in texts
    assert texts.index("Your meet-up is <tomorrow>. Reply NO if you can't come.") < texts.index("NO")


def test_the_phone_page_refuses_a_text_without_a_number(sms):
    refused = requests.post(f"{sms.url}/phone", data={"from": "me", "body": "Hi"}, timeout=5)
    assert refused.status_code == 400
    assert "Give a number in E.164 and a text." in read_page(refused)


def test_shipped_spec_is_twilios_file_unchanged_with_its_licence():
    digest = hashlib.sha256(SPEC_RESOURCE.read_bytes()).hexdigest()
    assert digest == "99cae87a6bb1725f71363364cbd30282a13140374b2d5f9bdd5bdfa5d4c8a6d7"
    assert json.loads(SPEC_RESOURCE.read_text())["openapi"] == "3.0.1"
    licence = (SPEC_RESOURCE.parent / "LICENSE").read_text()
    assert licence.startswith("MIT License") and "Twilio, Inc." in licence
