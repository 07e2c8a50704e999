"""A local stand-in for the part of Zoom we use, for development, tests and benchmarks.

A WSGI app on werkzeug. It issues server-to-server OAuth tokens, keeps meetings and registrants in
memory with the dial-in numbers and phone passcode Zoom gives them, and users' settings (captions), validates
every API request against Zoom's published spec (400, code 300, like Zoom),
checks bearer tokens (401, code 124) and the per-host daily create/update cap (429, as Zoom words it).
With `revoke_previous_tokens`, issuing a token makes every earlier one invalid, as on older Zoom accounts.

Start and join links answer small HTML pages. The start link (`/s/{id}?zak=...`) starts the meeting as its
host and sends `meeting.started` when a webhook URL is set; like Zoom, it refuses (409, "The host has
another meeting in progress.") while the host already has their plan's number of meetings in progress:
one for a Pro user (any user not declared), two for Business, Education or Enterprise. A join link (the
meeting's, or a registrant's while approved) shows the topic and whether the meeting has started.

Control API, JSON, for tests in this or another process:

- `GET  /_emulator/requests`: counters (`token_requests`, `meeting_creates`, `meeting_updates`,
  `api_requests`) and `log`, every API call answered as `{"method", "path", "status"}`.
- `POST /_emulator/reset`: forget tokens, meetings, counters and faults.
- `POST /_emulator/faults` `{"count": 1, "status": 401|429|500|..., "retry_after": "2",
  "code": ..., "message": ..., "delay": 1.5}`: the next `count` API calls answer `status` instead
  (429 carries `retry_after` as its Retry-After header when given), or are carried out normally but
  answered `delay` seconds late (a lost answer, for client timeouts).
- `POST /_emulator/settings` `{"daily_limit": 100, "webhook_url": "http://...",
  "revoke_previous_tokens": true}`: change settings; answers the settings in force.
- `POST /_emulator/users` `{"user": "host@example.org", "concurrent": 2}`: declare a user's plan, as the
  number of meetings they may have in progress at once (2 for Business and above; undeclared users: 1).
- `POST /_emulator/tokens/expire`: every issued token is now expired.
- `POST /_emulator/meetings/{id}/events` `{"event": "meeting.participant_joined",
  "participant": {"registrant_id": ..., ...}}`: POST that webhook, signed, to `webhook_url`;
  answers `{"status": <receiver's status>, "body": <what was sent>}`.
- `POST /_emulator/meetings/{id}/end`: the meeting ends, freeing its host's place, and `meeting.ended` is
  sent when a webhook URL is set; answers `{"status": <receiver's status, or null>}`.

`reset` forgets declared users too; settings stay.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from integrations import emulator_server
from integrations.emulator_faults import Fault
from integrations.emulator_server import json_response, same_secret
from integrations.zoom import emulator_events, emulator_pages
from integrations.zoom.client import utc_now
from integrations.zoom.emulator_memory import RememberingEmulator
from integrations.zoom.emulator_state import (
    TOKEN_LIFETIME,
    EmulatorState,
    HostBusy,
    LinkNotValid,
    NotFound,
    RegistrantNotFound,
    RegistrationClosed,
)
from integrations.zoom.errors import INVALID_TOKEN, MEETING_NOT_FOUND, VALIDATION_FAILED
from integrations.zoom.models import format_zoom_time
from integrations.zoom.retry import next_utc_midnight
from integrations.zoom.spec import SpecViolation, request_violations

PER_SECOND_LIMIT_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
# Zoom's words for a user's daily cap of meeting creates and updates.
DAILY_LIMIT_MESSAGE = (
    "You have exceeded the daily rate limit ({limit}) of Meeting Create/Update API requests permitted "
    "for this particular user. You may resume these requests at GMT 00:00:00."
)
DEFAULT_FAULT_MESSAGES = {401: "Invalid access token.", 429: PER_SECOND_LIMIT_MESSAGE}
DEFAULT_FAULT_CODES = {401: INVALID_TOKEN, 429: 429}
GRANTED_SCOPES = "meeting:read:admin meeting:write:admin user:read:admin user:write:admin"

_URL_MAP = Map(
    [
        Rule("/oauth/token", methods=["POST"], endpoint="issue_token"),
        Rule("/v2/users/<user_id>/meetings", methods=["POST"], endpoint="create_meeting"),
        Rule("/v2/users/<user_id>/meetings", methods=["GET"], endpoint="list_meetings"),
        Rule("/v2/users/<user_id>/settings", methods=["GET"], endpoint="get_user_settings"),
        Rule("/v2/users/<user_id>/settings", methods=["PATCH"], endpoint="update_user_settings"),
        Rule("/v2/meetings/<meeting_id>", methods=["GET"], endpoint="get_meeting"),
        Rule("/v2/meetings/<meeting_id>", methods=["PATCH"], endpoint="update_meeting"),
        Rule("/v2/meetings/<meeting_id>", methods=["DELETE"], endpoint="delete_meeting"),
        Rule("/v2/meetings/<meeting_id>/registrants", methods=["POST"], endpoint="add_registrant"),
        Rule("/v2/meetings/<meeting_id>/registrants", methods=["GET"], endpoint="list_registrants"),
        Rule(
            "/v2/meetings/<meeting_id>/registrants/status",
            methods=["PUT"],
            endpoint="update_registrant_status",
        ),
        Rule("/_emulator/requests", methods=["GET"], endpoint="show_requests"),
        Rule("/_emulator/reset", methods=["POST"], endpoint="reset"),
        Rule("/_emulator/faults", methods=["POST"], endpoint="add_fault"),
        Rule("/_emulator/settings", methods=["POST"], endpoint="change_settings"),
        Rule("/_emulator/tokens/expire", methods=["POST"], endpoint="expire_tokens"),
        Rule("/_emulator/meetings/<int:meeting_id>/events", methods=["POST"], endpoint="send_event"),
        Rule("/_emulator/meetings/<int:meeting_id>/end", methods=["POST"], endpoint="end_meeting"),
        Rule("/_emulator/users", methods=["POST"], endpoint="declare_user"),
        Rule("/s/<int:meeting_id>", methods=["GET"], endpoint="start_page"),
        Rule("/j/<int:meeting_id>", methods=["GET"], endpoint="join_page"),
        Rule("/w/<int:meeting_id>", methods=["GET"], endpoint="join_page"),
    ]
)


@dataclass(frozen=True)
class EmulatorConfig:
    """The credentials the emulator accepts, and its limits."""

    account_id: str
    client_id: str
    client_secret: str = field(repr=False)
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_url: str | None = None
    daily_limit: int = 100
    revoke_previous_tokens: bool = False


class ZoomEmulator(emulator_server.ControlCalls):
    """The emulator as a WSGI application; `state` holds what it remembers."""

    def __init__(self, config: EmulatorConfig, *, clock: Callable[[], datetime] = utc_now):
        self.config = config
        self.state = EmulatorState(
            clock, config.daily_limit, config.webhook_url, config.revoke_previous_tokens
        )
        self._clock = clock

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            endpoint, values = _URL_MAP.bind_to_environ(environ).match()
            handler = getattr(self, f"_{endpoint}")
            if request.path.startswith("/v2/"):
                response = self._answer_api_call(request, handler, values)
            else:
                response = handler(request, **values)
        except HTTPException as exc:
            response = _zoom_error(exc.code or 500, None, exc.description or exc.name)
        return response(environ, start_response)

    def _answer_api_call(self, request: Request, handler: Callable[..., Response], values: dict) -> Response:
        """Faults first, then the token, then the spec, then the operation itself."""
        fault = self.state.take_fault()
        if fault is not None and fault.status is not None:
            response = _fault_response(fault)
        elif problem := self.state.token_problem(_bearer_token(request)):
            response = _zoom_error(401, INVALID_TOKEN, problem)
        elif violations := request_violations(request):
            response = _validation_failed(violations)
        else:
            response = self._carry_out(request, handler, values)
        self.state.record({"method": request.method, "path": request.path, "status": response.status_code})
        if fault is not None and fault.delay:
            time.sleep(fault.delay)  # the work is done; only the answer is late
        return response

    def _carry_out(self, request: Request, handler: Callable[..., Response], values: dict) -> Response:
        try:
            return handler(request, **values)
        except NotFound as exc:
            return _meeting_not_found(exc.args[0])

    # OAuth

    def _issue_token(self, request: Request) -> Response:
        self.state.count("token_requests")
        auth = request.authorization
        if (
            auth is None
            or auth.type != "basic"
            or not same_secret(auth.username, self.config.client_id)
            or not same_secret(auth.password, self.config.client_secret)
        ):
            return json_response(
                {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, 400
            )
        if request.values.get("grant_type") != "account_credentials":
            return json_response({"reason": "Unsupported grant type", "error": "unsupported_grant_type"}, 400)
        if request.values.get("account_id") != self.config.account_id:
            return json_response({"reason": "Invalid account_id", "error": "invalid_request"}, 400)
        return json_response(
            {
                "access_token": self.state.issue_token(),
                "token_type": "bearer",
                "expires_in": TOKEN_LIFETIME,
                "scope": GRANTED_SCOPES,
                "api_url": _base_url(request),
            }
        )

    # Meetings API

    def _create_meeting(self, request: Request, user_id: str) -> Response:
        if not self.state.count_host_write(user_id):
            return self._daily_limit_reached()
        return json_response(self.state.create_meeting(user_id, request.get_json(), _base_url(request)), 201)

    def _list_meetings(self, request: Request, user_id: str) -> Response:
        meetings = self.state.list_meetings(user_id, request.args.get("type", "scheduled"))
        page_size = int(request.args.get("page_size", 30))
        start = int(request.args.get("next_page_token") or 0)
        end = start + page_size
        return json_response(
            {
                "page_size": page_size,
                "total_records": len(meetings),
                "next_page_token": str(end) if end < len(meetings) else "",
                "meetings": meetings[start:end],
            }
        )

    def _get_user_settings(self, request: Request, user_id: str) -> Response:
        return json_response(self.state.user_settings(user_id))

    def _update_user_settings(self, request: Request, user_id: str) -> Response:
        self.state.update_user_settings(user_id, request.get_json())
        return Response(status=204)

    def _get_meeting(self, request: Request, meeting_id: str) -> Response:
        return json_response(self.state.get_meeting(int(meeting_id)))

    def _update_meeting(self, request: Request, meeting_id: str) -> Response:
        if not self.state.count_host_write(self.state.host_of(int(meeting_id))):
            return self._daily_limit_reached()
        self.state.update_meeting(int(meeting_id), request.get_json(), _base_url(request))
        return Response(status=204)

    def _delete_meeting(self, request: Request, meeting_id: str) -> Response:
        self.state.delete_meeting(int(meeting_id))
        return Response(status=204)

    def _add_registrant(self, request: Request, meeting_id: str) -> Response:
        try:
            registrant = self.state.add_registrant(int(meeting_id), request.get_json(), _base_url(request))
        except RegistrationClosed:
            return _zoom_error(400, 3000, "Registration has not been enabled for this meeting.")
        return json_response(registrant, 201)

    def _list_registrants(self, request: Request, meeting_id: str) -> Response:
        # Like Zoom, the list shows approved registrants unless asked for another status; cancelled
        # registrants are in no list.
        registrants = self.state.registrants(int(meeting_id), request.args.get("status", "approved"))
        return json_response(
            {
                "page_size": len(registrants),
                "total_records": len(registrants),
                "next_page_token": "",
                "registrants": registrants,
            }
        )

    def _update_registrant_status(self, request: Request, meeting_id: str) -> Response:
        body = request.get_json()
        try:
            self.state.set_registrant_status(int(meeting_id), body["action"], body.get("registrants", []))
        except RegistrantNotFound as exc:
            return _zoom_error(404, None, f"Registrant {exc.args[0]} not found.")
        return Response(status=204)

    def _daily_limit_reached(self) -> Response:
        """Zoom's answer once a user reached the cap: a date to come back, and the limit's type."""
        response = _zoom_error(429, 429, DAILY_LIMIT_MESSAGE.format(limit=self.state.settings["daily_limit"]))
        response.headers["Retry-After"] = format_zoom_time(next_utc_midnight(self._clock()))
        response.headers["X-RateLimit-Type"] = "Daily-limit"
        return response

    # Start and join links

    def _start_page(self, request: Request, meeting_id: int) -> Response:
        try:
            meeting = self.state.start_meeting(meeting_id, _link_target(request))
        except LinkNotValid:
            return emulator_pages.refusal_page(emulator_pages.LINK_NOT_VALID, 404)
        except HostBusy:
            return emulator_pages.refusal_page(emulator_pages.HOST_BUSY, 409)
        self._notify("meeting.started", meeting)
        return emulator_pages.meeting_page(meeting, emulator_pages.STARTED)

    def _join_page(self, request: Request, meeting_id: int) -> Response:
        try:
            meeting = self.state.joined_meeting(meeting_id, _link_target(request))
        except LinkNotValid:
            return emulator_pages.refusal_page(emulator_pages.LINK_NOT_VALID, 404)
        started = meeting["status"] == "started"
        return emulator_pages.meeting_page(
            meeting, emulator_pages.STARTED if started else emulator_pages.WAITING_FOR_HOST
        )

    # Control API

    def _declare_user(self, request: Request) -> Response:
        body = request.get_json()
        self.state.declare_user(str(body["user"]), int(body["concurrent"]))
        return Response(status=204)

    def _end_meeting(self, request: Request, meeting_id: int) -> Response:
        try:
            meeting = self.state.end_meeting(meeting_id)
        except NotFound:
            return _meeting_not_found(meeting_id)
        status, _ = self._notify("meeting.ended", meeting)
        return json_response({"status": status})

    def _webhooks_on(self) -> bool:
        return bool(self.state.settings["webhook_url"] and self.config.webhook_secret)

    def _notify(
        self, event: str, meeting: dict[str, Any], participant: dict[str, Any] | None = None
    ) -> tuple[int | None, dict[str, Any]]:
        """Send the webhook about `meeting`, signed, when webhooks are on; the receiver's status (None when
        nothing was sent) and the body."""
        now = self._clock()
        body = emulator_events.event_body(
            event, meeting, account_id=self.config.account_id, participant=participant or {}, now=now
        )
        url, secret = self.state.settings["webhook_url"], self.config.webhook_secret
        if not (url and secret):
            return None, body
        return emulator_events.deliver(url, secret, body, now), body

    def _expire_tokens(self, request: Request) -> Response:
        self.state.expire_tokens()
        return Response(status=204)

    def _send_event(self, request: Request, meeting_id: int) -> Response:
        if not self._webhooks_on():
            return json_response({"message": "set webhook_url and the webhook secret first"}, 409)
        spec = request.get_json()
        try:
            meeting = self.state.get_meeting(meeting_id)
        except NotFound:
            return _meeting_not_found(meeting_id)
        participant = self._known_participant(meeting_id, spec.get("participant") or {})
        status, body = self._notify(spec["event"], meeting, participant)
        return json_response({"status": status, "body": body})

    def _known_participant(self, meeting_id: int, participant: dict[str, Any]) -> dict[str, Any]:
        """The participant, with name and email filled in from their registration when it is named."""
        registrant_id = participant.get("registrant_id")
        for registrant in self.state.registrants(meeting_id):
            if registrant["id"] == registrant_id:
                name = " ".join(filter(None, [registrant["first_name"], registrant.get("last_name")]))
                return {"user_name": name, "email": registrant["email"], **participant}
        return participant


#: An emulator serving in a background thread (`url + /oauth/token` is Zoom's token URL).
RunningEmulator = emulator_server.RunningEmulator[ZoomEmulator]


def serve(host: str, port: int, config: EmulatorConfig, *, memory: Path | None = None) -> None:
    """Serve the emulator on host:port until interrupted (what `flask zoom-emulator` runs); with `memory`,
    what it remembers is kept in that file across restarts (emulator_memory.py)."""
    emulator = ZoomEmulator(config)
    emulator_server.serve_forever(host, port, RememberingEmulator(emulator, memory) if memory else emulator)


def start_in_thread(
    config: EmulatorConfig,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> RunningEmulator:
    """Start the emulator in a daemon thread; port 0 picks a free port. Stop it with `.stop()`."""
    return emulator_server.serve_in_thread(ZoomEmulator(config, clock=clock), host, port, "zoom-emulator")


def _fault_response(fault: Fault) -> Response:
    assert fault.status is not None
    message = fault.message or DEFAULT_FAULT_MESSAGES.get(fault.status, "Internal server error.")
    response = _zoom_error(fault.status, fault.code or DEFAULT_FAULT_CODES.get(fault.status), message)
    if fault.retry_after is not None:
        response.headers["Retry-After"] = fault.retry_after
    return response


def _validation_failed(violations: list[SpecViolation]) -> Response:
    """Zoom's answer to a request that breaks the spec, naming each field and what is wrong."""
    details = "; ".join(f"{violation.field or 'request'}: {violation.message}" for violation in violations)
    errors = [{"field": violation.field, "message": violation.message} for violation in violations]
    return json_response(
        {"code": VALIDATION_FAILED, "message": f"Validation Failed. {details}", "errors": errors}, 400
    )


def _meeting_not_found(meeting_id: int) -> Response:
    return _zoom_error(404, MEETING_NOT_FOUND, f"Meeting {meeting_id} is not found or has expired.")


def _zoom_error(status: int, code: int | None, message: str) -> Response:
    body: dict[str, Any] = {"message": message} if code is None else {"code": code, "message": message}
    return json_response(body, status)


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


def _link_target(request: Request) -> str:
    """The path and query of the link that was opened."""
    return f"{request.path}?{request.query_string.decode()}"


def _base_url(request: Request) -> str:
    return request.host_url.rstrip("/")
