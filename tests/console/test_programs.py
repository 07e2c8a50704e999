"""Programs in the console: the list, creating and editing, conditions and stages, registration, activity."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app import database
from app.demo import seed_demo
from app.models import AuditEvent, Condition, Participant, Program, Stage
from app.services.audit import record_event
from app.services.registration import list_conditions

NEW_PROGRAM = {
    "name": "Kidney Talk", "organisation": "Example Kidney Trust", "description": "Small talks.",
    "contact_email": "talk@example.org", "slug": "kidney-talk", "languages": ["en", "es"],
    "default_locale": "en", "min_size": "3", "target_size": "5", "max_size": "7", "max_stage_gap": "1",
    "separate_roles": "yes", "meeting_minutes": "75", "timezone": "America/Bogota",
    "first_meeting_on": "2030-03-04", "last_meeting_on": "2030-03-25", "tips_days_before": "2",
    "reminder_hours_before": "3", "survey_hours_after": "1", "zoom_user": "zoom@example.org",
    "retention_days": "400", "country": "CO", "texts_enabled": "yes",
}  # fmt: skip


@pytest.fixture
def demo(app):
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        session = database.session()
        program = seed_demo(session, registrants=12)
        session.commit()
        return program


def reload(app, model, **where):
    with app.app_context():
        query = select(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return database.session().exec(query).first()


def settings_of(app, slug="demo") -> dict:
    return reload(app, Program, slug=slug).model_dump(exclude={"created_at"})


def form_of(program: dict, **changes) -> dict:
    """The settings form as the page fills it in, with some answers changed."""
    fields = {key: "" if value is None else str(value) for key, value in program.items()}
    fields["languages"] = program["languages"]
    for flag in ("separate_roles", "condition_in_title", "host_as_alternative_host", "texts_enabled"):
        fields[flag] = "yes" if program[flag] else ""
    return {**fields, **changes}


def test_the_list_shows_only_the_coordinators_programs_with_their_figures(app, demo, console_client):
    with app.app_context():
        session = database.session()
        session.add(
            Program(slug="other", name="Other Café", organisation="Elsewhere", contact_email="o@example.org")
        )
        session.commit()
    page = console_client("demo").get("/console/")
    assert "Patient Café" in page.text and "Other Café" not in page.text
    assert "<td>12</td>" in page.text  # registered and verified
    assert "New program" not in page.text
    admin_page = console_client(admin=True).get("/console/")
    assert "Patient Café" in admin_page.text and "Other Café" in admin_page.text
    assert "New program" in admin_page.text


def test_an_admin_creates_a_program_closed_until_it_has_conditions(app, demo, console_client):
    admin = console_client(admin=True, email="admin@example.org")
    assert admin.get("/console/programs/new").status_code == 200
    created = admin.post("/console/programs/new", data=NEW_PROGRAM)
    assert created.status_code == 303 and created.location == "/console/programs/kidney-talk/settings"
    program = reload(app, Program, slug="kidney-talk")
    assert (program.name, program.languages, program.timezone) == (
        "Kidney Talk",
        ["en", "es"],
        "America/Bogota",
    )
    assert (program.min_size, program.target_size, program.max_size, program.meeting_minutes) == (3, 5, 7, 75)
    assert str(program.first_meeting_on) == "2030-03-04" and program.separate_roles
    assert not program.registration_open and not program.condition_in_title
    assert app.test_client().get("/p/kidney-talk").status_code == 200
    assert "Sign-up is closed" in app.test_client().get("/p/kidney-talk").text

    refused = admin.post(
        "/console/programs/kidney-talk/registration", data={"open": "yes"}, follow_redirects=True
    )
    assert "Add at least one condition before opening registration" in refused.text
    event = reload(app, AuditEvent, action="program.created")
    assert (event.actor, event.program_id) == ("admin@example.org", program.id)


def test_only_admins_create_programs(demo, console_client):
    coordinator = console_client("demo")
    assert coordinator.get("/console/programs/new").status_code == 403
    assert coordinator.post("/console/programs/new", data=NEW_PROGRAM).status_code == 403


def test_a_new_program_with_bad_answers_shows_every_problem_and_is_not_created(app, demo, console_client):
    answers = {**NEW_PROGRAM, "slug": "demo", "name": "", "languages": [], "timezone": "Mars/Olympus"}
    page = console_client(admin=True).post("/console/programs/new", data=answers)
    assert page.status_code == 422
    for message in (
        "Another program already uses the address /p/demo",
        "Enter the program&#39;s name.",
        "Tick at least one language",
        "“Mars/Olympus” is not a time zone we know",
    ):
        assert message in page.text
    assert 'value="Example Kidney Trust"' in page.text  # what was typed is kept
    assert reload(app, Program, name="Kidney Talk") is None


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("demo", "Another program already uses the address /p/demo. Choose another."),
        ("new", "“new” is kept for the console’s own pages. Choose another."),
        ("Kidney Talk", "Use only lowercase letters, digits and hyphens, like patient-cafe."),
        ("", "Enter the short name used in the program&#39;s web address."),
    ],
)
def test_a_new_programs_web_address_must_be_simple_and_free(demo, console_client, slug, message):
    page = console_client(admin=True).post("/console/programs/new", data={**NEW_PROGRAM, "slug": slug})
    assert page.status_code == 422 and message in page.text


def test_settings_with_bad_values_show_each_error_by_its_field_and_change_nothing(app, demo, console_client):
    before = settings_of(app)
    bad = form_of(
        before,
        min_size="1",
        max_size="3",
        target_size="x",
        contact_email="nope",
        timezone="Nowhere/City",
        first_meeting_on="2030-05-10",
        last_meeting_on="2030-05-01",
        meeting_minutes="600",
    )
    page = console_client("demo").post("/console/programs/demo/settings", data=bad)
    assert page.status_code == 422
    expected = {
        "min_size": "Enter a whole number from 2 to 50.",
        "target_size": "Enter a whole number from 2 to 50.",
        "contact_email": "Enter an email address like name@example.org.",
        "timezone": "“Nowhere/City” is not a time zone we know",
        "last_meeting_on": "The last meeting date must be on or after the first meeting date.",
        "meeting_minutes": "Enter a whole number from 15 to 240.",
    }
    for field, message in expected.items():
        assert f'id="field-{field}-error"><span class="visually-hidden">Error:</span> {message}' in page.text
    assert 'value="Nowhere/City"' in page.text
    assert settings_of(app) == before


NOT_A_NUMBER = "Enter a whole number from 2 to 50."
NOT_A_COUNTRY = "Choose the country most of the program’s registrants live in."
ODDLY_TYPED = [("min_size", typed, NOT_A_NUMBER) for typed in ("²", "--3", "3.5", "+ 3")]
ODDLY_TYPED += [("country", typed, NOT_A_COUNTRY) for typed in ("XX", "", "es", "Spain")]


@pytest.mark.parametrize(("field", "typed", "message"), ODDLY_TYPED)
def test_a_value_typed_oddly_is_refused_next_to_its_field(app, demo, console_client, field, typed, message):
    before = settings_of(app)
    page = console_client("demo").post(
        "/console/programs/demo/settings", data=form_of(before, **{field: typed})
    )
    assert page.status_code == 422
    assert f'id="field-{field}-error"><span class="visually-hidden">Error:</span> {message}' in page.text
    assert settings_of(app) == before


def test_the_console_speaks_english_to_a_browser_that_prefers_spanish(app, demo, console_client):
    """The console is English only, though it shares its checks with the Spanish registration form."""
    form = form_of(settings_of(app), name="x" * 201, description="\x01")
    page = console_client("demo").post(
        "/console/programs/demo/settings", data=form, headers={"Accept-Language": "es"}
    )
    assert page.status_code == 422
    assert "Please keep this to 200 characters or fewer." in page.text
    assert "Please use only letters, numbers and punctuation here." in page.text
    assert "Use como máximo" not in page.text


def test_sizes_must_run_from_smallest_through_usual_to_largest(app, demo, console_client):
    client = console_client("demo")
    page = client.post(
        "/console/programs/demo/settings", data=form_of(settings_of(app), min_size="6", max_size="4")
    )
    assert "The largest size must be at least the smallest size (6)." in page.text
    page = client.post("/console/programs/demo/settings", data=form_of(settings_of(app), target_size="9"))
    assert "The usual size must lie between 4 and 8." in page.text


def test_good_settings_are_saved_and_audited(app, demo, console_client):
    changes = {
        "min_size": "3",
        "max_stage_gap": "2",
        "timezone": "America/Lima",
        "separate_roles": "",
        "condition_in_title": "yes",
        "survey_hours_after": "24",
        "languages": ["en"],
    }
    saved = console_client("demo").post(
        "/console/programs/demo/settings", data=form_of(settings_of(app), **changes), follow_redirects=True
    )
    assert "Settings saved." in saved.text
    after = settings_of(app)
    assert (after["min_size"], after["max_stage_gap"], after["timezone"]) == (3, 2, "America/Lima")
    assert (after["separate_roles"], after["condition_in_title"], after["languages"]) == (False, True, ["en"])
    event = reload(app, AuditEvent, action="program.settings_changed")
    assert set(event.detail["fields"]) == {
        "min_size",
        "max_stage_gap",
        "timezone",
        "separate_roles",
        "condition_in_title",
        "survey_hours_after",
        "languages",
    }


def test_a_program_may_speak_every_shipped_language_each_tagged_for_its_readers(app, demo, console_client):
    client = console_client("demo")
    page = client.get("/console/programs/demo/settings").text
    for name in ("English", "Español", "Français", "Português (Brasil)", "中文 (简体)"):
        assert f">{name}</label>" in page

    every = ["en", "es", "fr", "pt_BR", "zh_Hans"]
    saved = client.post(
        "/console/programs/demo/settings",
        # The main language may become one the demo's texts are all written in (Spanish), not yet Portuguese.
        data=form_of(settings_of(app), languages=every, default_locale="es"),
        follow_redirects=True,
    )

    assert "Settings saved." in saved.text
    assert (settings_of(app)["languages"], settings_of(app)["default_locale"]) == (every, "es")
    reader = app.test_client()
    assert '<html lang="es">' in reader.get("/p/demo").text
    assert '<html lang="pt-BR">' in reader.get("/p/demo?lang=pt_BR").text
    assert '<html lang="zh-Hans">' in reader.get("/p/demo?lang=zh_Hans").text


def test_the_country_of_phone_numbers_and_the_texts_switch_are_saved(app, demo, console_client):
    client = console_client("demo")
    page = client.get("/console/programs/demo/settings").text
    assert '<option value="US" selected>United States (US)</option>' in page
    assert '<option value="ES">Spain (ES)</option>' in page and "Send text messages" in page
    changes = {"country": "ES", "texts_enabled": ""}
    saved = client.post(
        "/console/programs/demo/settings", data=form_of(settings_of(app), **changes), follow_redirects=True
    )
    assert "Settings saved." in saved.text
    assert '<option value="ES" selected>Spain (ES)</option>' in saved.text
    after = settings_of(app)
    assert (after["country"], after["texts_enabled"]) == ("ES", False)
    event = reload(app, AuditEvent, action="program.settings_changed")
    assert set(event.detail["fields"]) == {"country", "texts_enabled"}
    # The sign-up page follows: no number asked for while texts are off.
    assert 'name="phone"' not in app.test_client().get("/p/demo").text
    client.post("/console/programs/demo/settings", data=form_of(settings_of(app), texts_enabled="yes"))
    assert "For example 612 34 56 78." in app.test_client().get("/p/demo").text


def test_conditions_and_their_stages_are_added_renamed_and_reordered(app, demo, console_client):
    client = console_client("demo")
    added = client.post("/console/programs/demo/conditions", data={"name": "Myeloma"}, follow_redirects=True)
    assert "Condition “Myeloma” added." in added.text
    condition = reload(app, Condition, name="Myeloma")
    assert condition.code == "myeloma"
    url = f"/console/programs/demo/conditions/{condition.id}"
    for name in ("Smouldering", "Active", "Relapsed"):
        client.post(url, data={"name": "Myeloma", "new_stage_name": name, "new_stage_hint": f"{name} hint"})
    stages = stage_names(app, condition.id)
    assert stages == ["Smouldering", "Active", "Relapsed"]

    active = reload(app, Stage, name="Active")
    renamed = {
        "name": "Multiple myeloma",
        f"stage-{active.id}-name": "In treatment",
        f"stage-{active.id}-hint": "",
    }
    assert "“Multiple myeloma” saved." in client.post(url, data=renamed, follow_redirects=True).text
    assert reload(app, Stage, id=active.id).hint == ""
    client.post(f"/console/programs/demo/stages/{active.id}/move", data={"direction": "up"})
    assert stage_names(app, condition.id) == ["In treatment", "Smouldering", "Relapsed"]
    moved = client.post(
        f"/console/programs/demo/stages/{active.id}/move", data={"direction": "up"}, follow_redirects=True
    )
    assert "“In treatment” is already the first stage." in moved.text

    with app.app_context():  # the public form offers the new condition with its stages in order
        offers = {
            o.condition.name: [s.name for s in o.stages] for o in list_conditions(database.session(), demo)
        }
    assert offers["Multiple myeloma"] == ["In treatment", "Smouldering", "Relapsed"]
    assert "Multiple myeloma" in app.test_client().get("/p/demo").text


def test_a_condition_form_with_problems_keeps_what_was_typed_and_saves_nothing(app, demo, console_client):
    condition = reload(app, Condition, code="cll")
    stages = stage_rows(app, condition.id)
    form = {"name": "", f"stage-{stages[0].id}-name": stages[1].name, "new_stage_hint": "orphan hint"}
    page = console_client("demo").post(f"/console/programs/demo/conditions/{condition.id}", data=form)
    assert page.status_code == 422
    assert "Enter the condition&#39;s name." in page.text
    assert "Two stages have this name; give each its own." in page.text
    assert "Enter a name for the new stage, or clear its description." in page.text
    assert 'value="orphan hint"' in page.text
    assert reload(app, Condition, code="cll").name == condition.name
    assert stage_names(app, condition.id) == [stage.name for stage in stages]


def test_stages_and_conditions_that_registrants_use_cannot_be_removed(app, demo, console_client):
    client = console_client("demo")
    used = reload(app, Participant).stage_id
    stage = reload(app, Stage, id=used)
    refused = client.post(f"/console/programs/demo/stages/{used}/delete", follow_redirects=True)
    assert (
        f"The stage “{stage.name}” cannot be removed:" in refused.text
        and "You can rename it instead." in refused.text
    )
    assert reload(app, Stage, id=used) is not None
    condition = reload(app, Condition, id=stage.condition_id)
    refused = client.post(f"/console/programs/demo/conditions/{condition.id}/delete", follow_redirects=True)
    assert f"“{condition.name}” cannot be removed:" in refused.text
    assert reload(app, Condition, id=condition.id) is not None


def test_unused_stages_and_conditions_are_removed(app, demo, console_client):
    client = console_client("demo")
    client.post("/console/programs/demo/conditions", data={"name": "Sarcoma"})
    condition = reload(app, Condition, name="Sarcoma")
    client.post(
        f"/console/programs/demo/conditions/{condition.id}",
        data={"name": "Sarcoma", "new_stage_name": "Early"},
    )
    stage = reload(app, Stage, condition_id=condition.id)
    assert (
        "Stage “Early” removed."
        in client.post(f"/console/programs/demo/stages/{stage.id}/delete", follow_redirects=True).text
    )
    removed = client.post(f"/console/programs/demo/conditions/{condition.id}/delete", follow_redirects=True)
    assert "Condition “Sarcoma” removed." in removed.text
    assert reload(app, Condition, name="Sarcoma") is None


def test_closing_registration_closes_the_sign_up_page_and_opening_reopens_it(app, demo, console_client):
    client = console_client("demo")
    closed = client.post("/console/programs/demo/registration", data={"open": "no"}, follow_redirects=True)
    assert "Registration is closed" in closed.text
    assert "Sign-up is closed for now." in app.test_client().get("/p/demo").text
    client.post("/console/programs/demo/registration", data={"open": "yes"})
    assert "Sign-up is closed" not in app.test_client().get("/p/demo").text
    actions = [event.action for event in all_events(app)]
    assert actions[-2:] == ["program.registration_closed", "program.registration_opened"]


def test_activity_shows_who_did_what_newest_first_fifty_to_a_page(app, demo, console_client):
    with app.app_context():
        session = database.session()
        for number in range(55):
            record_event(
                session,
                "cohort.approved",
                actor="lee@example.org",
                program_id=demo.id,
                subject=("cohort", number + 1),
            )
        participant = session.exec(select(Participant)).first()
        record_event(
            session,
            "participant_verified",
            actor="participant",
            program_id=demo.id,
            subject=("participant", participant.id),
        )
        session.commit()
    client = console_client("demo", email="kim@example.org")
    client.post("/console/programs/demo/registration", data={"open": "no"})
    page = client.get("/console/programs/demo/activity")
    assert page.text.index("Closed registration") < page.text.index("Registrant confirmed their email")
    assert f"registrant {participant.display_name}" in page.text and "kim@example.org" in page.text
    assert "Approved a group" in page.text and "group 55" in page.text
    assert "Page 1 of 2" in page.text
    older = client.get("/console/programs/demo/activity?page=2")
    assert "group 1<" in older.text and "group 55" not in older.text
    assert reload(app, AuditEvent, action="console.viewed_activity").actor == "kim@example.org"


def stage_rows(app, condition_id: int) -> list[Stage]:
    with app.app_context():
        query = select(Stage).where(Stage.condition_id == condition_id).order_by(Stage.position, Stage.id)
        return list(database.session().exec(query).all())


def stage_names(app, condition_id: int) -> list[str]:
    return [stage.name for stage in stage_rows(app, condition_id)]


def all_events(app) -> list[AuditEvent]:
    with app.app_context():
        return list(database.session().exec(select(AuditEvent).order_by(AuditEvent.id)).all())


# The name where others may see it ------------------------------------------------------------------------


def name_advice(page: str) -> str | None:
    """The words the settings page says about the program's name naming a diagnosis, if it says any."""
    found = re.search(r'<(div|p) class="(\w+)[^"]*" id="name-names-a-diagnosis">(.*?)</\1>', page, re.S)
    return found and f"{found.group(2)}: {' '.join(re.sub(r'<[^>]+>', '', found.group(3)).split())}"


