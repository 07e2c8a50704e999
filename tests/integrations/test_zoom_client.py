"""The Zoom client against the emulator, over real HTTP."""

import logging
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests

from integrations.zoom import (
    MEETING_NOT_FOUND,
    RetryPolicy,
    ZoomAuthError,
    ZoomDailyLimitError,
    ZoomError,
    ZoomRateLimitError,
    ZoomServerError,
    ZoomTimeoutError,
)
from integrations.zoom.retry import next_utc_midnight

from .conftest import CONFIG

NOW = datetime(2026, 3, 2, 15, 0, 0, tzinfo=UTC)


def test_created_meeting_is_set_up_for_a_hosted_cohort(create_meeting, stored_meeting):
    start = datetime(2031, 5, 6, 17, 30, tzinfo=UTC)

    meeting = create_meeting(
        topic="Living with CLL", start_time=start, duration=75, timezone="America/New_York"
    )

    stored = stored_meeting(meeting.id)
    assert (meeting.topic, meeting.start_time, meeting.duration) == ("Living with CLL", start, 75)
    assert stored["start_time"] == "2031-05-06T17:30:00Z"
    assert stored["timezone"] == "America/New_York"
    assert (
        stored["settings"].items()
        >= {
            "waiting_room": True,
            "join_before_host": False,
            "mute_upon_entry": True,
            "auto_recording": "none",
            "approval_type": 0,
        }.items()
    )
    assert meeting.password == stored["password"]
    assert len(meeting.password) <= 10 and meeting.password.isalnum()
    assert meeting.start_url and meeting.join_url


def test_each_meeting_gets_its_own_passcode(create_meeting):
    passcodes = {create_meeting().password for _ in range(5)}
    assert len(passcodes) == 5


def test_host_becomes_alternative_host_when_asked(create_meeting, stored_meeting):
    meeting = create_meeting(alternative_hosts=["volunteer@example.org", "backup@example.org"])
    settings = stored_meeting(meeting.id)["settings"]
    assert settings["alternative_hosts"] == "volunteer@example.org;backup@example.org"


def test_naive_start_time_is_refused_before_calling_zoom(zoom, create_meeting):
    with pytest.raises(ValueError, match="timezone-aware"):
        create_meeting(start_time=datetime(2031, 5, 6, 17, 30))
    assert zoom.count("api_requests") == 0


def test_meeting_is_found_again_by_its_idempotency_key(host, client, create_meeting):
    create_meeting(idempotency_key="cohort-7")
    meeting = create_meeting(idempotency_key="cohort-8", agenda="x" * 1900)

    found = client.find_meeting_by_key(host, "cohort-8")

    assert found is not None and found.id == meeting.id
    # The list does not give the passcode; the client fetched the meeting in full.
    assert found.password == meeting.password and found.start_url
    assert client.find_meeting_by_key(host, "cohort-9") is None
    assert client.find_meeting_by_key("someone-else@example.org", "cohort-8") is None


def test_update_moves_the_meeting(client, create_meeting):
    meeting = create_meeting()
    later = meeting.start_time + timedelta(days=7, hours=1)

    client.update_meeting_time(meeting.id, later, duration=90)

    moved = client.get_meeting(meeting.id)
    assert (moved.start_time, moved.duration) == (later, 90)


def test_registered_participant_gets_a_personal_link(client, create_meeting, stored_registrants):
    meeting = create_meeting()

    first = client.register_participant(meeting.id, email="ana@example.org", first_name="Ana")
    second = client.register_participant(meeting.id, email="ben@example.org", first_name="Ben", last_name="K")

    assert first.meeting_id == meeting.id
    assert first.registrant_id != second.registrant_id
    assert first.join_url != second.join_url != meeting.join_url
    assert [(r["email"], r["first_name"]) for r in stored_registrants(meeting.id)] == [
        ("ana@example.org", "Ana"),
        ("ben@example.org", "Ben"),
    ]


def test_registering_the_same_email_again_gives_the_same_link(client, create_meeting):
    meeting = create_meeting()
    first = client.register_participant(meeting.id, email="ana@example.org", first_name="Ana")
    again = client.register_participant(meeting.id, email="ana@example.org", first_name="Ana")
    assert again == first


def test_a_cancelled_registration_leaves_the_list_of_registrants(
    client, create_meeting, stored_registrants, zoom
):
    meeting = create_meeting()
    ana = client.register_participant(meeting.id, email="ana@example.org", first_name="Ana")
    ben = client.register_participant(meeting.id, email="ben@example.org", first_name="Ben")

    client.cancel_registration(meeting.id, registrant_id=ana.registrant_id, email="ana@example.org")

    statuses = {r["email"]: r["status"] for r in stored_registrants(meeting.id)}
    assert statuses == {"ana@example.org": "cancelled", "ben@example.org": "approved"}
    listed = zoom_registrants(zoom, meeting.id)
    assert [r["id"] for r in listed] == [ben.registrant_id]


