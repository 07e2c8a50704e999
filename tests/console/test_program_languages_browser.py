"""A program's texts in every language on its settings page, in headless Chromium: the boxes of one text side
by side, main language first, a missing translation marked until it is written, and no serious accessibility
problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from app import database
from app.content import with_texts
from app.demo import seed_demo
from app.models import Condition, Stage
from app.services.accounts import create_coordinator

SETTINGS = "/console/programs/demo/settings"
AXE = Path(__file__).parents[1] / "registration" / "vendor" / "axe.min.js"
PASSWORD = "a long enough test password"


@pytest.fixture
def relapsed(app) -> Stage:
    """The demo program, with no Spanish description for CLL's stage "Relapsed", and its coordinator."""
    with app.app_context():
        session = database.session()
        program = seed_demo(session)
        cll = session.exec(
            select(Condition).where(Condition.program_id == program.id, Condition.code == "cll")
        )
        stage = session.exec(
            select(Stage).where(Stage.condition_id == cll.one().id, Stage.code == "relapsed")
        )
        stage = stage.one()
        stage.translations = with_texts(stage.translations, "hint", {"es": ""})
        create_coordinator(session, "texts@example.org", PASSWORD, program_slugs=("demo",))
        session.commit()
        return stage


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_coordinator_writes_a_missing_translation_beside_the_main_text(app, relapsed, browser, server):
    # The console's own script is trusted by its Content Security Policy; bypassing it lets axe-core in.
    page = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    page.goto(f"{server}{SETTINGS}")
    page.get_by_label("Email address").fill("texts@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    english, spanish = page.locator("#field-description"), page.locator("#field-description-es")
    left, right = english.bounding_box(), spanish.bounding_box()
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2  # side by side
    assert spanish.input_value().startswith("Pequeñas conversaciones")

    box = page.locator(f"[id$='-stage-{relapsed.id}-hint-es']")
    mark = page.locator(f"[id$='-stage-{relapsed.id}-hint-es-missing']")
    assert mark.is_visible() and "people see the English text" in mark.inner_text()
    assert mark.get_attribute("id") in box.get_attribute("aria-describedby")

    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})")
    serious = [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious)

    box.fill("Ha vuelto después del tratamiento.")
    page.get_by_role("button", name="Save Chronic lymphocytic leukaemia (CLL)").click()
    assert page.get_by_text("“Chronic lymphocytic leukaemia (CLL)” saved.").is_visible()
    assert page.locator(f"[id$='-stage-{relapsed.id}-hint-es']").input_value() == (
        "Ha vuelto después del tratamiento."
    )
    assert page.locator(f"[id$='-stage-{relapsed.id}-hint-es-missing']").count() == 0
