"""Checking an answer a provider's emulator gave over HTTP against the provider's published spec."""

from collections.abc import Callable
from urllib.parse import urlsplit

import requests
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from integrations.openapi_checks import SpecViolation

Check = Callable[[Request, Response], list[SpecViolation]]


def answer_violations(check: Check, response: requests.Response, *, body: bytes | None = None) -> list:
    """How an answer breaks the spec, checked by openapi-core (through `check`, a spec module's
    `response_violations`) against the request that was sent; `body` stands in for the answer's own."""
    sent = response.request
    url = urlsplit(sent.url)
    environ = EnvironBuilder(
        method=sent.method, path=url.path, query_string=url.query, headers=dict(sent.headers), data=sent.body
    ).get_environ()
    answer = Response(
        response.content if body is None else body,
        status=response.status_code,
        content_type=response.headers["Content-Type"],
    )
    return check(Request(environ), answer)
