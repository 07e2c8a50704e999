"""The Twilio client against the emulator, over real HTTP: sending, refusals, retries, and never twice."""

import logging
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests

from integrations.sms import (
    RetryPolicy,
    SmsAuthError,
    SmsConnectionError,
    SmsOptedOutError,
    SmsOutcomeUnknownError,
    SmsRateLimitError,
    SmsRecipientError,
    SmsRejectedError,
    SmsServerError,
    TwilioClient,
)

from .conftest import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, PERSON, SERVICE_SID


def stored(sms, sid: str) -> dict:
    """The text as the emulator keeps it (what Twilio's console would show)."""
    (message,) = [message for message in sms.messages() if message["sid"] == sid]
    return message


def test_a_text_is_queued_with_its_segments_counted(client, sms):
    sent = client.send_message(PERSON, "Your group meets tomorrow at 19:00. Reply NO if you can't come.")

    assert sent.sid.startswith("SM") and len(sent.sid) == 34
    assert (sent.status, sent.error_code, sent.num_segments, sent.price) == ("queued", None, 1, None)
    message = stored(sms, sent.sid)
    assert (message["to"], message["from"], message["direction"]) == (PERSON, OUR_NUMBER, "outbound-api")
    assert message["body"] == "Your group meets tomorrow at 19:00. Reply NO if you can't come."


def test_an_accent_makes_two_segments_of_a_long_spanish_text(client):
    body = "Recordatorio: su grupo se reúne mañana a las 19:00. Responda NO si no puede venir, o ALTO."
    assert client.send_message(PERSON, body).num_segments == 2
    assert client.send_message(PERSON, body.replace("reúne", "reune")).num_segments == 1


def test_a_messaging_service_sends_without_a_from_number(make_client, sms):
    client = make_client(from_number=None, messaging_service_sid=SERVICE_SID)

    sent = client.send_message(PERSON, "Hello")

    message = stored(sms, sent.sid)
    assert (message["messaging_service_sid"], message["from"]) == (SERVICE_SID, None)
    assert sent.num_segments == 0  # as Twilio says until the service has picked a sender


def test_exactly_one_sender_is_given():
    with pytest.raises(ValueError, match="exactly one"):
        TwilioClient(ACCOUNT_SID, AUTH_TOKEN)
    with pytest.raises(ValueError, match="exactly one"):
        TwilioClient(ACCOUNT_SID, AUTH_TOKEN, from_number=OUR_NUMBER, messaging_service_sid=SERVICE_SID)


def test_the_message_is_fetched_with_its_price_once_sent(client, sms):
    sent = client.send_message(PERSON, "Hello")
    for _ in range(3):
        sms.advance(sent.sid)

    fetched = client.get_message(sent.sid)

    assert (fetched.sid, fetched.status, fetched.num_segments) == (sent.sid, "delivered", 1)
    assert (fetched.price, fetched.price_unit) == (Decimal("-0.00830"), "USD")


def test_a_failed_delivery_carries_its_error_code(client, sms):
    sent = client.send_message(PERSON, "Hello")
    sms.advance(sent.sid, "undelivered", 30005)
    fetched = client.get_message(sent.sid)
    assert (fetched.status, fetched.error_code) == ("undelivered", 30005)


# Refusals


@pytest.mark.parametrize(
    ("to", "error", "code"),
    [
        ("555-1234", SmsRecipientError, 21211),
        ("+15005550001", SmsRecipientError, 21211),
        ("+15005550002", SmsRecipientError, 21612),
        ("+15005550003", SmsRecipientError, 21408),
        ("+15005550009", SmsRecipientError, 21614),
        ("+15005550004", SmsOptedOutError, 21610),
    ],
)
def test_a_number_that_cannot_take_texts_is_refused_for_good(client, sms, sleeps, to, error, code):
    with pytest.raises(error) as raised:
        client.send_message(to, "Hello")

    assert (raised.value.status, raised.value.code) == (400, code)
    assert not raised.value.retryable and not raised.value.outcome_unknown
    assert sleeps == []
    assert sms.count("messages_created") == 0


