"""Faults as they happen in production, with real processes: a worker killed in the middle of a Zoom call or
of an email, the mail server or Zoom away for a while, the database restarting under the running app.

Each ends the way a user would check it: every meeting created once at Zoom and known to the database,
every message the outbox counts as sent delivered exactly once, and nothing given up as failed.
(The same faults inside one process are covered in tests/lifecycle.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from app.claims import DEFAULT_LEASE
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.models import MessageStatus, OutboundMessage, ZoomOperation, ZoomOperationKind, ZoomOperationStatus
from app.retry import BACKOFF

pytestmark = pytest.mark.postgres_only

# `flask worker --once --now` this far ahead takes over what a dead worker had claimed…
AFTER_THE_LEASE = DEFAULT_LEASE + timedelta(minutes=1)
# …or tries again what failed once.
AFTER_THE_FIRST_RETRY = BACKOFF[0] + timedelta(minutes=1)


def _meeting_page(console_client, program: str, meeting_id: int) -> str:
    """The console's page of the meeting, with each Zoom call and email, its state and its last error."""
    return console_client(program).get(f"/console/programs/{program}/meetings/{meeting_id}").text


def test_a_worker_killed_after_zoom_created_the_meeting_leaves_exactly_one_meeting(
    deployment, approve_a_cohort, zoom, zoom_api, records, wait_for
):
    meeting_id = approve_a_cohort()
    zoom.delay_next(60)  # Zoom creates the meeting, but its answer comes a minute late
    worker = deployment.start_worker()
    wait_for(lambda: zoom.count("meeting_creates") == 1, "Zoom to create the meeting")
    worker.kill()
    [create] = records.zoom_operations(ZoomOperation.kind == ZoomOperationKind.CREATE)
    assert create.status == ZoomOperationStatus.RUNNING
    assert records.meeting(meeting_id).zoom_meeting_id is None

    done = deployment.run_worker_once(now=utcnow() + AFTER_THE_LEASE)

    assert "failed" not in done["zoom"]
    assert zoom.count("meeting_creates") == 1
    meeting = records.meeting(meeting_id)
    assert zoom_api.get_meeting(int(meeting.zoom_meeting_id)).join_url == meeting.zoom_join_url
    assert {op.status for op in records.zoom_operations()} == {ZoomOperationStatus.DONE}


def test_a_worker_killed_while_handing_an_email_over_leaves_it_to_be_delivered_once(
    deployment, app, demo_program, registration, smtp, records, wait_for
):
    holding = smtp.hold_next_delivery()
    api = f"/api/v1/programs/{demo_program}/registrations"
    assert app.test_client().post(api, json=registration("robin@example.org")).status_code == 201
    worker = deployment.start_worker()
    wait_for(holding.is_set, "the worker to start handing the email over")
    worker.kill()
    [claimed] = records.messages()
    assert claimed.status == MessageStatus.SENDING and smtp.messages() == []
    smtp.release()

    done = deployment.run_worker_once(now=utcnow() + AFTER_THE_LEASE)

    assert done["mail"] == "1 sent"
    assert len(smtp.messages(to="robin@example.org")) == 1
    assert smtp.message_ids() == records.sent_message_ids()


def test_an_unreachable_mail_server_is_retried_visibly_then_each_email_goes_once(
    deployment, approve_a_cohort, demo_program, smtp, records, console_client
):
    meeting_id = approve_a_cohort()
    smtp.stop()
    first = deployment.run_worker_once()
    assert first["mail"].endswith("retrying") and "sent" not in first["mail"]
    page = _meeting_page(console_client, demo_program, meeting_id)
    assert f"cannot reach 127.0.0.1:{smtp.port}" in page and ">queued<" in page

    smtp.start()
    later = deployment.run_worker_once(now=utcnow() + AFTER_THE_FIRST_RETRY)

    assert later["mail"] == first["mail"].replace("retrying", "sent")
    invitations = records.messages(OutboundMessage.kind == MessageKind.COHORT_INVITATION)
    assert {message.status for message in invitations} == {MessageStatus.SENT}
    assert all(len(smtp.messages(to=message.recipient)) == 1 for message in invitations)
    assert smtp.message_ids() == records.sent_message_ids()
    assert records.failures() == []


def test_an_unreachable_zoom_is_retried_visibly_then_the_meeting_is_created_once(
    deployment, approve_a_cohort, demo_program, zoom, zoom_api, proxy_to, records, console_client
):
    meeting_id = approve_a_cohort()
    zoom_down = proxy_to(zoom.url)
    zoom_down.cut()
    through_proxy = zoom_down.route(zoom.url)
    first = deployment.run_worker_once(zoom_url=through_proxy)
    assert "1 retrying" in first["zoom"]
    page = _meeting_page(console_client, demo_program, meeting_id)
    assert "could not reach Zoom" in page and ">waiting<" in page

    zoom_down.restore()
    deployment.run_worker_once(now=utcnow() + AFTER_THE_FIRST_RETRY, zoom_url=through_proxy)

    assert zoom.count("meeting_creates") == 1
    meeting = records.meeting(meeting_id)
    assert zoom_api.get_meeting(int(meeting.zoom_meeting_id)).join_url == meeting.zoom_join_url
    operations = records.zoom_operations()
    assert {(op.status, op.last_error) for op in operations} == {(ZoomOperationStatus.DONE, None)}


def test_the_running_app_and_worker_carry_on_after_the_database_restarts(
    deployment, app, demo_program, registration, smtp, proxy_to, records, wait_for
):
    database = proxy_to(deployment.database_url)
    through_proxy = database.route(deployment.database_url)
    web = deployment.start_web(workers=2, database_url=through_proxy)
    worker = deployment.start_worker(database_url=through_proxy)
    api = f"/api/v1/programs/{demo_program}/registrations"

    def register_over_http(email: str) -> None:
        answer = requests.post(deployment.web_url + api, json=registration(email), timeout=30)
        assert answer.status_code == 201, answer.text

    def health() -> int:
        return requests.get(f"{deployment.web_url}/healthz", timeout=10).status_code

    def delivered(*emails: str) -> bool:
        return all(smtp.messages(to=email) for email in emails) and not records.unfinished_work()

    register_over_http("before@example.org")
    wait_for(lambda: delivered("before@example.org"), "the first email")

    # The database goes while an email is with the mail server, before the worker could record it…
    handing_over = smtp.hold_next_delivery()
    register_over_http("meanwhile@example.org")
    wait_for(handing_over.is_set, "the worker to hand the email over")
    database.cut()
    smtp.release()
    wait_for(lambda: health() == 503, "/healthz to say the database is away")
    # …and an email falls due while it is away (this process reaches the database directly).
    assert app.test_client().post(api, json=registration("during@example.org")).status_code == 201
    wait_for(lambda: "could not record" in worker.output(), "the worker to find the database away")
    # The next poll says so (the due-work job waits to record what the mail server answered meanwhile).
    wait_for(
        lambda: "the database does not answer, trying again at the next poll" in worker.output(), "a poll"
    )

    database.restore()
    wait_for(lambda: health() == 200, "/healthz to say the database is back")
    register_over_http("after@example.org")
    wait_for(
        lambda: delivered("meanwhile@example.org", "during@example.org", "after@example.org"), "the emails"
    )

    assert web.running and worker.running  # neither was restarted
    assert len(smtp.messages()) == 4
    assert smtp.message_ids() == records.sent_message_ids()
    assert records.failures() == []