def test_cancelling_again_or_what_zoom_no_longer_has_counts_as_done(
    client, create_meeting, stored_registrants
):
    meeting = create_meeting()
    ana = client.register_participant(meeting.id, email="ana@example.org", first_name="Ana")
    client.cancel_registration(meeting.id, registrant_id=ana.registrant_id, email="ana@example.org")

    client.cancel_registration(meeting.id, registrant_id=ana.registrant_id)  # a retry; the email erased
    client.cancel_registration(meeting.id, registrant_id="never-registered")
    client.delete_meeting(meeting.id)
    client.cancel_registration(meeting.id, registrant_id=ana.registrant_id)


def test_other_refusals_to_cancel_reach_the_caller(client, create_meeting, zoom):
    meeting = create_meeting()
    ana = client.register_participant(meeting.id, email="ana@example.org", first_name="Ana")
    zoom.fail_next(400, code=3000, message="Cannot access meeting information.")
    with pytest.raises(ZoomError) as raised:
        client.cancel_registration(meeting.id, registrant_id=ana.registrant_id)
    assert (raised.value.status, raised.value.code) == (400, 3000)


def test_a_cancelled_registration_is_approved_again(client, create_meeting, stored_registrants):
    meeting = create_meeting()
    ana = client.register_participant(meeting.id, email="ana@example.org", first_name="Ana")
    client.cancel_registration(meeting.id, registrant_id=ana.registrant_id)

    again = client.register_participant(meeting.id, email="ana@example.org", first_name="Ana")
    client.approve_registration(meeting.id, registrant_id=again.registrant_id, email="ana@example.org")

    assert again == ana
    assert [r["status"] for r in stored_registrants(meeting.id)] == ["approved"]


def test_a_registration_is_changed_only_by_its_id(client, create_meeting):
    with pytest.raises(ValueError, match="registrant id"):
        client.cancel_registration(create_meeting().id, registrant_id="", email="ana@example.org")


def zoom_registrants(zoom, meeting_id: int) -> list[dict]:
    """The registrants Zoom lists for the meeting (by default, its approved ones), over HTTP."""
    grant = {"grant_type": "account_credentials", "account_id": CONFIG.account_id}
    auth = (CONFIG.client_id, CONFIG.client_secret)
    token = requests.post(zoom.token_url, params=grant, auth=auth, timeout=5).json()["access_token"]
    answer = requests.get(
        f"{zoom.api_base_url}/meetings/{meeting_id}/registrants",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()["registrants"]


def test_deleting_a_meeting_twice_is_success(client, create_meeting):
    meeting = create_meeting()
    client.delete_meeting(meeting.id)
    client.delete_meeting(meeting.id)

    with pytest.raises(ZoomError) as raised:
        client.get_meeting(meeting.id)
    assert (raised.value.status, raised.value.code) == (404, MEETING_NOT_FOUND)


def test_zoom_error_codes_reach_the_caller(client, create_meeting):
    with pytest.raises(ZoomError) as raised:
        create_meeting(topic="t" * 201)  # Zoom's limit is 200
    assert (raised.value.status, raised.value.code) == (400, 300)
    assert "topic" in raised.value.message


# Tokens


def test_one_token_serves_fifty_creates(zoom, create_meeting):
    for _ in range(50):
        create_meeting()
    assert zoom.count("token_requests") == 1
    assert zoom.count("meeting_creates") == 50


def test_threads_creating_at_once_share_one_token_request(zoom, client, create_meeting):
    threads_count = 8
    start_together = threading.Barrier(threads_count)
    errors: list[Exception] = []

    def create_three() -> None:
        start_together.wait()
        try:
            for _ in range(3):
                create_meeting()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=create_three) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert zoom.count("meeting_creates") == threads_count * 3
    assert zoom.count("token_requests") == 1


def test_rejected_token_is_replaced_and_the_call_retried_once(client, zoom, create_meeting):
    meeting = create_meeting()
    zoom.fail_next(401)

    assert client.get_meeting(meeting.id).id == meeting.id
    assert zoom.count("token_requests") == 2


def test_token_rejected_twice_is_an_auth_error(client, zoom, create_meeting):
    meeting = create_meeting()
    zoom.fail_next(401, count=2)

    with pytest.raises(ZoomAuthError) as raised:
        client.get_meeting(meeting.id)

    assert (raised.value.status, raised.value.code) == (401, 124)
    assert zoom.count("token_requests") == 2


