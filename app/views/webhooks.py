"""`POST /webhooks/zoom`: Zoom's event notifications, accepted only with a valid, fresh signature."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from app import database
from app.database import utcnow
from app.extensions import csrf, limiter
from app.services.attendance import HANDLERS, record_zoom_event
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
