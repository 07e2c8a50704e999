"""One Zoom token for the deployment: clients on separate engines (as separate processes have) share the
token kept in the database, so that Zoom, which may revoke the previous token on issuing one, is asked
as seldom as one process alone would ask."""

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from app.database import build_engine
from app.zoom_token_store import DatabaseTokenStore, token_key
from integrations.zoom import ZoomClient

from .conftest import CONFIG


@pytest.fixture
def engines(database_url) -> Iterator[Callable[[], Engine]]:
    """Makes engines on the test's database, each with a pool of its own, as each process has."""
    made: list[Engine] = []

    def make() -> Engine:
        made.append(build_engine(database_url))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()


@pytest.fixture
def process_client(zoom, make_client, engines) -> Callable[..., ZoomClient]:
    """A client as one process of the deployment has it: its own engine, the token store in the database.
    The emulator revokes every earlier token on issuing one, as older Zoom accounts do."""
    zoom.configure(revoke_previous_tokens=True)

    def make(**overrides) -> ZoomClient:
        key = token_key(CONFIG.account_id, CONFIG.client_id)
        store = DatabaseTokenStore(engines(), key, zoom.api_base_url)
        return make_client(token_store=store, **overrides)

    return make


def test_processes_asking_at_once_make_one_token_request(zoom, process_client, host):
    clients = [process_client() for _ in range(2)]
    threads_per_client = 4
    start_together = threading.Barrier(len(clients) * threads_per_client)
    errors: list[Exception] = []

    def look_up(client: ZoomClient) -> None:
        start_together.wait()
        try:
            for _ in range(3):
                client.find_meeting_by_key(host, "none")
        except Exception as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=look_up, args=(c,)) for c in clients for _ in range(threads_per_client)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert zoom.count("token_requests") == 1
    assert all(call["status"] == 200 for call in zoom.recorded_requests()["log"])


def test_a_process_started_later_uses_the_stored_token(zoom, process_client, create_meeting):
    meeting = create_meeting()
    first = process_client()
    first.get_meeting(meeting.id)

    assert process_client().get_meeting(meeting.id).id == meeting.id
    assert zoom.count("token_requests") == 2  # the `create_meeting` client's own, and the shared one


def test_after_zoom_rejects_the_token_one_process_fetches_a_new_one(zoom, process_client, host):
    clients = [process_client() for _ in range(3)]
    for client in clients:
        client.find_meeting_by_key(host, "none")
    zoom.expire_tokens()

    for client in clients:
        assert client.find_meeting_by_key(host, "none") is None

    assert zoom.count("token_requests") == 2
    statuses = [call["status"] for call in zoom.recorded_requests()["log"]]
    # Each process tries the rejected token once; only the first fetches another.
    assert statuses == [200] * 3 + [401, 200] * 3


def test_the_token_is_renewed_by_one_process_shortly_before_it_expires(zoom, process_client, host):
    process_client().find_meeting_by_key(host, "none")
    later = datetime.now(UTC) + timedelta(minutes=56)  # tokens last 60 minutes; renewal starts 5 before
    clients = [process_client(clock=lambda: later) for _ in range(3)]

    for client in clients:
        client.find_meeting_by_key(host, "none")

    assert zoom.count("token_requests") == 2
    assert {call["status"] for call in zoom.recorded_requests()["log"]} == {200}


def test_the_token_stays_out_of_the_database_logs(zoom, process_client, host, caplog, database_url):
    client = process_client()
    with caplog.at_level(logging.DEBUG, logger="sqlalchemy.engine"):
        client.find_meeting_by_key(host, "none")

    stored = DatabaseTokenStore(
        build_engine(database_url), token_key(CONFIG.account_id, CONFIG.client_id), ""
    )
    token = stored.load()
    assert token is not None and token.access_token
    assert "zoomtoken" in caplog.text.lower()  # the statements were logged
    assert token.access_token not in caplog.text
