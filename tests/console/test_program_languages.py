"""A program's own texts in every program language, edited side by side in the console: its description and
preparation tips, its conditions' names, its stages' names and hints."""

from __future__ import annotations

import re

from sqlmodel import select

from app import database
from app.models import Condition, Program, Stage

from .test_programs import form_of, reload, settings_of

MISSING = "Translation missing — people see the English text."


def _box(page: str, field_id: str) -> str:
    """What the input or text area with this id shows."""
    textarea = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>(.*?)</textarea>', page, re.S)
    if textarea:
        return textarea.group(1)
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', page).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def _marked(page: str, field_id: str) -> bool:
    return f'<p class="translation-missing" id="{field_id}-missing">{MISSING}</p>' in page


def _cll(app) -> tuple[Condition, list[Stage]]:
    with app.app_context():
        session = database.session()
        condition = session.exec(select(Condition).where(Condition.code == "cll")).one()
        stages = select(Stage).where(Stage.condition_id == condition.id).order_by(Stage.position)
        return condition, list(session.exec(stages))


def test_each_text_has_a_box_per_program_language_main_language_first(app, demo, console_client):
    page = console_client("demo").get("/console/programs/demo/settings").text
    condition, stages = _cll(app)
    english = page.index('id="field-description"')
    assert english < page.index('id="field-description-es"')  # the main language first
    assert _box(page, "field-description").startswith("Small video conversations")
    assert _box(page, "field-description-es").startswith("Pequeñas conversaciones por vídeo")
    assert "Tenga un vaso de agua a mano." in _box(page, "field-preparation_tips-es")
    prefix = f"condition-{condition.id}"
    assert _box(page, f"{prefix}-name-es") == "Leucemia linfocítica crónica (LLC)"
    hint = _box(page, f"{prefix}-stage-{stages[0].id}-hint-es")
    assert hint == "Sus médicos la vigilan sin tratarla todavía."
    assert "English (main language)" in page and MISSING not in page


def test_a_translation_left_empty_is_marked_and_its_readers_see_the_main_language(app, demo, console_client):
    client = console_client("demo")
    condition, stages = _cll(app)
    first = stages[0]
    form = {
        "name": condition.name,
        "name-es": "",
        f"stage-{first.id}-name-es": "En observación",
        f"stage-{first.id}-hint-es": "",
    }
    saved = client.post(f"/console/programs/demo/conditions/{condition.id}", data=form, follow_redirects=True)
    assert f"“{condition.name}” saved." in saved.text
    prefix = f"condition-{condition.id}"
    assert _marked(saved.text, f"{prefix}-name-es")
    assert _marked(saved.text, f"{prefix}-stage-{first.id}-hint-es")
    assert not _marked(saved.text, f"{prefix}-stage-{first.id}-name-es")
    assert not _marked(saved.text, f"{prefix}-stage-{stages[1].id}-hint-es")  # not sent: kept as it was

    spanish = app.test_client().get("/p/demo?lang=es").text
    assert "Chronic lymphocytic leukaemia (CLL)" in spanish and "Leucemia linfocítica" not in spanish
    assert "En observación" in spanish and "Your doctors are keeping an eye on it" in spanish
    assert "Está recibiendo tratamiento ahora." in spanish


def test_the_description_and_tips_are_saved_per_language_and_an_empty_one_falls_back(
    app, demo, console_client
):
    client = console_client("demo")
    changes = {
        "description": "Small talks between patients.",
        "description-es": "Charlas entre pacientes.",
        "preparation_tips": "Bring a cup of tea.",
        "preparation_tips-es": "",
    }
    saved = client.post(
        "/console/programs/demo/settings", data=form_of(settings_of(app), **changes), follow_redirects=True
    )
    assert "Settings saved." in saved.text
    program = reload(app, Program, slug="demo")
    assert program.description == "Small talks between patients."
    assert program.translations["description"] == {"es": "Charlas entre pacientes."}
    assert "preparation_tips" not in program.translations
    assert _marked(saved.text, "field-preparation_tips-es")
    assert "Charlas entre pacientes." in app.test_client().get("/p/demo?lang=es").text


def test_a_translation_too_long_is_refused_by_name_and_nothing_is_lost(app, demo, console_client):
    condition, stages = _cll(app)
    form = {"name": "CLL", "name-es": "LLC", f"stage-{stages[1].id}-hint-es": "x" * 501}
    page = console_client("demo").post(f"/console/programs/demo/conditions/{condition.id}", data=form)
    assert page.status_code == 422
    prefix = f"condition-{condition.id}"
    link = f'href="#{prefix}-stage-{stages[1].id}-hint-es">Please keep this to 500 characters or fewer.'
    assert link in page.text
    assert _box(page.text, f"{prefix}-name-es") == "LLC"  # what was typed is shown again
    after, _ = _cll(app)
    assert (after.name, after.translations) == (condition.name, condition.translations)


def test_the_main_language_changes_only_once_every_text_has_it(app, demo, console_client):
    client = console_client("demo")
    condition, stages = _cll(app)
    client.post(
        f"/console/programs/demo/conditions/{condition.id}",
        data={"name": condition.name, f"stage-{stages[2].id}-hint-es": ""},
    )
    spanish_main = form_of(settings_of(app), default_locale="es")
    refused = client.post("/console/programs/demo/settings", data=spanish_main)
    assert refused.status_code == 422
    assert (
        "Write these in Spanish before making it the main language, as its readers would otherwise see no "
        f"text: the description of the stage “{stages[2].name}” ({condition.name})."
    ) in refused.text
    assert reload(app, Program, slug="demo").default_locale == "en"

    client.post(
        f"/console/programs/demo/conditions/{condition.id}",
        data={"name": condition.name, f"stage-{stages[2].id}-hint-es": "Terminó un ciclo."},
    )
    saved = client.post(
        "/console/programs/demo/settings",
        data=form_of(settings_of(app), default_locale="es"),
        follow_redirects=True,
    )
    assert "Settings saved." in saved.text
    after, _ = _cll(app)
    assert after.name == "Leucemia linfocítica crónica (LLC)"
    assert after.translations == {"name": {"en": "Chronic lymphocytic leukaemia (CLL)"}}
    assert reload(app, Program, slug="demo").description.startswith("Pequeñas conversaciones")
    assert "Spanish (main language)" in saved.text
    english = app.test_client().get("/p/demo?lang=en").text
    assert "Chronic lymphocytic leukaemia (CLL)" in english and "Small video conversations" in english
