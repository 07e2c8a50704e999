"""A program's own texts reach each reader in their language: the sign-up page, the API's program facts; where
a text has no translation, its reader gets the program's main language, and is told which."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app import database
from app.content import with_texts
from app.models import Condition, Participant, Program, Stage

CLL_ES = "Leucemia linfocítica crónica (LLC)"


def _drop_spanish(app, model, code: str, field: str) -> None:
    """Take away the Spanish text of `field` from the demo's row of `model` with this code."""
    with app.app_context():
        session = database.session()
        row = session.exec(select(model).where(model.code == code)).first()
        row.translations = with_texts(row.translations, field, {"es": ""})
        session.add(row)
        session.commit()


def test_the_sign_up_page_in_spanish_names_conditions_and_stages_in_spanish(kit):
    page = kit.client.get("/p/demo?lang=es").text
    assert CLL_ES in page and "Chronic lymphocytic leukaemia" not in page
    assert "Vigilancia activa" in page and "Sus médicos la vigilan sin tratarla todavía." in page
    assert "Pequeñas conversaciones por vídeo" in page and "Small video conversations" not in page
    english = kit.client.get("/p/demo?lang=en").text
    assert "Chronic lymphocytic leukaemia (CLL)" in english and CLL_ES not in english
    assert "Watch and wait" in english and "Small video conversations" in english


def test_a_text_with_no_spanish_shows_the_main_language_marked_as_such(kit):
    _drop_spanish(kit.app, Condition, "cll", "name")
    with kit.app.app_context():
        program = database.session().exec(select(Program).where(Program.slug == "demo")).one()
        program.translations = with_texts(program.translations, "description", {"es": ""})
        database.session().commit()
    page = kit.client.get("/p/demo?lang=es").text
    assert '<span lang="en">Chronic lymphocytic leukaemia (CLL)</span>' in page  # read aloud in English
    assert ">Cáncer de mama</label>" in page
    assert re.search(r'<p lang="en">Small video conversations', page)


def test_a_spanish_registrant_sees_their_answers_named_in_spanish_on_their_page(kit):
    participant = kit.register_and_verify(stage="in-treatment")
    with kit.app.app_context():
        database.session().get(Participant, participant.id).locale = "es"
        database.session().commit()
    manage = kit.client.get(kit.signed_path(kit.manage, "manage", participant.id)).text
    assert CLL_ES in manage and "En tratamiento" in manage and "In treatment" not in manage


@pytest.mark.parametrize(
    "asked", [{"query_string": {"lang": "es"}}, {"headers": {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}}]
)
def test_the_api_answers_program_facts_in_the_language_asked_for(kit, asked):
    facts = kit.client.get("/api/v1/programs/demo", **asked)
    assert facts.headers["Content-Language"] == "es"
    body = facts.json
    assert body["lang"] == "es" and body["description"].startswith("Pequeñas conversaciones")
    assert body["text_languages"] == {"description": "es"}
    cll = next(condition for condition in body["conditions"] if condition["code"] == "cll")
    assert (cll["name"], cll["text_languages"]) == (CLL_ES, {"name": "es"})
    assert cll["stages"][0] == {
        "code": "watch-and-wait",
        "name": "Vigilancia activa",
        "hint": "Sus médicos la vigilan sin tratarla todavía.",
        "text_languages": {"name": "es", "hint": "es"},
    }


def test_the_api_says_which_texts_fell_back_to_the_main_language(kit):
    _drop_spanish(kit.app, Stage, "relapsed", "hint")
    body = kit.client.get("/api/v1/programs/demo?lang=es").json
    cll = next(condition for condition in body["conditions"] if condition["code"] == "cll")
    relapsed = next(stage for stage in cll["stages"] if stage["code"] == "relapsed")
    assert relapsed == {
        "code": "relapsed",
        "name": "Recaída",
        "hint": "It has come back after treatment.",
        "text_languages": {"name": "es", "hint": "en"},
    }
    fresh = kit.app.test_client()  # the other remembers the `?lang=es` of its visit
    english = fresh.get("/api/v1/programs/demo", headers={"Accept-Language": "en"}).json
    assert english["lang"] == "en"
    assert english["conditions"][1]["name"] == "Chronic lymphocytic leukaemia (CLL)"