def test_a_refusal_another_token_cannot_cure_is_not_retried(client, zoom, create_meeting):
    meeting = create_meeting()
    zoom.fail_next(401, code=4711, message="Invalid access token, does not contain scopes.")

    with pytest.raises(ZoomAuthError) as raised:
        client.get_meeting(meeting.id)

    assert raised.value.code == 4711
    assert zoom.count("token_requests") == 1


def test_expired_token_is_renewed(client, zoom, create_meeting):
    meeting = create_meeting()
    zoom.expire_tokens()

    assert client.get_meeting(meeting.id).id == meeting.id
    assert zoom.count("token_requests") == 2


def test_token_is_renewed_shortly_before_it_expires(host, make_client, zoom):
    now = [NOW]
    client = make_client(clock=lambda: now[0])
    client.find_meeting_by_key(host, "k")
    now[0] = NOW + timedelta(minutes=54)
    client.find_meeting_by_key(host, "k")
    assert zoom.count("token_requests") == 1

    now[0] = NOW + timedelta(minutes=56)  # within five minutes of the 3599 s lifetime
    client.find_meeting_by_key(host, "k")
    assert zoom.count("token_requests") == 2


def test_wrong_credentials_are_an_auth_error_without_retries(host, zoom, make_client, sleeps):
    client = make_client(client_secret="wrong-secret")

    with pytest.raises(ZoomAuthError, match="Invalid client_id or client_secret"):
        client.find_meeting_by_key(host, "k")
    assert zoom.count("token_requests") == 1
    assert sleeps == []


# Rate limits


def test_per_second_limit_waits_as_retry_after_says_in_seconds(client, zoom, create_meeting, sleeps):
    zoom.fail_next(429, retry_after="2")

    create_meeting()

    assert len(sleeps) == 1
    assert 1.9 <= sleeps[0] <= 2 + 0.5  # the wait, plus at most base_delay of jitter
    assert zoom.count("meeting_creates") == 1


def test_per_second_limit_waits_until_the_http_date_retry_after_names(host, make_client, zoom, sleeps):
    client = make_client(clock=lambda: NOW)
    zoom.fail_next(429, retry_after=format_datetime(NOW + timedelta(seconds=3), usegmt=True))

    assert client.find_meeting_by_key(host, "k") is None

    assert len(sleeps) == 1 and 3 <= sleeps[0] <= 3.5


def test_per_second_limit_without_retry_after_backs_off_with_jitter(host, client, zoom, sleeps):
    zoom.fail_next(429, count=3)

    assert client.find_meeting_by_key(host, "k") is None

    # Back-off doubles from base_delay 0.5; each pause lies between half its step and the full step.
    steps = [0.5, 1.0, 2.0]
    assert len(sleeps) == 3
    assert all(step / 2 <= slept <= step for slept, step in zip(sleeps, steps, strict=True))


def test_rate_limit_lasting_beyond_the_attempts_is_raised_with_retry_time(host, client, zoom, sleeps):
    zoom.fail_next(429, count=4, retry_after="1")

    with pytest.raises(ZoomRateLimitError) as raised:
        client.find_meeting_by_key(host, "k")

    assert not isinstance(raised.value, ZoomDailyLimitError)
    assert raised.value.retry_at is not None
    assert len(sleeps) == 3


def test_daily_limit_defers_to_next_utc_midnight_without_retrying(client, zoom, create_meeting, sleeps):
    zoom.configure(daily_limit=2)
    create_meeting()
    meeting = create_meeting()

    with pytest.raises(ZoomDailyLimitError) as raised:
        create_meeting()
    with pytest.raises(ZoomDailyLimitError):
        client.update_meeting_time(meeting.id, meeting.start_time + timedelta(hours=1))

    assert raised.value.retry_at == next_utc_midnight(datetime.now(UTC))
    assert raised.value.status == 429
    assert sleeps == []
    assert zoom.count("meeting_creates") == 2
    # Other hosts keep their own allowance.
    client.create_meeting(
        "other-host@example.org",
        topic="t",
        start_time=meeting.start_time,
        duration=60,
        timezone="UTC",
        idempotency_key="other",
    )


def test_daily_limit_is_recognised_by_a_retry_after_at_midnight(host, make_client, zoom, sleeps):
    client = make_client(clock=lambda: NOW)
    midnight = next_utc_midnight(NOW)
    zoom.fail_next(429, retry_after=midnight.strftime("%Y-%m-%dT%H:%M:%SZ"), message="Too many requests.")

    with pytest.raises(ZoomDailyLimitError) as raised:
        client.find_meeting_by_key(host, "k")

    assert raised.value.retry_at == midnight == datetime(2026, 3, 3, tzinfo=UTC)
    assert sleeps == []


