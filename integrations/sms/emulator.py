"""A local stand-in for the part of Twilio we use — sending texts, and people's replies — for development
and tests.

A WSGI app on werkzeug. It checks HTTP Basic auth (401, code 20003), validates every API request against
Twilio's published spec, refuses what Twilio refuses — a missing or malformed `To` (21604, 21211),
`Body` (21602, 21617), sender (21603, 21212, 21606) or `StatusCallback` (21609), a recipient who replied
STOP (21610) — and, stricter than Twilio, any parameter the spec does not know (20001: Twilio ignores
them, so a misspelt one would go unnoticed). Twilio's magic test numbers answer as with test
credentials: +15005550001 (21211), +15005550002 (21612), +15005550003 (21408), +15005550004 (21610),
+15005550009 (21614).

Each sending number (or Messaging Service) may send `sender_rate` texts a second (default 1, a US long
code's pace; 0: no limit): a faster send is answered 429, code 20429, with a Retry-After in seconds. Real
Twilio queues such texts instead; the emulator refuses them so that a sender which bursts is noticed.

A text is answered 201 with status `queued` and `num_segments` as a phone counts them (segments.py;
"0" through a Messaging Service, as Twilio says until it picks a sender), then goes queued → sent →
delivered, each step posted to its `StatusCallback`, signed with the auth token. With `auto_deliver`
(the default) the steps follow by themselves, `delivery_delay` seconds apart; without, each waits for
`POST /_emulator/messages/{sid}/advance`.

People's texts: `POST /_emulator/replies` (or the form on `/phone`, a page listing every conversation)
makes a text from a number reach ours; it is posted, signed, to `inbound_url` (the number's "a message
comes in" webhook), and the `<Message>` replies of the TwiML answer are kept as texts back. As Twilio's
default opt-out handling does, a text that is exactly STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT,
REVOKE or OPTOUT blocks further texts to that number (21610) and START, YES or UNSTOP lifts the block;
each of those, and HELP or INFO, gets Twilio's standard answer. Opt-outs are kept per person's number
(Twilio keeps them per pair of numbers, or per Messaging Service: the same with one sender).

Control API, JSON, for tests in this or another process:

- `GET  /_emulator/requests`: counters (`api_requests`, `messages_created`, `messages_received`,
  `status_callbacks`), `log` (every API call answered, as `{"method", "path", "status"}`) and `opted_out`.
- `GET  /_emulator/messages`: every text, sent and received, in order, each with its `status_callback`
  and the `reports` posted (`{"status", "receiver_status"}`).
- `POST /_emulator/reset`: forget texts, opt-outs, pace, counters and faults; settings stay.
- `POST /_emulator/faults` `{"count": 1, "status": 429|500|503|..., "retry_after": "2", "code": ...,
  "message": ..., "delay": 1.5}`: the next `count` API calls answer `status` without doing anything, or
  are carried out but answered `delay` seconds late (a lost answer, for client timeouts).
- `POST /_emulator/settings` `{"sender_rate": 1, "inbound_url": "http://...", "auto_deliver": true,
  "delivery_delay": 0.5}`: answers the settings in force.
- `POST /_emulator/replies` `{"from": "+15551234567", "body": "STOP", "to": <one of our numbers, default
  the first>}`: answers `{"message": <the text>, "status": <receiver's status or null>, "replies": [...]}`.
- `POST /_emulator/messages/{sid}/advance` `{"status": "undelivered", "error_code": 30003}` (both
  optional: the next step by default): answers `{"status", "receiver_status"}`, or 409 with nothing left.
"""

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from integrations import emulator_server
from integrations.emulator_faults import Fault
from integrations.emulator_server import json_response, same_secret
from integrations.sms import emulator_delivery, emulator_pages, errors
from integrations.sms.client import utc_now
from integrations.sms.emulator_state import EmulatorState, UnknownMessage
from integrations.sms.keywords import ReplyKind, twilio_keyword
from integrations.sms.models import is_e164
from integrations.sms.segments import MAX_BODY_LENGTH
from integrations.sms.spec import SpecViolation, create_message_fields, request_violations

DEFAULT_FROM_NUMBER = "+15005550006"  # Twilio's magic "valid sender" for test credentials
MAX_CALLBACK_URL_LENGTH = 4000
DELIVERY_FAILED = 30003  # "unreachable destination handset", when a failure is asked without a code

