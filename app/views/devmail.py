"""`/dev/mail`: the messages the development mail catcher received, and beside them the texts the local SMS
emulator holds (with a link to its phone page, to reply as a person would). Registered only outside
production.

Caught mail holds every registrant's signed links, so it is for the person at this machine only: a request
from another machine, or one whose Host is not this machine's own name (a web page elsewhere whose name was
made to point at 127.0.0.1, "DNS rebinding"), finds nothing here.
"""

from __future__ import annotations

import ipaddress
from email.message import EmailMessage
from urllib.parse import urlsplit

import requests
from flask import Blueprint, Response, abort, current_app, render_template, request

from emails.catcher import calendar_part, list_messages, read_message
from integrations.sms.emulator_control import EmulatorControl

blueprint = Blueprint("devmail", __name__, url_prefix="/dev/mail")
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
EMULATOR_TIMEOUT = 2.0  # rather the page without its texts than waiting on an emulator that is not there


@blueprint.before_request
def only_from_this_machine():
    if not (_is_loopback(request.remote_addr) and urlsplit(f"//{request.host}").hostname in LOCAL_NAMES):
        abort(404)


def _is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def _directory():
    return current_app.config["SETTINGS"].mail_catcher_dir


def _message(message_id: str) -> EmailMessage:
    try:
        return read_message(_directory(), message_id)
    except KeyError:
        abort(404)


@blueprint.get("/")
def inbox():
    directory = _directory()
    messages = list_messages(directory) if directory.exists() else []
    emulator = _sms_emulator()
    texts = _emulator_texts(emulator) if emulator else None
    return render_template(
        "devmail/inbox.html",
        messages=reversed(messages),
        texts=reversed(texts) if texts is not None else None,
        phone_url=f"{emulator.url}/phone" if emulator else None,
    )


def _sms_emulator() -> EmulatorControl | None:
    """The local SMS emulator the app texts through, if it texts through one."""
    twilio = current_app.config["SETTINGS"].twilio
    if twilio is None or not twilio.uses_emulator:
        return None
    control = EmulatorControl(twilio.api_base_url)
    control.timeout = EMULATOR_TIMEOUT
    return control


def _emulator_texts(emulator: EmulatorControl) -> list[dict] | None:
    """Every text the emulator holds, sent and received, oldest first; None when it does not answer."""
    try:
        return emulator.messages()
    except (requests.RequestException, ValueError):
        return None


@blueprint.get("/<message_id>")
def show(message_id: str):
    message = _message(message_id)
    text = message.get_body(preferencelist=("plain",))
    return render_template(
        "devmail/message.html",
        message_id=message_id,
        message=message,
        text=text.get_content() if text else "",
        has_invite=calendar_part(message) is not None,
    )


@blueprint.get("/<message_id>/html")
def html(message_id: str):
    body = _message(message_id).get_body(preferencelist=("html",))
    if body is None:
        abort(404)
    response = Response(body.get_content(), mimetype="text/html")
    # The email's HTML is shown as the recipient would see it, but may not run script or reach our pages.
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    )
    return response


@blueprint.get("/<message_id>/invite.ics")
def invite(message_id: str):
    data = calendar_part(_message(message_id))
    if data is None:
        abort(404)
    return Response(
        data, mimetype="text/calendar", headers={"Content-Disposition": "attachment; filename=invite.ics"}
    )