def test_someone_who_replied_stop_gets_no_texts_until_they_reply_start(client, sms):
    client.send_message(PERSON, "Hello")
    sms.reply(PERSON, "STOP")

    with pytest.raises(SmsOptedOutError) as raised:
        client.send_message(PERSON, "Hello again")
    assert raised.value.code == 21610

    sms.reply(PERSON, "START")
    assert client.send_message(PERSON, "Welcome back").status == "queued"


def test_an_empty_text_is_refused(client):
    with pytest.raises(SmsRejectedError) as raised:
        client.send_message(PERSON, "")
    assert (raised.value.status, raised.value.code) == (400, 21602)


def test_wrong_credentials_are_an_auth_error_without_retries(make_client, sms, sleeps):
    client = make_client(auth_token="wrong-token")

    with pytest.raises(SmsAuthError) as raised:
        client.send_message(PERSON, "Hello")

    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert sleeps == []
    assert sms.count("messages_created") == 0


# Retries: only what was certainly not sent


def test_too_many_requests_waits_as_retry_after_says(client, sms, sleeps):
    sms.fail_next(429, retry_after="2")

    client.send_message(PERSON, "Hello")

    assert len(sleeps) == 1 and 2 <= sleeps[0] <= 2.5  # the wait, plus at most base_delay of jitter
    assert sms.count("messages_created") == 1


def test_too_many_requests_without_retry_after_backs_off_and_then_gives_up(client, sms, sleeps):
    sms.fail_next(429, count=4)

    with pytest.raises(SmsRateLimitError) as raised:
        client.send_message(PERSON, "Hello")

    steps = [0.5, 1.0, 2.0]  # doubling from base_delay; each pause between half its step and the step
    assert all(step / 2 <= slept <= step for slept, step in zip(sleeps, steps, strict=True))
    assert raised.value.retryable and raised.value.code == 20429
    assert sms.count("messages_created") == 0


def test_a_sender_going_faster_than_a_text_a_second_is_paced(sms_emulator_on_a_fake_clock):
    running, clock = sms_emulator_on_a_fake_clock
    running.emulator.state.update_settings({"sender_rate": 1})
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.sleep(seconds)

    client = TwilioClient(
        ACCOUNT_SID, AUTH_TOKEN, from_number=OUR_NUMBER, api_base_url=running.url, sleep=sleep, clock=clock
    )
    for number in range(3):
        client.send_message(f"+1555000000{number}", "Hello")

    # The second and third each waited for the Retry-After (1 s) before going.
    assert len(sleeps) == 2 and all(1 <= slept <= 1.5 for slept in sleeps)
    created = running.emulator.state.counters["messages_created"]
    refused = [entry["status"] for entry in running.emulator.state.log].count(429)
    assert (created, refused) == (3, 2)


def test_service_unavailable_is_retried_with_back_off(client, sms, sleeps):
    sms.fail_next(503, count=2)

    assert client.send_message(PERSON, "Hello").status == "queued"

    assert len(sleeps) == 2 and 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0
    assert sms.count("messages_created") == 1


def test_service_unavailable_past_the_attempts_is_raised(client, sms, sleeps):
    sms.fail_next(503, count=4)
    with pytest.raises(SmsServerError) as raised:
        client.send_message(PERSON, "Hello")
    assert (raised.value.status, raised.value.retryable, len(sleeps)) == (503, True, 3)


def test_unreachable_twilio_is_retried_since_nothing_left(make_client, sleeps):
    client = make_client(api_base_url="http://127.0.0.1:9", retry=RetryPolicy(max_attempts=2))

    with pytest.raises(SmsConnectionError, match="could not reach Twilio") as raised:
        client.send_message(PERSON, "Hello")

    assert raised.value.retryable and not raised.value.outcome_unknown
    assert len(sleeps) == 1


