"""Serving a local emulator (Zoom's, Twilio's): in a background thread for tests, or until interrupted, and
the small answers every emulator gives."""

import hmac
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from integrations.emulator_faults import Fault

App = TypeVar("App", bound=Callable[..., Any])


@dataclass
class RunningEmulator(Generic[App]):
    """An emulator serving in a background thread; `url` is its base, `emulator` the WSGI app itself."""

    url: str
    emulator: App
    server: BaseWSGIServer = field(repr=False)
    thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        """Stop serving and release the port."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def __enter__(self) -> "RunningEmulator[App]":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve_forever(host: str, port: int, app: Callable[..., Any]) -> None:
    """Serve `app` on host:port, a thread per request, until interrupted."""
    make_server(host, port, app, threaded=True).serve_forever()


def serve_in_thread(app: App, host: str, port: int, name: str) -> RunningEmulator[App]:
    """Serve `app` from a daemon thread named `name`; port 0 picks a free port. Stop it with `.stop()`."""
    server = make_server(host, port, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    return RunningEmulator(f"http://{host}:{server.server_port}", app, server, thread)


def json_response(body: Any, status: int = 200) -> Response:
    """`body` as a compact JSON answer."""
    return Response(json.dumps(body, separators=(",", ":")), status=status, mimetype="application/json")


def same_secret(given: str | None, expected: str) -> bool:
    """Whether `given` is `expected`, compared in constant time."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class ControlCalls:
    """The control calls every emulator answers: `GET /_emulator/requests`, `POST /_emulator/reset`,
    `/_emulator/faults` and `/_emulator/settings`. `state` has snapshot(), reset(), add_fault() and
    update_settings()."""

    state: Any

    def _show_requests(self, request: Request) -> Response:
        return json_response(self.state.snapshot())

    def _reset(self, request: Request) -> Response:
        self.state.reset()
        return Response(status=204)

    def _add_fault(self, request: Request) -> Response:
        fault = Fault.from_json(request.get_json())
        self.state.add_fault(fault)
        return json_response(asdict(fault), 201)

    def _change_settings(self, request: Request) -> Response:
        return json_response(self.state.update_settings(request.get_json()))


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log: tests and benchmarks send thousands of requests."""
