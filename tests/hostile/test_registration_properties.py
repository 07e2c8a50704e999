"""Property tests of registration validation: any JSON-like body ends as a Registration or as InvalidInput
naming fields, never another exception; and valid bodies keep any display name within the limits."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app import database
from app.inputs.fields import InvalidInput
from app.inputs.registration import (
    MAX_DISPLAY_NAME_LENGTH,
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    Registration,
    validate_registration,
)
from app.models import Program
from app.services.registration import list_conditions, program_choices

from .conftest import API, SLUG, valid_body

FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Keys are mostly the real field names, so the values reach each field's own rule.
keys = st.sampled_from(FIELDS) | st.text(max_size=12)


@pytest.fixture
def validate(app):
    """validate_registration with the demo program's choices, as the API calls it, in a request context."""
    with app.test_request_context():
        session = database.session()
        program = session.exec(select(Program).where(Program.slug == SLUG)).one()
        choices = program_choices(program, list_conditions(session, program))

        def run(body):
            return validate_registration(body, choices)

        yield run


def _outcome(validate, body) -> Registration | InvalidInput:
    try:
        registration = validate(body)
    except InvalidInput as invalid:
        assert invalid.errors, "InvalidInput without any error"
        for field, message in invalid.errors.items():
            assert field in FIELDS or field in body  # unexpected fields are named as sent
            assert isinstance(message, str) and message.strip()
        return invalid
    assert isinstance(registration, Registration)
    return registration


@PROPERTY
@given(body=st.dictionaries(keys, json_values, max_size=12))
def test_any_json_object_is_a_registration_or_field_errors(validate, body):
    outcome = _outcome(validate, body)
    if isinstance(outcome, InvalidInput):
        assert set(outcome.errors) <= set(FIELDS) | set(body)


@PROPERTY
@given(
    changes=st.dictionaries(st.sampled_from(FIELDS), json_values, min_size=1, max_size=3),
    removed=st.sets(st.sampled_from(FIELDS), max_size=2),
)
def test_a_valid_body_with_some_answers_changed_never_crashes(validate, changes, removed):
    body = {key: value for key, value in {**valid_body(), **changes}.items() if key not in removed}
    outcome = _outcome(validate, body)
    if isinstance(outcome, InvalidInput):
        # Only what was changed or removed can be wrong (a missing condition also silences the stage), and the
        # number, once texts are asked for: the valid body gives none.
        asks_for_a_number = {"phone"} if "sms_consent" in changes else set()
        assert set(outcome.errors) <= set(changes) | removed | asks_for_a_number


@PROPERTY
@given(body=json_values)
def test_anything_that_is_not_an_object_is_refused_by_the_api(client, body):
    assume(not isinstance(body, dict))
    response = client.post(API, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "body" in response.json["errors"]


# Letters, marks, numbers, punctuation, symbols and spaces of every script; no control characters and no
# lone surrogates (JSON from a real client cannot carry them as text).
name_characters = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="@"
)


@PROPERTY
@given(name=st.text(name_characters, min_size=1, max_size=MAX_DISPLAY_NAME_LENGTH))
def test_any_unicode_display_name_within_the_limit_round_trips(validate, name):
    assume(name.strip())
    registration = validate(valid_body(display_name=name))
    assert registration.display_name == name.strip()
    assert registration.as_json()["display_name"] == name.strip()


@PROPERTY
@given(
    name=st.text(name_characters, min_size=MAX_DISPLAY_NAME_LENGTH + 1, max_size=MAX_DISPLAY_NAME_LENGTH + 20)
)
def test_a_display_name_over_the_limit_is_refused(validate, name):
    assume(len(name.strip()) > MAX_DISPLAY_NAME_LENGTH)
    with pytest.raises(InvalidInput) as refused:
        validate(valid_body(display_name=name))
    assert set(refused.value.errors) == {"display_name"}


def test_a_stage_without_a_condition_is_a_field_error(validate):
    with pytest.raises(InvalidInput) as refused:
        validate(valid_body(condition=None))
    assert set(refused.value.errors) == {"condition"}