@pytest.mark.parametrize(
    ("name", "diagnosis"),
    [
        ("Lung Cancer Talks", "Lung cancer"),  # one of the program's conditions
        ("The CLL café", "CLL"),  # what stands in brackets in a condition's name
        ("Colorectal-circle", "colorectal"),  # whatever the punctuation
        ("Leukemia friends", "leukemia"),  # a common diagnosis word, in another spelling
        ("Tumours together", "tumour"),  # in the plural
    ],
)
def test_the_settings_page_warns_when_the_name_names_a_diagnosis(app, demo, console_client, name, diagnosis):
    client = console_client("demo")
    form = form_of(settings_of(app), name=name, neutral_title="")

    saved = client.post("/console/programs/demo/settings", data=form)  # a warning, not a refusal

    assert saved.status_code == 303 and settings_of(app)["name"] == name
    advice = name_advice(client.get("/console/programs/demo/settings").text)
    assert advice.startswith(f"warnings: The program’s name names a diagnosis (“{diagnosis}”).")
    for where in ("sender’s name in inboxes", "title of its meetings in calendars and Zoom", "phones"):
        assert where in advice
    # The organisation, Example Cancer Centre, names one too, so the suggestion says nothing of it.
    assert advice.endswith(
        "Give the program a neutral title below, such as “Peer meet-up”, to show there instead."
    )


