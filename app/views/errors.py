"""Error pages for people, and JSON errors for the API."""

import time

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import limiter

PAGES = {
    400: (lazy_gettext("Something went wrong"),
          lazy_gettext("Something in that request was not right. Please go back and try again.")),
    403: (lazy_gettext("No access"), lazy_gettext("You do not have access to this page.")),
    404: (lazy_gettext("Page not found"),
          lazy_gettext("We could not find that page. The link may be old or mistyped.")),
    405: (lazy_gettext("Not possible here"), lazy_gettext("That action is not possible on this page.")),
    413: (lazy_gettext("Too much at once"), lazy_gettext("That was more than we can accept at once.")),
    429: (lazy_gettext("Please wait a moment"),
          lazy_gettext("Too many attempts in a short time. Please wait a minute and try again.")),
    500: (lazy_gettext("Something went wrong"),
          lazy_gettext("Something went wrong on our side. Nothing you entered was lost; please try again.")),
}  # fmt: skip


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(Exception, _handle_unexpected_error)


def _handle_http_error(error: HTTPException):
    status = error.code or 500
    title, message = (str(text) for text in PAGES.get(status, (error.name, error.description)))
    if _wants_json():
        response = make_response(jsonify(error=error.name, message=message), status)
    else:
        response = make_response(
            render_template("error.html", status=status, title=title, message=message), status
        )
    if status == 429:
        response.headers["Retry-After"] = str(_seconds_until_allowed())
    return response


def _seconds_until_allowed() -> int:
    """When the rate limit this request broke lets the next one through, in whole seconds (at least 1)."""
    breached = limiter.current_limit
    return max(int(breached.reset_at - time.time()), 1) if breached else 60


def _handle_unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return _handle_http_error(error)
    # The path of a signed link holds its token: app.logs redacts it, as it does in every log record.
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return _handle_http_error(InternalServerError())


def _wants_json() -> bool:
    return (
        request.path.startswith(("/api/", "/webhooks/"))
        or request.accept_mimetypes.best == "application/json"
    )
