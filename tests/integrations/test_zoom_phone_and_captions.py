"""Joining by phone and captions, as Zoom's meeting answer and user settings carry them: the emulator's
answers checked against Zoom's published spec and read by `phonenumbers`, and the client's reading of them."""

import json

import phonenumbers
import pytest
import requests

from integrations.zoom import DialInNumber
from integrations.zoom.spec import response_violations

from .spec_answers import answer_violations
from .test_zoom_emulator import GOOD_MEETING, api_post

COUNTRIES = {"US", "ES", "MX", "GB", "FR", "BR", "CN"}
SETTINGS = "/users/h@example.org/settings"


def create(zoom, bearer, **changes) -> requests.Response:
    response = api_post(zoom, bearer, "/users/h@example.org/meetings", {**GOOD_MEETING, **changes})
    assert response.status_code == 201
    return response


def test_created_and_fetched_meetings_carry_dial_in_numbers_as_the_spec_describes(zoom, bearer):
    created = create(zoom, bearer)
    fetched = requests.get(f"{zoom.api_base_url}/meetings/{created.json()['id']}", headers=bearer, timeout=5)

    for answer in (created, fetched):
        assert answer_violations(response_violations, answer) == []
        numbers = answer.json()["settings"]["global_dial_in_numbers"]
        assert {number["country"] for number in numbers} == COUNTRIES
        assert set(answer.json()["settings"]["global_dial_in_countries"]) == COUNTRIES
        for number in numbers:
            parsed = phonenumbers.parse(number["number"])
            assert phonenumbers.is_valid_number(parsed), number
            assert phonenumbers.region_code_for_number(parsed) == number["country"]
        assert {number["type"] for number in numbers} == {"toll", "tollfree"}
        assert answer.json()["h323_password"].isdigit()
    assert fetched.json()["h323_password"] == created.json()["h323_password"]


def test_the_spec_check_catches_a_dial_in_number_of_the_wrong_shape(zoom, bearer):
    created = create(zoom, bearer)
    answer = created.json()
    answer["settings"]["global_dial_in_numbers"][0]["type"] = "cellular"

    violations = answer_violations(response_violations, created, body=json.dumps(answer).encode())

    assert any("cellular" in violation.message for violation in violations)


def test_a_new_passcode_brings_new_phone_digits(zoom, bearer):
    created = create(zoom, bearer).json()
    url = f"{zoom.api_base_url}/meetings/{created['id']}"

    assert requests.patch(url, json={"password": "Ab3dEf7hIj"}, headers=bearer, timeout=5).status_code == 204

    after = requests.get(url, headers=bearer, timeout=5).json()
    assert after["h323_password"].isdigit() and after["h323_password"] != created["h323_password"]


def test_a_meeting_asked_for_some_countries_lists_only_their_numbers(zoom, bearer):
    answer = create(zoom, bearer, settings={"global_dial_in_countries": ["ES", "MX"]}).json()
    assert {number["country"] for number in answer["settings"]["global_dial_in_numbers"]} == {"ES", "MX"}


def test_the_client_reads_the_numbers_and_the_phone_passcode(create_meeting, stored_meeting):
    meeting = create_meeting()

    stored = stored_meeting(meeting.id)
    assert meeting.phone_passcode == stored["h323_password"]
    spain = DialInNumber(country="ES", number="+34 910 000 123", city="Madrid", kind="toll")
    assert spain in meeting.dial_in_numbers
    assert len(meeting.dial_in_numbers) == len(stored["settings"]["global_dial_in_numbers"])
    assert meeting.phone_passcode not in repr(meeting)


# Captions


def test_captions_are_turned_on_for_the_hosting_user(client, host, running_emulator, zoom):
    client.enable_captions(host)
    client.enable_captions(host)  # again: harmless

    settings = running_emulator.emulator.state.user_settings(host)
    assert settings["in_meeting"]["closed_captioning"] == {"enable": True, "auto_transcribing": True}
    assert [entry["status"] for entry in zoom.recorded_requests()["log"]] == [204, 204]


def test_user_settings_are_answered_as_updated_and_other_fields_kept(zoom, bearer):
    captions = {"in_meeting": {"closed_captioning": {"enable": True}}}
    more = {"in_meeting": {"closed_captioning": {"auto_transcribing": True}, "chat": False}}
    for body in (captions, more):
        response = requests.patch(zoom.api_base_url + SETTINGS, json=body, headers=bearer, timeout=5)
        assert response.status_code == 204

    answer = requests.get(zoom.api_base_url + SETTINGS, headers=bearer, timeout=5).json()

    assert answer["in_meeting"] == {
        "closed_captioning": {"enable": True, "auto_transcribing": True},
        "chat": False,
    }


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ({"in_meeting": {"closed_captioning": {"enable": "yes"}}}, "'yes' is not of type 'boolean'"),
        ({"in_meeting": {"closed_captioning": "on"}}, "'on' is not of type 'object'"),
    ],
)
def test_a_settings_update_breaking_the_spec_is_refused(zoom, bearer, body, complaint):
    response = requests.patch(zoom.api_base_url + SETTINGS, json=body, headers=bearer, timeout=5)
    assert (response.status_code, response.json()["code"]) == (400, 300)
    assert complaint in response.json()["message"]
