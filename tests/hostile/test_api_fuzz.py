"""Fuzzing the JSON API against its own OpenAPI description: no 5xx, and every answer matches its schema.

Schemathesis's pytest plugin does not yet follow pytest 9, so its Python API feeds Hypothesis directly.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.api.openapi import build_openapi

from .conftest import SLUG

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
OPERATIONS = {
    operation["operationId"]: "requestBody" in operation
    for path in build_openapi()["paths"].values()
    for operation in path.values()
}
# Invalid input needs a body: any string is a well-formed slug, so a bad one is just a 404.
RUNS = [(name, GenerationMode.POSITIVE) for name in OPERATIONS]
RUNS += [(name, GenerationMode.NEGATIVE) for name, takes_input in OPERATIONS.items() if takes_input]


def test_every_operation_is_fuzzed():
    assert set(OPERATIONS) == {"getOpenAPI", "getProgram", "createRegistration"}


@pytest.mark.parametrize(("operation_id", "mode"), RUNS, ids=[f"{name}-{mode.value}" for name, mode in RUNS])
def test_api_answers_within_its_description(app, operation_id, mode):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operation = schema.find_operation_by_id(operation_id)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=50,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def answers_within_description(case):
        case.call_and_validate(checks=CHECKS)
        if (case.path_parameters or {}).get("slug", SLUG) != SLUG:
            # A made-up slug only reaches the 404; the real one lets the generated body reach the validator.
            case.path_parameters["slug"] = SLUG
            case.call_and_validate(checks=CHECKS)

    answers_within_description()
