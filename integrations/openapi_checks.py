"""Checking HTTP requests and answers against a provider's published OpenAPI description.

Shared by the Zoom and Twilio specs (each package's `spec` module loads its own description).
"""

from dataclasses import dataclass

from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.wrappers import Request, Response


@dataclass(frozen=True)
class SpecViolation:
    """One way a request or answer breaks the spec: the dotted `field` ("" for the whole) and why."""

    field: str
    message: str


def request_violations(openapi: OpenAPI, request: Request) -> list[SpecViolation]:
    """How `request` breaks the spec `openapi`; empty when it conforms."""
    return [
        violation
        for error in openapi.iter_request_errors(WerkzeugOpenAPIRequest(request))
        for violation in _violations(error)
    ]


def response_violations(openapi: OpenAPI, request: Request, response: Response) -> list[SpecViolation]:
    """How `response`, the answer to `request`, breaks the spec `openapi`; empty when it conforms."""
    return [
        violation
        for error in openapi.iter_response_errors(
            WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)
        )
        for violation in _violations(error)
    ]


def _violations(error: Exception) -> list[SpecViolation]:
    """One violation per schema error under `error`, or one for `error` itself."""
    cause = error.__cause__
    parameter = getattr(error, "name", "")  # parameter errors name their parameter
    schema_errors = getattr(cause, "schema_errors", None) or []
    if not schema_errors:
        detail = str(error)
        if cause is not None and str(cause) not in detail:
            detail = f"{detail}: {cause}"
        return [SpecViolation(parameter, detail)]
    return [
        SpecViolation(".".join([parameter, *map(str, schema_error.path)]).strip("."), schema_error.message)
        for schema_error in schema_errors
    ]
