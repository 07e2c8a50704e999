"""Fixtures for the Zoom integration: one emulator over real HTTP, reset before every test."""

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from integrations.zoom import Meeting, RetryPolicy, ZoomClient
from integrations.zoom.emulator import EmulatorConfig, RunningEmulator, start_in_thread
from integrations.zoom.emulator_control import EmulatorControl

CONFIG = EmulatorConfig(
    account_id="account-test",
    client_id="client-test",
    client_secret="client-secret-test",
    webhook_secret="webhook-secret-test",
)


@pytest.fixture(scope="session")
def running_emulator() -> Iterator[RunningEmulator]:
    with start_in_thread(CONFIG) as running:
        yield running


@pytest.fixture
def zoom(running_emulator: RunningEmulator) -> EmulatorControl:
    """The emulator's control API, on an emulator with nothing in it."""
    control = EmulatorControl(running_emulator.url)
    control.reset()
    control.configure(daily_limit=CONFIG.daily_limit, webhook_url=None, revoke_previous_tokens=False)
    return control


@pytest.fixture
def bearer(zoom: EmulatorControl) -> dict[str, str]:
    """Headers carrying a token the emulator issued."""
    grant = {"grant_type": "account_credentials", "account_id": CONFIG.account_id}
    response = requests.post(
        zoom.token_url, params=grant, auth=(CONFIG.client_id, CONFIG.client_secret), timeout=5
    )
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def stored_meeting(running_emulator: RunningEmulator) -> Callable[[int], dict[str, Any]]:
    """The meeting as the emulator holds it (what Zoom would show in its web portal)."""
    return running_emulator.emulator.state.get_meeting


@pytest.fixture
def stored_registrants(running_emulator: RunningEmulator) -> Callable[[int], list[dict[str, Any]]]:
    """The meeting's registrants as the emulator holds them."""
    return running_emulator.emulator.state.registrants


@pytest.fixture
def sleeps() -> list[float]:
    """Every pause the client asked for, in seconds (none is really slept)."""
    return []


@pytest.fixture
def make_client(zoom: EmulatorControl, sleeps: list[float]) -> Callable[..., ZoomClient]:
    """Builds clients talking to the emulator; keyword arguments override the defaults."""

    def make(**overrides) -> ZoomClient:
        options = {
            "account_id": CONFIG.account_id,
            "client_id": CONFIG.client_id,
            "client_secret": CONFIG.client_secret,
            "token_url": zoom.token_url,
            # Never used: the emulator's token names its own api_url, which the client must follow.
            "api_base_url": "http://127.0.0.1:9/v2",
            "timeout": 2.0,
            "sleep": sleeps.append,
            "retry": RetryPolicy(max_attempts=4, base_delay=0.5),
            **overrides,
        }
        return ZoomClient(**options)

    return make


@pytest.fixture
def client(make_client: Callable[..., ZoomClient]) -> ZoomClient:
    return make_client()


@pytest.fixture
def host() -> str:
    """The Zoom user who hosts the meetings."""
    return "host@example.org"


@pytest.fixture
def create_meeting(client: ZoomClient, host: str) -> Callable[..., Meeting]:
    """Creates a cohort meeting two days ahead; keyword arguments override the defaults."""
    counter = iter(range(1, 10_000))

    def create(**overrides) -> Meeting:
        options = {
            "topic": "Peer meet-up",
            "start_time": datetime.now(UTC).replace(microsecond=0) + timedelta(days=2),
            "duration": 60,
            "timezone": "Europe/Paris",
            "idempotency_key": f"cohort-{next(counter)}",
            **overrides,
        }
        return client.create_meeting(host, **options)

    return create


@pytest.fixture
def webhook_receiver() -> Iterator[tuple[str, list[Request]]]:
    """A local endpoint that keeps every delivery and answers 204."""
    received: list[Request] = []

    def receive(environ, start_response):
        request = Request(environ)
        request.get_data()  # read before the connection closes
        received.append(request)
        return Response(status=204)(environ, start_response)

    server = make_server("127.0.0.1", 0, receive, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/webhooks/zoom", received
    server.shutdown()
    server.server_close()
