"""The same rules, with the same messages, for the web form and the JSON API."""

import re
from html import unescape

import pytest

TOO_LONG_NAME = "N" * 61

BAD_BODIES = {  # case: (change to a valid body, the field blamed, words of its message)
    "unknown-condition": ({"condition": "asthma"}, "condition", "Choose one of the conditions listed."),
    "stage-of-another-condition": ({"stage": "metastatic"}, "stage", "Choose one of the stages listed"),
    "invalid-timezone": ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a time zone"),
    "empty-availability": ({"availability": []}, "availability", "Choose at least one time"),
    "end-before-start": (
        {"availability": [{"weekday": 2, "start": "18:00", "end": "09:00"}]},
        "availability",
        "Each time must end after it starts.",
    ),
    "weekday-out-of-range": (
        {"availability": [{"weekday": 7, "start": "09:00", "end": "10:00"}]},
        "availability",
        "from 0 (Monday) to 6 (Sunday)",
    ),
    "malformed-time": (
        {"availability": [{"weekday": 1, "start": "9am", "end": "10:00"}]},
        "availability",
        "like 09:30",
    ),
    "malformed-email": ({"email": "river.example.org"}, "email", "like name@example.com"),
    "missing-consent": ({"consent": None}, "consent", "Please confirm"),
    "consent-not-true": ({"consent": "yes"}, "consent", "Please confirm"),
    "oversized-name": ({"display_name": TOO_LONG_NAME}, "display_name", "60 characters or fewer"),
    "oversized-email": ({"email": "a" * 320 + "@example.org"}, "email", "320 characters or fewer"),
    "oversized-note": ({"accessibility_note": "x" * 501}, "accessibility_note", "500 characters"),
    "email-as-name": ({"display_name": "me@example.org"}, "display_name", "not an email address"),
    "foreign-language": ({"languages": ["fr"]}, "languages", "Choose only languages from the list"),
    "unknown-role": ({"role": "doctor"}, "role", "Tell us whether"),
    "unknown-need": ({"accessibility_needs": ["wheelchair"]}, "accessibility_needs", "Choose only from"),
    "languages-not-a-list": ({"languages": "es"}, "languages", "Choose at least one language"),
}


@pytest.mark.parametrize(("change", "field", "message"), list(BAD_BODIES.values()), ids=list(BAD_BODIES))
def test_api_refuses_bad_input_naming_the_field(kit, change, field, message):
    response = kit.client.post(kit.api, json=kit.body(**change))
    assert response.status_code == 422
    assert list(response.json["errors"]) == [field]
    assert message in response.json["errors"][field]
    assert kit.participants() == []


def test_api_names_every_unexpected_field(kit):
    response = kit.client.post(kit.api, json=kit.body(is_admin=True, status="verified"))
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"is_admin", "status"}


def test_api_refuses_a_body_that_is_not_a_json_object(kit):
    response = kit.client.post(kit.api, data="[]", content_type="application/json")
    assert response.status_code == 422
    assert "body" in response.json["errors"]


def test_api_accepts_not_sure_as_a_null_stage(kit):
    assert kit.client.post(kit.api, json={**kit.body(), "stage": None}).status_code == 201
    assert kit.participants()[0].stage_id is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        pytest.param({"stage-cll": None}, "stage-cll", "Choose your stage", id="no-stage-chosen"),
        pytest.param({"stage-cll": "early-wrong"}, "stage-cll", "Choose one of the stages", id="bad-stage"),
        pytest.param({"availability": []}, "availability", "Choose at least one time", id="empty-grid"),
        pytest.param({"consent": None}, "consent", "Please confirm", id="no-consent"),
        pytest.param({"email": "river@"}, "email", "like name@example.com", id="malformed-email"),
        pytest.param({"timezone": "Nowhere/Here"}, "timezone", "Choose a time zone", id="unknown-timezone"),
    ],
)
def test_form_shows_the_problem_next_to_the_field_and_keeps_the_answers(kit, change, field, message):
    response = kit.post_form(kit.page, kit.form(**change))
    assert response.status_code == 422
    page = response.text
    assert f'href="#field-{field}"' in page  # the summary at the top links to the field
    assert f'id="error-{field}"' in page and message in page
    assert 'value="River"' in page  # what was typed is still there
    assert 'value="cll" checked' in page
    assert kit.participants() == []


def test_form_marks_text_fields_invalid_and_describes_them_by_their_error(kit):
    page = kit.post_form(kit.page, kit.form(email="nope")).text
    assert 'aria-invalid="true" aria-describedby="hint-email error-email"' in page


def test_form_ignores_a_stage_chosen_under_another_condition(kit):
    """Without JavaScript every condition's stages are on the page; only the chosen condition's count."""
    form = kit.form(**{"stage-cll": "not-sure", "stage-lung-cancer": "advanced"})
    assert kit.post_form(kit.page, form).status_code == 303
    assert kit.participants()[0].stage_id is None


def test_form_turns_the_weekly_grid_into_time_windows(kit):
    assert kit.post_form(kit.page, kit.form()).status_code == 303
    assert kit.participants()[0].availability == [
        {"weekday": 1, "start": "17:00", "end": "21:00"},
        {"weekday": 3, "start": "09:00", "end": "12:00"},
    ]


def test_form_without_a_csrf_token_is_refused(kit):
    assert kit.client.post(kit.page, data=kit.form()).status_code == 400
    assert kit.participants() == []


@pytest.mark.parametrize(
    ("role", "question"),
    [
        ("caregiver", "Which condition does the person you care for live with?"),
        ("patient", "Which condition do you live with?"),
        (None, "Which condition do you, or the person you care for, live with?"),
    ],
)
def test_a_form_shown_again_asks_about_the_condition_of_the_person_it_is_about(kit, role, question):
    page = kit.post_form(kit.page, kit.form(role=role, email="not an address")).get_data(as_text=True)

    legend = re.search(r"<legend>(.*?)</legend>", page[page.index("data-for-role") - 200 :], re.S).group(1)
    shown = [unescape(words) for words in re.findall(r'<span data-for-role="\w*">([^<]+)</span>', legend)]
    assert shown == [question]