# Outcome unknown: never sent again by the client


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_server_error_on_a_send_is_an_unknown_outcome_never_retried(client, sms, sleeps, status):
    sms.fail_next(status)
    before = datetime.now(UTC)

    with pytest.raises(SmsOutcomeUnknownError) as raised:
        client.send_message(PERSON, "Hello")

    assert (raised.value.status, raised.value.retryable, raised.value.outcome_unknown) == (
        status,
        False,
        True,
    )
    assert sleeps == []
    assert [entry["method"] for entry in sms.recorded_requests()["log"]] == ["POST"]
    # Looking it up shows it was not sent, so sending again is safe.
    assert client.find_message(PERSON, "Hello", since=before) is None


def test_a_send_whose_answer_is_lost_is_not_sent_again_and_can_be_found(make_client, sms, sleeps):
    client = make_client(timeout=0.3)
    before = datetime.now(UTC)
    sms.delay_next(0.8)

    with pytest.raises(SmsOutcomeUnknownError, match=r"no answer within 0\.3 s") as raised:
        client.send_message(PERSON, "See you on Tuesday")

    assert raised.value.status is None and sleeps == []
    time.sleep(0.6)  # the emulator answers late; by then the text exists
    assert sms.count("messages_created") == 1
    (created,) = sms.messages()
    found = client.find_message(PERSON, "See you on Tuesday", since=before)
    assert found is not None and found.sid == created["sid"]
    assert client.find_message(PERSON, "Another text", since=before) is None
    assert client.find_message("+15559876543", "See you on Tuesday", since=before) is None
    assert client.find_message(PERSON, "See you on Tuesday", since=before + timedelta(hours=1)) is None


def test_reads_are_retried_after_a_lost_answer(make_client, sms, sleeps):
    client = make_client(timeout=0.3)
    sent = client.send_message(PERSON, "Hello")
    sms.delay_next(0.8)

    assert client.get_message(sent.sid).sid == sent.sid
    assert len(sleeps) == 1


def test_a_server_error_on_a_read_is_retried(client, sms, sleeps):
    sent = client.send_message(PERSON, "Hello")
    sms.fail_next(500)
    assert client.get_message(sent.sid).sid == sent.sid
    assert len(sleeps) == 1


def test_find_message_reads_further_pages(make_client, sms):
    client = make_client()
    before = datetime.now(UTC)
    client.send_message(PERSON, "The first")
    for number in range(55):
        client.send_message(PERSON, f"Text {number}")

    found = client.find_message(PERSON, "The first", since=before)

    assert found is not None
    gets = [entry for entry in sms.recorded_requests()["log"] if entry["method"] == "GET"]
    assert len(gets) == 2


# Secrets and conformance


def test_secrets_and_numbers_stay_out_of_reprs_and_errors(make_client, sms, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client(timeout=0.3)
    sent = client.send_message(PERSON, "Private words")
    sms.fail_next(500)
    with pytest.raises(SmsOutcomeUnknownError) as unknown:
        client.send_message(PERSON, "Private words")
    with pytest.raises(SmsRecipientError) as refused:
        client.send_message("+1555123456789012", "Private words")  # Twilio's message names the number

    assert "is not a valid phone number" in str(refused.value)
    shown = repr(client) + repr(sent) + str(unknown.value) + str(refused.value) + caplog.text
    for secret in (AUTH_TOKEN, PERSON, "+1555123456789012", "Private words"):
        assert secret not in shown


def test_every_request_the_client_sends_conforms_to_twilios_spec(make_client, client, sms):
    before = datetime.now(UTC)
    sent = client.send_message(PERSON, "Hola 👍", status_callback="https://example.org/webhooks/sms?x=1")
    make_client(from_number=None, messaging_service_sid=SERVICE_SID).send_message(PERSON, "Hello")
    client.get_message(sent.sid)
    client.find_message(PERSON, "Hola 👍", since=before)

    # The emulator validates every request against the spec and answers 400 to any that breaks it.
    log = sms.recorded_requests()["log"]
    assert {entry["method"] for entry in log} == {"GET", "POST"}
    assert all(entry["status"] < 300 for entry in log), log


def test_the_client_session_is_the_one_given(make_client, sms):
    session = requests.Session()
    seen: list[str] = []
    session.hooks["response"].append(lambda response, **_: seen.append(response.request.method))
    make_client(session=session).send_message(PERSON, "Hello")
    assert seen == ["POST"]
