"""Error pages for people, and JSON errors for the API."""

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: "Something in that request was not right. Please go back and try again.",
    403: "You do not have access to this page.",
    404: "We could not find that page. The link may be old or mistyped.",
    405: "That action is not possible on this page.",
    413: "That was more than we can accept at once.",
    429: "Too many attempts in a short time. Please wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you entered was lost; please try again shortly.",
}


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(Exception, _handle_unexpected_error)


def _handle_http_error(error: HTTPException):
    status = error.code or 500
    message = MESSAGES.get(status, error.description)
    if _wants_json():
        return jsonify(error=error.name, message=message), status
    return render_template("error.html", status=status, title=error.name, message=message), status


def _handle_unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return _handle_http_error(error)
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return _handle_http_error(InternalServerError())


def _wants_json() -> bool:
    return (
        request.path.startswith(("/api/", "/webhooks/"))
        or request.accept_mimetypes.best == "application/json"
    )