# Server errors and timeouts


def test_server_errors_are_retried_with_back_off(client, zoom, create_meeting, sleeps):
    meeting = create_meeting()
    zoom.fail_next(500, count=2)

    assert client.get_meeting(meeting.id).id == meeting.id
    assert len(sleeps) == 2 and 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


def test_server_errors_past_the_attempts_raise(host, client, zoom, sleeps):
    zoom.fail_next(503, count=4)

    with pytest.raises(ZoomServerError) as raised:
        client.find_meeting_by_key(host, "k")

    assert raised.value.status == 503
    assert len(sleeps) == 3
    assert zoom.count("api_requests") == 4


def test_create_retried_after_a_server_error_makes_one_meeting(zoom, create_meeting, stored_meeting):
    zoom.fail_next(502)

    meeting = create_meeting(idempotency_key="cohort-42")

    assert zoom.count("meeting_creates") == 1
    assert stored_meeting(meeting.id)["agenda"].startswith("[pm:cohort-42]")


def test_slow_answer_times_out_and_is_retried(host, make_client, zoom, sleeps):
    client = make_client(timeout=0.3)
    zoom.delay_next(0.8)

    assert client.find_meeting_by_key(host, "k") is None
    assert len(sleeps) == 1


def test_no_answer_at_all_is_a_timeout_error(host, make_client, zoom):
    client = make_client(timeout=0.2, retry=RetryPolicy(max_attempts=2))
    zoom.delay_next(0.5, count=2)

    with pytest.raises(ZoomTimeoutError, match=r"no answer within 0\.2 s"):
        client.find_meeting_by_key(host, "k")


def test_create_whose_answer_was_lost_is_not_made_twice(host, make_client, zoom):
    client = make_client(timeout=0.3)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    zoom.delay_next(0.8)

    meeting = client.create_meeting(
        host, topic="t", start_time=start, duration=60, timezone="UTC", idempotency_key="cohort-lost"
    )

    assert zoom.count("meeting_creates") == 1
    assert meeting.start_time == start and meeting.password


def test_unreachable_zoom_is_a_connection_error(host, make_client, sleeps):
    client = make_client(token_url="http://127.0.0.1:9/oauth/token", retry=RetryPolicy(max_attempts=2))
    with pytest.raises(ZoomError, match="could not reach Zoom"):
        client.find_meeting_by_key(host, "k")
    assert len(sleeps) == 1


# Secrets


def test_secrets_stay_out_of_reprs_and_logs(host, make_client, caplog):
    session = requests.Session()
    sent_tokens: set[str] = set()
    session.hooks["response"].append(
        lambda response, **_: sent_tokens.add(response.request.headers["Authorization"])
    )
    client = make_client(session=session)
    caplog.set_level(logging.DEBUG)

    meeting = client.create_meeting(
        host,
        topic="t",
        start_time=NOW + timedelta(days=9000),
        duration=60,
        timezone="UTC",
        idempotency_key="k",
    )
    registrant = client.register_participant(meeting.id, email="ana@example.org", first_name="Ana")

    (access_token,) = {value.removeprefix("Bearer ") for value in sent_tokens if value.startswith("Bearer ")}
    shown = repr(meeting) + repr(registrant) + caplog.text
    for secret in (meeting.password, meeting.join_url, meeting.start_url, registrant.join_url, access_token):
        assert secret not in shown


# Conformance


def test_every_request_the_client_sends_conforms_to_zoom_spec(host, client, zoom, create_meeting):
    meeting = create_meeting(agenda="Bring your questions", alternative_hosts=["volunteer@example.org"])
    client.find_meeting_by_key(host, "cohort-1")
    client.update_meeting_time(meeting.id, meeting.start_time + timedelta(hours=2), duration=45)
    ana = client.register_participant(
        meeting.id, email="ana@example.org", first_name="Ana", last_name="Silva"
    )
    client.cancel_registration(meeting.id, registrant_id=ana.registrant_id, email="ana@example.org")
    client.approve_registration(meeting.id, registrant_id=ana.registrant_id)
    client.get_meeting(meeting.id)
    client.delete_meeting(meeting.id)

    # The emulator validates every request against the spec and answers 400 to any that breaks it.
    log = zoom.recorded_requests()["log"]
    assert {entry["method"] for entry in log} == {"GET", "POST", "PATCH", "PUT", "DELETE"}
    assert all(entry["status"] < 300 for entry in log), log
