"""The emulator behaves like the part of Zoom we use: OAuth, spec validation, tokens and webhooks."""

import hashlib
import json
from datetime import UTC, datetime, time, timedelta

import pytest
import requests

from integrations.zoom.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, parse_event, verify_signature

GOOD_MEETING = {"topic": "Peer meet-up", "type": 2, "start_time": "2031-05-06T17:30:00Z", "duration": 60}
GRANT = {"grant_type": "account_credentials", "account_id": "account-test"}
CLIENT_AUTH = ("client-test", "client-secret-test")


def request_token(zoom, params=GRANT, auth=CLIENT_AUTH) -> requests.Response:
    return requests.post(zoom.token_url, params=params, auth=auth, timeout=5)


def api_post(zoom, bearer: dict[str, str], path: str, body: dict) -> requests.Response:
    return requests.post(zoom.api_base_url + path, json=body, headers=bearer, timeout=5)


def test_token_answer_has_zooms_fields_and_points_at_the_emulator(zoom):
    body = request_token(zoom).json()
    assert body.keys() == {"access_token", "token_type", "expires_in", "scope", "api_url"}
    assert (body["token_type"], body["expires_in"], body["api_url"]) == ("bearer", 3599, zoom.url)


@pytest.mark.parametrize(
    ("params", "auth", "error"),
    [
        (GRANT, ("client-test", "nope"), "invalid_client"),
        ({**GRANT, "grant_type": "client_credentials"}, CLIENT_AUTH, "unsupported_grant_type"),
        ({**GRANT, "account_id": "other"}, CLIENT_AUTH, "invalid_request"),
    ],
)
def test_token_request_is_refused_unless_everything_matches(zoom, params, auth, error):
    response = request_token(zoom, params, auth)
    assert (response.status_code, response.json()["error"]) == (400, error)


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic Y2xpZW50OnNlY3JldA=="])
def test_api_call_without_a_valid_token_is_401_code_124(zoom, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(
        f"{zoom.api_base_url}/users/host@example.org/meetings", headers=headers, timeout=5
    )
    assert response.status_code == 401
    assert response.json()["code"] == 124


def list_meetings(zoom, token: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(f"{zoom.api_base_url}/users/host@example.org/meetings", headers=headers, timeout=5)


@pytest.mark.parametrize("revoke", [True, False])
def test_a_new_token_revokes_the_earlier_ones_only_when_set_to(zoom, revoke):
    assert zoom.configure(revoke_previous_tokens=revoke)["revoke_previous_tokens"] is revoke
    earlier, later = (request_token(zoom).json()["access_token"] for _ in range(2))

    refused = list_meetings(zoom, earlier)

    assert list_meetings(zoom, later).status_code == 200
    if revoke:
        assert refused.status_code == 401
        assert refused.json() == {"code": 124, "message": "Invalid access token."}
    else:
        assert refused.status_code == 200


def test_the_daily_limit_is_answered_as_zoom_does(zoom, bearer):
    zoom.configure(daily_limit=1)
    assert api_post(zoom, bearer, "/users/h@example.org/meetings", GOOD_MEETING).status_code == 201

    refused = api_post(zoom, bearer, "/users/h@example.org/meetings", GOOD_MEETING)

    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == 429
    assert "daily rate limit (1)" in body["message"]
    # Unlike a per-second limit's, the Retry-After is a date: the next 00:00 UTC.
    retry_after = datetime.strptime(refused.headers["Retry-After"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert retry_after == datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(), UTC)
    assert refused.headers["X-RateLimit-Type"] == "Daily-limit"


@pytest.mark.parametrize(
    ("path", "body", "field", "complaint"),
    [
        (
            "/users/h@example.org/meetings",
            {**GOOD_MEETING, "type": "banana"},
            "type",
            "'banana' is not of type 'integer'",
        ),
        (
            "/users/h@example.org/meetings",
            {**GOOD_MEETING, "settings": {"waiting_room": "yes"}},
            "settings.waiting_room",
            "'yes' is not of type 'boolean'",
        ),
        ("/users/h@example.org/meetings", {**GOOD_MEETING, "topic": "t" * 201}, "topic", "is too long"),
        ("/meetings/{id}/registrants", {"first_name": "Ana"}, "", "'email' is a required property"),
    ],
)
def test_request_breaking_the_spec_is_400_with_the_schema_error(zoom, bearer, path, body, field, complaint):
    meeting = api_post(zoom, bearer, "/users/h@example.org/meetings", GOOD_MEETING).json()

    response = api_post(zoom, bearer, path.format(id=meeting["id"]), body)

    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == 300
    assert complaint in answer["message"]
    assert any(error["field"] == field and complaint in error["message"] for error in answer["errors"])


def test_conforming_requests_are_carried_out(zoom, bearer):
    settings = {"approval_type": 0, "waiting_room": True}
    created = api_post(zoom, bearer, "/users/h@example.org/meetings", {**GOOD_MEETING, "settings": settings})
    assert created.status_code == 201
    registrants_path = f"/meetings/{created.json()['id']}/registrants"
    registrant = api_post(zoom, bearer, registrants_path, {"first_name": "Ana", "email": "ana@example.org"})
    assert registrant.status_code == 201
    listed = requests.get(zoom.api_base_url + registrants_path, headers=bearer, timeout=5)
    assert [r["email"] for r in listed.json()["registrants"]] == ["ana@example.org"]


def test_meeting_id_that_is_not_a_number_is_refused(zoom, bearer):
    response = requests.get(f"{zoom.api_base_url}/meetings/abc", headers=bearer, timeout=5)
    assert (response.status_code, response.json()["code"]) == (400, 300)


def test_registration_needs_a_meeting_with_registration(zoom, bearer):
    created = api_post(zoom, bearer, "/users/h@example.org/meetings", GOOD_MEETING).json()
    response = api_post(
        zoom,
        bearer,
        f"/meetings/{created['id']}/registrants",
        {"first_name": "Ana", "email": "ana@example.org"},
    )
    assert (response.status_code, response.json()["code"]) == (400, 3000)


# Webhooks


def test_emulator_sends_signed_participant_events(zoom, bearer, webhook_receiver):
    url, received = webhook_receiver
    zoom.configure(webhook_url=url)
    meeting_body = {**GOOD_MEETING, "settings": {"approval_type": 0}}
    meeting = api_post(zoom, bearer, "/users/h@example.org/meetings", meeting_body).json()
    person = {"first_name": "Ana", "last_name": "Silva", "email": "ana@example.org"}
    registrant = api_post(zoom, bearer, f"/meetings/{meeting['id']}/registrants", person).json()

    sent = zoom.send_event(
        meeting["id"], "meeting.participant_joined", {"registrant_id": registrant["registrant_id"]}
    )

    assert sent["status"] == 204
    (delivery,) = received
    verify_signature(
        "webhook-secret-test",
        delivery.headers[TIMESTAMP_HEADER],
        delivery.get_data(),
        delivery.headers[SIGNATURE_HEADER],
        now=datetime.now(UTC),
    )
    event = parse_event(delivery.get_data())
    assert event.meeting_id == str(meeting["id"])
    assert event.participant is not None
    assert (event.participant.registrant_id, event.participant.email, event.participant.user_name) == (
        registrant["registrant_id"],
        "ana@example.org",
        "Ana Silva",
    )


def test_events_need_a_configured_webhook_url(zoom):
    response = requests.post(
        f"{zoom.url}/_emulator/meetings/1/events", json={"event": "meeting.started"}, timeout=5
    )
    assert response.status_code == 409


def test_shipped_spec_is_zooms_download_unchanged():
    from integrations.zoom.spec import SPEC_RESOURCE

    digest = hashlib.sha256(SPEC_RESOURCE.read_bytes()).hexdigest()
    assert digest == "3732e77c20a4f693277f8dad99535f957082088d1afbbd1a2e9c35fab79b50a1"
    assert json.loads(SPEC_RESOURCE.read_text())["openapi"] == "3.0.0"
