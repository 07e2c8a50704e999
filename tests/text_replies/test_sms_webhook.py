"""`POST /webhooks/sms` takes only what Twilio signed for the address it was given: valid, forged, missing and
stale signatures, the address behind a proxy, malformed and oversized bodies, and no Twilio at all."""

from __future__ import annotations

import dataclasses

import pytest

from app import create_app
from app.models import TextReply
from integrations.sms import compute_signature

from .conftest import WEBHOOK, TextsKit, message_sid

ANSWER = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def test_a_text_signed_as_twilio_signs_it_is_kept_and_answered_with_twiml(kit: TextsKit):
    answer = kit.text_from(kit.phones["Ana"], "See you there!")
    assert answer.status_code == 200
    assert answer.mimetype == "text/xml"
    assert answer.text == ANSWER
    [reply] = kit.rows(TextReply)
    assert (reply.participant_id, reply.body, reply.meaning) == (kit.people["Ana"], "See you there!", "other")


def test_a_forged_signature_is_refused_and_nothing_is_kept(kit: TextsKit):
    params = kit.inbound(kit.phones["Ana"], "STOP")
    answer = kit.client.post(WEBHOOK, data=params, headers={"X-Twilio-Signature": "bm90IFR3aWxpbydz"})
    assert answer.status_code == 403
    assert kit.rows(TextReply) == []
    assert kit.person("Ana").sms_opted_out_at is None


def test_a_missing_signature_is_refused(kit: TextsKit):
    answer = kit.client.post(WEBHOOK, data=kit.inbound(kit.phones["Ana"], "STOP"))
    assert answer.status_code == 403
    assert kit.rows(TextReply) == []


def test_a_body_changed_after_signing_is_refused(kit: TextsKit):
    params = kit.inbound(kit.phones["Ana"], "See you there!")
    signed = kit.signed_post(params)
    assert signed.status_code == 200
    signature = compute_signature(kit.settings.twilio.auth_token, kit.settings.base_url + WEBHOOK, params)
    tampered = {**params, "MessageSid": message_sid(), "Body": "STOP"}
    answer = kit.client.post(WEBHOOK, data=tampered, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 403


@pytest.mark.parametrize(
    "signed_for",
    [
        "http://localhost/webhooks/zoom",  # another of our addresses
        "http://old-name.example/webhooks/sms",  # the address Twilio had before the site moved
        "http://localhost/webhooks/sms?from=elsewhere",  # a query string that is not there
    ],
)
def test_a_signature_for_another_address_is_refused(kit: TextsKit, signed_for):
    answer = kit.signed_post(kit.inbound(kit.phones["Ana"], "STOP"), url=signed_for)
    assert answer.status_code == 403
    assert kit.rows(TextReply) == []


def test_the_query_string_twilio_was_given_is_part_of_what_it_signs(kit: TextsKit):
    params = kit.inbound(kit.phones["Ana"], "Hello")
    url = kit.settings.base_url + WEBHOOK + "?source=twilio"
    signature = compute_signature(kit.settings.twilio.auth_token, url, params)
    answer = kit.client.post(
        WEBHOOK + "?source=twilio", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert answer.status_code == 200


def test_behind_a_proxy_the_signature_is_checked_against_the_public_address(
    settings_for, database_url, tmp_path
):
    """BASE_URL is https on the public name; the app is reached over plain http on another name and port."""
    settings = settings_for(
        database_url, tmp_path / "instance", BASE_URL="https://meetups.example.org", PROXY_HOPS="1"
    )
    app = create_app({"TESTING": True, "SETTINGS": settings})
    try:
        kit = TextsKit(app, app.test_client())
        params = kit.inbound("+15550109999", "Hello")
        proxied = {"base_url": "http://10.0.0.7:8000", "headers": {"X-Forwarded-Proto": "http"}}
        assert kit.signed_post(params, **proxied).status_code == 200
        # What the request itself shows is not what Twilio signed: such a signature is refused.
        stale = {**params, "MessageSid": message_sid()}
        assert kit.signed_post(stale, url="http://10.0.0.7:8000" + WEBHOOK, **proxied).status_code == 403
    finally:
        app.extensions["engine"].dispose()


def test_a_malformed_payload_is_refused(kit: TextsKit):
    params = kit.inbound(kit.phones["Ana"], "Hello")
    params["MessageSid"] = "not-a-sid"
    assert kit.signed_post(params).status_code == 400
    no_body = kit.inbound(kit.phones["Ana"], "Hello")
    del no_body["Body"]
    assert kit.signed_post(no_body).status_code == 400
    assert kit.rows(TextReply) == []


def test_a_body_too_large_is_refused_before_it_is_read(kit: TextsKit):
    params = kit.inbound(kit.phones["Ana"], "x" * 100_000)
    assert kit.signed_post(params).status_code == 413
    assert kit.rows(TextReply) == []


def test_without_twilio_settings_there_is_no_webhook(settings_for, database_url, tmp_path):
    """In production without Twilio keys the address does not exist."""
    settings = settings_for(database_url, tmp_path / "instance")
    app = create_app({"TESTING": True, "SETTINGS": dataclasses.replace(settings, twilio=None)})
    try:
        assert app.test_client().post(WEBHOOK, data={"MessageSid": message_sid()}).status_code == 404
    finally:
        app.extensions["engine"].dispose()