# Twilio's magic test numbers, as `To`, and the error each is answered with.
MAGIC_RECIPIENTS = {
    "+15005550001": errors.INVALID_TO_NUMBER,
    "+15005550002": errors.UNREACHABLE_NUMBER,
    "+15005550003": errors.REGION_NOT_ENABLED,
    "+15005550004": errors.OPTED_OUT,
    "+15005550009": errors.NOT_A_MOBILE_NUMBER,
}
# Twilio's standard answers to its keywords.
KEYWORD_ANSWERS = {
    ReplyKind.OPT_OUT: "You have successfully been unsubscribed. You will not receive any more messages "
    "from this number. Reply START to resubscribe.",
    ReplyKind.OPT_IN: "You have successfully been re-subscribed to messages from this number. Reply HELP "
    "for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
    ReplyKind.HELP: "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
}
ERROR_MESSAGES = {
    errors.AUTHENTICATION_FAILED: "Authenticate",
    errors.TOO_MANY_REQUESTS: "Too Many Requests",
    errors.INTERNAL_SERVER_ERROR: "Internal Server Error",
    errors.SERVICE_UNAVAILABLE: "Service Unavailable",
    errors.TO_REQUIRED: "A 'To' phone number is required.",
    errors.BODY_REQUIRED: "Message body is required.",
    errors.FROM_REQUIRED: "A 'From' phone number is required.",
    errors.BODY_TOO_LONG: "The concatenated message body exceeds the 1600 character limit.",
    errors.INVALID_TO_NUMBER: "The 'To' number {to} is not a valid phone number.",
    errors.INVALID_FROM_NUMBER: "The 'From' number {sender} is not a valid phone number, shortcode, "
    "or alphanumeric sender ID.",
    errors.FROM_NOT_OURS: "The 'From' phone number provided ({sender}) is not a valid message-capable "
    "Twilio phone number for this destination/account.",
    errors.INVALID_STATUS_CALLBACK: "The StatusCallback URL {callback} is not a valid URL.",
    errors.OPTED_OUT: "Attempt to send to unsubscribed recipient",
    errors.UNREACHABLE_NUMBER: "The 'To' phone number: {to}, is not currently reachable using the "
    "'From' phone number: {sender} via SMS.",
    errors.REGION_NOT_ENABLED: "Permission to send an SMS has not been enabled for the region "
    "indicated by the 'To' number: {to}.",
    errors.NOT_A_MOBILE_NUMBER: "'To' number is not a valid mobile number",
}
UNKNOWN_PARAMETER = 20001
BAD_REQUEST = 70002
DEFAULT_FAULT_CODES = {401: errors.AUTHENTICATION_FAILED, 429: errors.TOO_MANY_REQUESTS}

_API = "/2010-04-01/Accounts/<account_sid>"
_URL_MAP = Map(
    [
        Rule(f"{_API}/Messages.json", methods=["POST"], endpoint="create_message"),
        Rule(f"{_API}/Messages.json", methods=["GET"], endpoint="list_messages"),
        Rule(f"{_API}/Messages/<sid>.json", methods=["GET"], endpoint="fetch_message"),
        Rule("/_emulator/requests", methods=["GET"], endpoint="show_requests"),
        Rule("/_emulator/messages", methods=["GET"], endpoint="show_messages"),
        Rule("/_emulator/reset", methods=["POST"], endpoint="reset"),
        Rule("/_emulator/faults", methods=["POST"], endpoint="add_fault"),
        Rule("/_emulator/settings", methods=["POST"], endpoint="change_settings"),
        Rule("/_emulator/replies", methods=["POST"], endpoint="receive_reply"),
        Rule("/_emulator/messages/<sid>/advance", methods=["POST"], endpoint="advance_message"),
        Rule("/phone", methods=["GET"], endpoint="phone_page"),
        Rule("/phone", methods=["POST"], endpoint="phone_reply"),
    ]
)


@dataclass(frozen=True)
class EmulatorConfig:
    """The account the emulator stands for, its numbers, and how it behaves."""

    account_sid: str
    auth_token: str = field(repr=False)
    from_numbers: tuple[str, ...] = (DEFAULT_FROM_NUMBER,)
    messaging_service_sids: tuple[str, ...] = ()
    inbound_url: str | None = None
    sender_rate: float = 1.0
    auto_deliver: bool = True
    delivery_delay: float = 0.5


