"""Twilio's published OpenAPI description of its REST API, made loadable, and checks against it.

`twilio_api_v2010.json` next to this module is Twilio's file, unchanged, shipped as package data with
its licence (`LICENSE`; `SOURCE.md` says where it comes from). Only the Messages paths are loaded, and
their per-path `servers` entries are replaced by a relative one, so that requests to any host (the
emulator) match.
"""

import json
from functools import cache
from importlib.resources import files
from typing import Any

from openapi_core import Config, OpenAPI
from werkzeug.wrappers import Request, Response

from integrations import openapi_checks
from integrations.openapi_checks import SpecViolation

__all__ = [
    "MESSAGES_PATH",
    "SpecViolation",
    "create_message_fields",
    "load_spec_dict",
    "openapi",
    "request_violations",
    "response_violations",
]

SPEC_RESOURCE = files(__name__) / "twilio_api_v2010.json"
MESSAGES_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
MESSAGE_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json"
# Only the operations we call; the other paths would only slow loading down.
USED_PATHS = (MESSAGES_PATH, MESSAGE_PATH)


def load_spec_dict() -> dict[str, Any]:
    """The spec limited to the paths we use, served from any host."""
    spec = json.loads(SPEC_RESOURCE.read_text(encoding="utf-8"))
    spec["paths"] = {path: spec["paths"][path] for path in USED_PATHS}
    for path_item in spec["paths"].values():
        path_item.pop("servers", None)
    spec["servers"] = [{"url": "/"}]
    return spec


@cache
def openapi() -> OpenAPI:
    """The validator for Twilio API requests and answers, built once per process."""
    # The published file does not pass openapi-core's own spec check as a whole; the parts we use are
    # sound, so that check is skipped.
    return OpenAPI.from_dict(load_spec_dict(), config=Config(spec_validator_cls=None))


@cache
def create_message_fields() -> frozenset[str]:
    """The form fields the spec lists for creating a message (To, Body, From, StatusCallback…)."""
    operation = load_spec_dict()["paths"][MESSAGES_PATH]["post"]
    schema = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    return frozenset(schema["properties"])


def request_violations(request: Request) -> list[SpecViolation]:
    """How an HTTP request to Twilio's Messages API breaks the spec; empty when it conforms."""
    return openapi_checks.request_violations(openapi(), request)


def response_violations(request: Request, response: Response) -> list[SpecViolation]:
    """How an answer of the Messages API to `request` breaks the spec; empty when it conforms."""
    return openapi_checks.response_violations(openapi(), request, response)