def test_a_name_that_names_no_diagnosis_gets_no_warning_and_the_suggestion_uses_the_organisation(
    app, demo, console_client
):
    form = form_of(settings_of(app), name="Patient Café", neutral_title="", organisation="Riverside Trust")
    client = console_client("demo")
    client.post("/console/programs/demo/settings", data=form)

    page = client.get("/console/programs/demo/settings").text

    assert name_advice(page) is None
    assert "such as “Riverside Trust meet-up”. Leave it empty to show the name." in page


def test_a_neutral_title_is_saved_audited_and_shown_instead(app, demo, console_client):
    client = console_client("demo")
    form = form_of(settings_of(app), name="Lung Cancer Talks", neutral_title="  Riverside meet-up ")

    saved = client.post("/console/programs/demo/settings", data=form, follow_redirects=True)

    assert "Settings saved." in saved.text
    assert settings_of(app)["neutral_title"] == "Riverside meet-up"
    assert 'id="field-neutral_title" name="neutral_title" type="text" value="Riverside meet-up"' in saved.text
    assert name_advice(saved.text) == (
        "notice: The program’s name names a diagnosis (“Lung cancer”), so inboxes and calendars show the "
        "neutral title instead."
    )
    event = reload(app, AuditEvent, action="program.settings_changed")
    assert set(event.detail["fields"]) == {"name", "neutral_title"}