class Refusal(Exception):
    """An API call answered with a Twilio error."""

    def __init__(self, status: int, code: int | None, message: str, retry_after: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


class SmsEmulator(emulator_server.ControlCalls):
    """The emulator as a WSGI application; `state` holds what it remembers."""

    def __init__(self, config: EmulatorConfig, *, clock: Callable[[], datetime] = utc_now):
        self.config = config
        settings = {
            "sender_rate": config.sender_rate,
            "inbound_url": config.inbound_url,
            "auto_deliver": config.auto_deliver,
            "delivery_delay": config.delivery_delay,
        }
        self.state = EmulatorState(clock, config.account_sid, settings)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            endpoint, values = _URL_MAP.bind_to_environ(environ).match()
            handler = getattr(self, f"_{endpoint}")
            if request.path.startswith("/2010-04-01/"):
                response = self._answer_api_call(request, handler, values)
            else:
                response = handler(request, **values)
        except HTTPException as exc:
            code = errors.NOT_FOUND if exc.code == 404 else None
            response = _twilio_error(exc.code or 500, code, exc.description or exc.name)
        return response(environ, start_response)

    def _answer_api_call(self, request: Request, handler: Callable[..., Response], values: dict) -> Response:
        """Faults first, then the credentials, then the spec, then the operation itself."""
        request.get_data()  # kept, so that the spec check reads the body the form was parsed from
        fault = self.state.take_fault()
        try:
            if fault is not None and fault.status is not None:
                raise _fault_refusal(fault)
            self._check_credentials(request, values["account_sid"])
            response = handler(request, **values)
        except Refusal as refusal:
            response = _twilio_error(refusal.status, refusal.code, refusal.message)
            if refusal.retry_after is not None:
                response.headers["Retry-After"] = refusal.retry_after
        self.state.record({"method": request.method, "path": request.path, "status": response.status_code})
        if fault is not None and fault.delay:
            time.sleep(fault.delay)  # the work is done; only the answer is late
        return response

    def _check_credentials(self, request: Request, account_sid: str) -> None:
        auth = request.authorization
        if (
            auth is None
            or auth.type != "basic"
            or not same_secret(auth.username, self.config.account_sid)
            or not same_secret(auth.password, self.config.auth_token)
        ):
            raise Refusal(401, errors.AUTHENTICATION_FAILED, ERROR_MESSAGES[errors.AUTHENTICATION_FAILED])
        if account_sid != self.config.account_sid:
            raise Refusal(404, errors.NOT_FOUND, f"The requested resource {request.path} was not found")

    # Messages API

    def _create_message(self, request: Request, account_sid: str) -> Response:
        form = request.form
        to, body = form.get("To"), form.get("Body")
        sender, service_sid = form.get("From"), form.get("MessagingServiceSid")
        callback = form.get("StatusCallback")
        self._check_fields(form, to, body, sender, service_sid, callback)
        assert to is not None and body is not None
        if violations := request_violations(request):
            raise _spec_refusal(violations)
        if sender and sender not in self.config.from_numbers:
            raise _refusal(400, errors.FROM_NOT_OURS, sender=sender)
        if service_sid and service_sid not in self.config.messaging_service_sids:
            raise Refusal(404, errors.NOT_FOUND, f"The Messaging Service {service_sid} was not found")
        if to in MAGIC_RECIPIENTS:
            raise _refusal(400, MAGIC_RECIPIENTS[to], to=to, sender=sender)
        if self.state.is_opted_out(to):
            raise _refusal(400, errors.OPTED_OUT)
        wait = self.state.take_send_slot(sender or service_sid or "")
        if wait is not None:
            raise Refusal(429, errors.TOO_MANY_REQUESTS, ERROR_MESSAGES[errors.TOO_MANY_REQUESTS], str(wait))
        message = self.state.create_message(
            to=to, body=body, sender=sender, service_sid=service_sid, status_callback=callback
        )
        if self.state.settings["auto_deliver"]:
            self._deliver_later(message["sid"])
        return json_response(message, 201)

    def _check_fields(
        self,
        form: MultiDict[str, str],
        to: str | None,
        body: str | None,
        sender: str | None,
        service_sid: str | None,
        callback: str | None,
    ) -> None:
        """Twilio's own checks of a new text, each with its error code, before the spec's."""
        if not to:
            raise _refusal(400, errors.TO_REQUIRED)
        if not body:
            raise _refusal(400, errors.BODY_REQUIRED)
        if len(body) > MAX_BODY_LENGTH:
            raise _refusal(400, errors.BODY_TOO_LONG)
        if not sender and not service_sid:
            raise _refusal(400, errors.FROM_REQUIRED)
        if not is_e164(to):
            raise _refusal(400, errors.INVALID_TO_NUMBER, to=to)
        if sender and not is_e164(sender):
            raise _refusal(400, errors.INVALID_FROM_NUMBER, sender=sender)
        if callback is not None and not _is_callback_url(callback):
            raise _refusal(400, errors.INVALID_STATUS_CALLBACK, callback=callback)
        unknown = sorted(set(form) - create_message_fields())
        if unknown:
            raise Refusal(
                400,
                UNKNOWN_PARAMETER,
                f"Unknown parameters: {', '.join(unknown)}. Twilio ignores them; the emulator refuses "
                "them, since a misspelt parameter would otherwise go unnoticed.",
            )

    def _list_messages(self, request: Request, account_sid: str) -> Response:
        if violations := request_violations(request):
            raise _spec_refusal(violations)
        messages = self.state.list_messages(to=request.args.get("To"), from_=request.args.get("From"))
        page_size = int(request.args.get("PageSize", 50))
        start = int(request.args.get("PageToken") or 0)
        page = start // page_size
        end = start + page_size
        filters = {key: request.args[key] for key in ("To", "From") if key in request.args}

        def page_uri(token: int) -> str:
            query = urlencode(
                {**filters, "PageSize": page_size, "Page": token // page_size, "PageToken": token}
            )
            return f"{request.path}?{query}"

        return json_response(
            {
                "messages": messages[start:end],
                "end": min(end, len(messages)) - 1 if messages[start:end] else start,
                "first_page_uri": page_uri(0),
                "next_page_uri": page_uri(end) if end < len(messages) else None,
                "page": page,
                "page_size": page_size,
                "previous_page_uri": page_uri(max(start - page_size, 0)) if start else None,
                "start": start,
                "uri": f"{request.path}?{request.query_string.decode()}",
            }
        )

    def _fetch_message(self, request: Request, account_sid: str, sid: str) -> Response:
        if violations := request_violations(request):
            raise _spec_refusal(violations)
        try:
            return json_response(self.state.get_message(sid))
        except UnknownMessage:
            raise Refusal(
                404, errors.NOT_FOUND, f"The requested resource {request.path} was not found"
            ) from None

    # Delivery reports

    def _deliver_later(self, sid: str) -> None:
        """Walk the text through its statuses in the background, `delivery_delay` seconds apart."""

        def walk() -> None:
            while True:
                time.sleep(float(self.state.settings["delivery_delay"]))
                try:
                    if self._advance(sid) is None:
                        return
                except UnknownMessage:  # forgotten by a reset meanwhile
                    return

        threading.Thread(target=walk, name=f"sms-delivery-{sid}", daemon=True).start()

    def _advance(
        self, sid: str, status: str | None = None, error_code: int | None = None
    ) -> dict[str, Any] | None:
        """Move the text on one status and post its report; what was reported, or None at the end."""
        message = self.state.advance(sid, status, error_code)
        if message is None:
            return None
        receiver_status = None
        if message["status_callback"]:
            params = emulator_delivery.status_report_params(message)
            receiver_status = emulator_delivery.deliver(
                message["status_callback"], self.config.auth_token, params
            ).status
        self.state.note_report(sid, message["status"], receiver_status)
        return {"status": message["status"], "receiver_status": receiver_status}

    # People's texts

    def _receive(self, from_: str, body: str, to: str | None) -> dict[str, Any]:
        """A text from `from_` reaches our number `to`: Twilio's keyword handling, then the webhook."""
        to = to or self.config.from_numbers[0]
        message = self.state.add_received(from_=from_, to=to, body=body)
        keyword = twilio_keyword(body)
        if keyword in (ReplyKind.OPT_OUT, ReplyKind.OPT_IN):
            self.state.set_opted_out(from_, keyword is ReplyKind.OPT_OUT)
        if keyword is not None:
            self.state.add_reply(to=from_, from_=to, body=KEYWORD_ANSWERS[keyword])
        url = self.state.settings["inbound_url"]
        if not url:
            return {"message": message, "status": None, "replies": [], "twiml_error": None}
        self.state.count("inbound_webhooks")
        delivery = emulator_delivery.deliver(
            url, self.config.auth_token, emulator_delivery.incoming_params(message), read_twiml=True
        )
        # Twilio sends no reply of the webhook's to someone who has just opted out.
        replies = () if self.state.is_opted_out(from_) else delivery.replies
        for reply in replies:
            self.state.add_reply(to=from_, from_=to, body=reply)
        return {
            "message": message,
            "status": delivery.status,
            "replies": list(replies),
            "twiml_error": delivery.twiml_error,
        }

    # Control API

    def _show_messages(self, request: Request) -> Response:
        return json_response(self.state.everything())

    def _receive_reply(self, request: Request) -> Response:
        spec = request.get_json()
        if not is_e164(str(spec.get("from", ""))) or not isinstance(spec.get("body"), str):
            return json_response({"message": "give `from` (E.164) and `body`"}, 400)
        return json_response(self._receive(spec["from"], spec["body"], spec.get("to")))

    def _advance_message(self, request: Request, sid: str) -> Response:
        spec = request.get_json(silent=True) or {}
        status = spec.get("status")
        error_code = spec.get("error_code")
        if status in ("undelivered", "failed") and error_code is None:
            error_code = DELIVERY_FAILED
        try:
            reported = self._advance(sid, status, error_code)
        except UnknownMessage:
            return json_response({"message": f"no message {sid}"}, 404)
        if reported is None:
            return json_response({"message": "the message has no status left to report"}, 409)
        return json_response(reported)

    # The phone page

    def _phone_page(self, request: Request) -> Response:
        return emulator_pages.phone_page(self.state.everything(), self.config.from_numbers)

    def _phone_reply(self, request: Request) -> Response:
        number, body = request.form.get("from", "").strip(), request.form.get("body", "")
        if not is_e164(number) or not body:
            return emulator_pages.phone_page(
                self.state.everything(),
                self.config.from_numbers,
                problem="Give a number in E.164 and a text.",
            )
        self._receive(number, body, None)
        return redirect("/phone", code=303)


#: An emulator serving in a background thread (`url` is the API base URL for the client).
RunningEmulator = emulator_server.RunningEmulator[SmsEmulator]


def serve(host: str, port: int, config: EmulatorConfig) -> None:
    """Serve the emulator on host:port until interrupted."""
    emulator_server.serve_forever(host, port, SmsEmulator(config))


def start_in_thread(
    config: EmulatorConfig,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> RunningEmulator:
    """Start the emulator in a daemon thread; port 0 picks a free port. Stop it with `.stop()`."""
    return emulator_server.serve_in_thread(SmsEmulator(config, clock=clock), host, port, "sms-emulator")


def _refusal(status: int, code: int, **values: str | None) -> Refusal:
    return Refusal(
        status, code, ERROR_MESSAGES[code].format(**{"to": "", "sender": "", "callback": "", **values})
    )


def _fault_refusal(fault: Fault) -> Refusal:
    assert fault.status is not None
    code = fault.code or DEFAULT_FAULT_CODES.get(fault.status) or (20000 + fault.status)
    message = fault.message or ERROR_MESSAGES.get(code, "Fault")
    return Refusal(fault.status, code, message, fault.retry_after)


def _spec_refusal(violations: list[SpecViolation]) -> Refusal:
    details = "; ".join(f"{violation.field or 'request'}: {violation.message}" for violation in violations)
    return Refusal(400, BAD_REQUEST, f"The request does not match Twilio's API description. {details}")


def _is_callback_url(url: str) -> bool:
    """A full http(s) URL with a host name without underscores, as Twilio wants a StatusCallback."""
    if len(url) > MAX_CALLBACK_URL_LENGTH:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "_" not in (parts.hostname or "_")


def _twilio_error(status: int, code: int | None, message: str) -> Response:
    body: dict[str, Any] = {"code": code, "message": message, "status": status}
    if code is not None:
        body["more_info"] = f"https://www.twilio.com/docs/errors/{code}"
    return json_response(body, status)
