"""The JSON API of docs/interfaces.md and its OpenAPI description."""

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder


def test_program_facts_list_conditions_with_ordered_stages(kit):
    facts = kit.client.get("/api/v1/programs/demo").json
    assert facts["registration_open"] is True
    assert facts["languages"] == ["en", "es"] and facts["roles"] == ["patient", "caregiver"]
    cll = next(condition for condition in facts["conditions"] if condition["code"] == "cll")
    assert [stage["code"] for stage in cll["stages"]] == [
        "watch-and-wait",
        "in-treatment",
        "post-treatment",
        "relapsed",
    ]


@pytest.mark.parametrize(
    "request_", [("get", "/api/v1/programs/nope"), ("post", "/api/v1/programs/nope/registrations")]
)
def test_an_unknown_program_is_a_json_404(kit, request_):
    method, path = request_
    response = getattr(kit.client, method)(path, json={})
    assert response.status_code == 404 and response.is_json


def test_registering_needs_no_csrf_token_and_answers_201(kit):
    response = kit.client.post(kit.api, json=kit.body())
    assert response.status_code == 201
    assert response.json["status"] == "pending_verification" and response.json["id"]


def test_the_openapi_description_is_valid_and_covers_every_api_route(kit):
    spec = kit.client.get("/api/openapi.json").json
    validate(spec)
    documented = {(path, method) for path, operations in spec["paths"].items() for method in operations}
    served = {
        (rule.rule.replace("<slug>", "{slug}"), method.lower())
        for rule in kit.app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == documented


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/programs/demo", None),
        ("post", "/api/v1/programs/demo/registrations", "valid"),
        ("post", "/api/v1/programs/demo/registrations", "with a phone"),
        ("post", "/api/v1/programs/demo/registrations", {"email": "x"}),
    ],
)
def test_requests_and_answers_match_the_description(kit, method, path, body):
    openapi = OpenAPI.from_dict(kit.client.get("/api/openapi.json").json)
    bodies = {"valid": kit.body(), "with a phone": kit.body(phone="(201) 555-0123", sms_consent=True)}
    json = bodies[body] if isinstance(body, str) else body
    response = getattr(kit.client, method)(path, json=json)
    # The same request again, unread: the test client has consumed the first one's body.
    request = WerkzeugOpenAPIRequest(
        EnvironBuilder(path=path, method=method.upper(), json=json).get_request()
    )
    if isinstance(body, str):
        assert response.status_code == 201
        openapi.validate_request(request)
    openapi.validate_response(request, WerkzeugOpenAPIResponse(response))


def test_the_description_explains_the_number_and_the_consent_to_texts(kit):
    spec = kit.client.get("/api/openapi.json").json
    fields = spec["components"]["schemas"]["Registration"]["properties"]
    assert fields["phone"]["type"] == ["string", "null"] and "E.164" in fields["phone"]["description"]
    assert fields["sms_consent"]["type"] == "boolean" and "STOP" in fields["sms_consent"]["description"]
    assert {"phone", "sms_consent"}.isdisjoint(spec["components"]["schemas"]["Registration"]["required"])
    facts = spec["components"]["schemas"]["Program"]["properties"]
    assert facts["country"]["pattern"] == "^[A-Z]{2}$" and facts["texts_enabled"]["type"] == "boolean"
