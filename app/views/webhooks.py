"""`POST /webhooks/zoom`: Zoom's event notifications, accepted only with a valid, fresh signature.

`POST /webhooks/sms`: Twilio's delivery reports and the texts people send us, accepted only when signed
with our auth token for the address Twilio was given (BASE_URL and the path, whatever address the request
reached us at behind a proxy); answered with TwiML. Without Twilio settings there is no such address.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, request

from app import database
from app.database import utcnow
from app.extensions import csrf, limiter
from app.services.attendance import HANDLERS, record_zoom_event
from app.services.text_replies import receive_webhook
from integrations.sms import (
    SIGNATURE_HEADER,
    WebhookPayloadError,
    is_valid_signature,
    parse_webhook,
    twiml_response,
)
from integrations.sms.webhooks import TWIML_CONTENT_TYPE
from integrations.zoom.webhooks import (
    URL_VALIDATION,
    WebhookError,
    WebhookSignatureError,
    parse_event,
    url_validation_response,
    verify_signature,
)

blueprint = Blueprint("webhooks", __name__)
MAX_BODY_BYTES = 64 * 1024


@blueprint.post("/webhooks/zoom")
@csrf.exempt
@limiter.exempt
def zoom_events():
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY_BYTES:
        return jsonify(error="body too large"), 413
    secret = current_app.config["SETTINGS"].zoom_webhook_secret_token
    try:
        verify_signature(
            secret, request.headers.get("x-zm-request-timestamp"), raw, request.headers.get("x-zm-signature"),
            now=utcnow(),
        )  # fmt: skip
        event = parse_event(raw)
    except WebhookSignatureError as error:
        current_app.logger.warning("refused a Zoom webhook: %s", error)
        return jsonify(error="invalid signature"), 401
    except WebhookError as error:
        return jsonify(error=str(error)), 400
    if event.event == URL_VALIDATION:
        return jsonify(url_validation_response(secret, event.plain_token))
    if event.event in HANDLERS:
        session = database.session()
        record_zoom_event(session, event, raw)
        session.commit()
    return "", 204


@blueprint.post("/webhooks/sms")
@csrf.exempt
@limiter.exempt
def sms_events():
    settings = current_app.config["SETTINGS"]
    if settings.twilio is None:
        abort(404)
    request.max_content_length = MAX_BODY_BYTES  # reading a longer form answers 413
    params = request.form
    signature = request.headers.get(SIGNATURE_HEADER)
    if not is_valid_signature(settings.twilio.auth_token, _public_url(settings.base_url), params, signature):
        current_app.logger.warning("refused a Twilio webhook: missing or wrong signature")
        return Response(status=403)
    try:
        if any(
            "\x00" in value for value in params.values()
        ):  # no text of Twilio's has one; no database takes one
            raise WebhookPayloadError("a parameter holds a NUL character")
        payload = parse_webhook(params)
    except WebhookPayloadError as error:
        return jsonify(error=str(error)), 400
    session = database.session()
    replies = receive_webhook(session, payload, now=utcnow())
    session.commit()
    return Response(twiml_response(*replies), mimetype=TWIML_CONTENT_TYPE)


def _public_url(base_url: str) -> str:
    """The address Twilio called, as it signed it: the public BASE_URL, never the host or scheme the request
    shows after a proxy, then the path and query string as they came."""
    query = request.query_string.decode("latin-1")
    return base_url + request.path + (f"?{query}" if query else "")
