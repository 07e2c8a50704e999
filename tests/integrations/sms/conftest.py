"""Fixtures for the SMS integration: one emulator over real HTTP, reset before every test, and a webhook
receiver standing in for the app."""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from integrations.sms import RetryPolicy, TwilioClient
from integrations.sms.emulator import EmulatorConfig, RunningEmulator, start_in_thread
from integrations.sms.emulator_control import EmulatorControl

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "auth-token-test"
OUR_NUMBER = "+15005550006"
SERVICE_SID = "MG" + "fedcba9876543210" * 2
PERSON = "+15551234567"

CONFIG = EmulatorConfig(
    account_sid=ACCOUNT_SID,
    auth_token=AUTH_TOKEN,
    from_numbers=(OUR_NUMBER,),
    messaging_service_sids=(SERVICE_SID,),
    # Tests move texts on by hand and send as fast as they like, unless a test says otherwise.
    auto_deliver=False,
    sender_rate=0,
)


@pytest.fixture(scope="session")
def running_sms_emulator() -> Iterator[RunningEmulator]:
    with start_in_thread(CONFIG) as running:
        yield running


@pytest.fixture
def sms(running_sms_emulator: RunningEmulator) -> EmulatorControl:
    """The emulator's control API, on an emulator with nothing in it."""
    control = EmulatorControl(running_sms_emulator.url)
    control.reset()
    control.configure(sender_rate=0, inbound_url=None, auto_deliver=False, delivery_delay=0.05)
    return control


@pytest.fixture
def sleeps() -> list[float]:
    """Every pause the client asked for, in seconds (none is really slept)."""
    return []


@pytest.fixture
def make_client(sms: EmulatorControl, sleeps: list[float]) -> Callable[..., TwilioClient]:
    """Builds clients talking to the emulator; keyword arguments override the defaults."""

    def make(**overrides) -> TwilioClient:
        options = {
            "account_sid": ACCOUNT_SID,
            "auth_token": AUTH_TOKEN,
            "from_number": OUR_NUMBER,
            "api_base_url": sms.api_base_url,
            "timeout": 2.0,
            "sleep": sleeps.append,
            "retry": RetryPolicy(max_attempts=4, base_delay=0.5),
            **overrides,
        }
        return TwilioClient(**options)

    return make


@pytest.fixture
def client(make_client: Callable[..., TwilioClient]) -> TwilioClient:
    return make_client()


@dataclass
class WebhookReceiver:
    """A local endpoint standing in for the app's webhook: keeps every delivery, answers `answer`."""

    url: str
    received: list[Request] = field(default_factory=list)
    answer: tuple[str, str] = ('<?xml version="1.0" encoding="UTF-8"?><Response/>', "text/xml")
    status: int = 200

    def forms(self) -> list[dict[str, str]]:
        """The form parameters of each delivery, in order."""
        return [request.form.to_dict() for request in self.received]


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(url="")

    def receive(environ, start_response):
        request = Request(environ)
        request.get_data()  # read before the connection closes
        receiver.received.append(request)
        body, content_type = receiver.answer
        return Response(body, status=receiver.status, content_type=content_type)(environ, start_response)

    server = make_server("127.0.0.1", 0, receive, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://localhost:{server.server_port}/webhooks/sms"
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def sms_emulator_on_a_fake_clock() -> Iterator[tuple[RunningEmulator, "FakeClock"]]:
    """An emulator of its own whose time moves only when its clock is told to."""
    clock = FakeClock()
    with start_in_thread(CONFIG, clock=clock) as running:
        yield running, clock


class FakeClock:
    """A clock that only moves when told to; `sleep` moves it, so a client's pauses take no time."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
