"""A web process checks registrations against its own copy of a program's terms (open or closed, languages,
conditions, stages, privacy notice), read once; whoever changes the terms, from the console, another process
or a SQL prompt, the change holds from the very next registration of a process that holds an older copy."""

import re

import pytest
from sqlalchemy import text

from app import database
from app.database import build_engine

from ..statements import statements_sent


@pytest.fixture
def elsewhere(database_url):
    """Run SQL through a connection of its own, committed at once, as another process would."""
    engine = build_engine(database_url)

    def run(*statements: str) -> None:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))

    yield run
    engine.dispose()


def register(kit, number: int, **changes):
    return kit.client.post(kit.api, json=kit.body(email=f"person-{number}@example.org", **changes))


def test_a_registration_under_a_current_copy_only_writes(kit):
    assert register(kit, 1).status_code == 201  # the process reads the terms, and keeps them
    with kit.app.app_context():
        engine = database.engine()
    with statements_sent(engine) as sent:
        assert register(kit, 2).status_code == 201
    assert sent and not [statement for statement in sent if statement.lstrip().startswith("SELECT")]


# Each change made behind the process's back, the registration it must refuse next, and how.
REFUSED_AFTER = {
    "registration closed": ("UPDATE program SET registration_open = false", {}, 409),
    "a stage removed": ("DELETE FROM stage WHERE code = 'relapsed'", {"stage": "relapsed"}, 422),
    "a condition's code changed": ("UPDATE condition SET code = 'leukaemia' WHERE code = 'cll'", {}, 422),
    "a language dropped": ("UPDATE program SET languages = '[\"en\"]'", {"languages": ["es"]}, 422),
}


@pytest.mark.parametrize("change", REFUSED_AFTER.values(), ids=REFUSED_AFTER.keys())
def test_a_change_of_terms_elsewhere_refuses_the_very_next_registration_it_rules_out(kit, elsewhere, change):
    statement, answers, status = change
    assert register(kit, 1).status_code == 201
    elsewhere(statement)
    assert register(kit, 2, **answers).status_code == status
    assert [person.email for person in kit.participants()] == ["person-1@example.org"]
    assert len(kit.messages()) == 1


def test_a_program_reopened_elsewhere_takes_the_very_next_registration(kit, elsewhere):
    elsewhere("UPDATE program SET registration_open = false")
    assert register(kit, 1).status_code == 409  # the process's copy says closed
    elsewhere("UPDATE program SET registration_open = true")
    assert register(kit, 2).status_code == 201


def test_a_condition_added_elsewhere_is_offered_to_the_very_next_registration(kit, elsewhere):
    assert register(kit, 1).status_code == 201
    elsewhere(
        "INSERT INTO condition (program_id, code, name, translations, position) "
        "SELECT id, 'sarcoma', 'Sarcoma', '{}', 9 FROM program",
        "INSERT INTO stage (condition_id, code, name, hint, translations, position) "
        "SELECT id, 'early', 'Early', '', '{}', 0 FROM condition WHERE code = 'sarcoma'",
    )
    response = register(kit, 2, condition="sarcoma", stage="early")
    assert response.status_code == 201, response.json


def test_a_new_privacy_notice_is_what_the_very_next_registrant_consents_to(kit, elsewhere):
    assert register(kit, 1).status_code == 201
    elsewhere("UPDATE program SET privacy_notice_version = '2'")
    assert register(kit, 2).status_code == 201
    assert [person.consent_version for person in kit.participants()] == ["1", "2"]


def test_closing_registration_in_the_console_closes_the_form_at_once(kit, console_client):
    token = kit.csrf_token(kit.page)  # the form's, as a browser that opened it before it closed holds it
    form = {**kit.form(email="person-1@example.org"), "csrf_token": token}
    assert kit.client.post(kit.page, data=form).status_code == 303
    coordinator = console_client("demo")
    page = coordinator.get("/console/programs/demo").text
    closing = {"open": "no", "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)}
    assert coordinator.post("/console/programs/demo/registration", data=closing).status_code == 303
    form = {**kit.form(email="person-2@example.org"), "csrf_token": token}
    assert kit.client.post(kit.page, data=form).status_code == 409
    assert [person.email for person in kit.participants()] == ["person-1@example.org"]
