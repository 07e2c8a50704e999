"""Zoom's published OpenAPI description, made loadable, and request validation against it.

The JSON file next to this module is Zoom's download, unchanged, shipped as package data. Its
quirks are fixed in memory only (see NOTES.md in the shared Zoom folder): upper-case `style`/`in`
values, path parameters not marked required, and `extensions` keys that strict validators refuse.
"""

import json
from functools import cache
from importlib.resources import files
from typing import Any

from openapi_core import Config, OpenAPI
from werkzeug.wrappers import Request, Response

from integrations import openapi_checks
from integrations.openapi_checks import SpecViolation

SPEC_RESOURCE = files(__name__) / "ZoomMeetingAPISpec.json"

__all__ = ["SpecViolation", "load_spec_dict", "openapi", "request_violations", "response_violations"]

# Only the operations we call; the other ~190 paths would only slow loading down.
USED_PATHS = (
    "/users/{userId}/meetings",
    "/users/{userId}/settings",
    "/meetings/{meetingId}",
    "/meetings/{meetingId}/registrants",
    "/meetings/{meetingId}/registrants/status",
)


def load_spec_dict() -> dict[str, Any]:
    """The spec limited to the paths we use, with its quirks normalised."""
    spec = json.loads(SPEC_RESOURCE.read_text(encoding="utf-8"))
    spec["paths"] = {path: spec["paths"][path] for path in USED_PATHS}
    _keep_user_settings_alternative(spec["paths"]["/users/{userId}/settings"]["patch"])
    _normalise(spec)
    # A relative server too, so requests to any host (the emulator) match under /v2.
    spec["servers"] = [*spec["servers"], {"url": "/v2"}]
    return spec


@cache
def openapi() -> OpenAPI:
    """The validator for Zoom API requests, built once per process."""
    # The published file does not pass openapi-core's own spec check; the normalised parts we use
    # are sound, so that check is skipped.
    return OpenAPI.from_dict(load_spec_dict(), config=Config(spec_validator_cls=None))


def request_violations(request: Request) -> list[SpecViolation]:
    """How an HTTP request to Zoom's API (path under /v2) breaks the spec; empty when it conforms."""
    return openapi_checks.request_violations(openapi(), request)


def response_violations(request: Request, response: Response) -> list[SpecViolation]:
    """How Zoom's answer to `request` (the emulator's, in tests) breaks the spec; empty when it conforms."""
    return openapi_checks.response_violations(openapi(), request, response)


def _normalise(node: Any, *, in_properties: bool = False) -> None:
    """Fix the published quirks in place. Keys under `properties` are field names, left untouched."""
    if isinstance(node, list):
        for item in node:
            _normalise(item)
        return
    if not isinstance(node, dict):
        return
    if not in_properties:
        node.pop("extensions", None)
        for key in ("style", "in"):
            if isinstance(node.get(key), str):
                node[key] = node[key].lower()
        if node.get("in") == "path":
            node["required"] = True
        if "security" in node:
            node["security"] = _without_oauth(node["security"])
    for key, value in node.items():
        _normalise(value, in_properties=(key == "properties" and not in_properties))


def _keep_user_settings_alternative(operation: dict[str, Any]) -> None:
    """The settings update's body is `oneOf` three objects none of which requires a field, so every body is
    valid under more than one and no body passes; the "User settings" one, which holds `in_meeting`, stays."""
    content = operation["requestBody"]["content"]["application/json"]
    content["schema"] = next(
        schema for schema in content["schema"]["oneOf"] if schema.get("title") == "User settings"
    )


def _without_oauth(requirements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # openapi-core cannot check oauth2 schemes (it warns on each request); the bearer token itself is
    # checked by whoever serves the API, so only the Authorization header requirement is kept.
    return [{name: scopes for name, scopes in req.items() if name != "openapi_oauth"} for req in requirements]