@pytest.mark.parametrize(
    ("title", "message"),
    [
        (
            "Lung cancer circle",
            "The neutral title names a diagnosis too (“Lung cancer”). Use words that say nothing about "
            "anyone’s health, such as “Peer meet-up”, or leave it empty to show the program’s name.",
        ),
        ("Café HIV+", "The neutral title names a diagnosis too (“HIV”)."),
        ("x" * 201, "Please keep this to 200 characters or fewer."),
        ("Riverside\x07meet-up", "Please use only letters, numbers and punctuation here."),
    ],
)
def test_a_neutral_title_that_cannot_serve_is_refused_and_nothing_changes(
    app, demo, console_client, title, message
):
    before = settings_of(app)

    page = console_client("demo").post(
        "/console/programs/demo/settings", data=form_of(before, neutral_title=title, min_size="3")
    )

    assert page.status_code == 422
    assert (
        f'id="field-neutral_title-error"><span class="visually-hidden">Error:</span> {message}' in page.text
    )
    assert settings_of(app) == before


def test_a_new_program_may_have_a_neutral_title_from_the_start(app, demo, console_client):
    answers = {**NEW_PROGRAM, "name": "Kidney Disease Talk", "neutral_title": "Talk meet-up"}

    console_client(admin=True).post("/console/programs/new", data=answers)

    assert reload(app, Program, slug="kidney-talk").neutral_title == "Talk meet-up"


def test_the_demo_program_shows_how(app, demo, console_client):
    page = console_client("demo").get("/console/programs/demo/settings").text

    assert name_advice(page) == (
        "notice: The program’s name names a diagnosis (“cancer”), so inboxes and calendars show the neutral "
        "title instead."
    )
    assert 'value="Patient Café"' in page
