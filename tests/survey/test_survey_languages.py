"""Survey questions follow the rule of the program's other texts: needed in its main language, edited in each
of its languages with a missing translation marked, and read in the member's language or else the main one."""

from __future__ import annotations

from app.models import Program

from . import test_survey
from .test_survey import EDITOR, _questions, _save, offered

editor = test_survey.editor  # the console's survey editor, signed in as the program's coordinator
MISSING = "Translation missing — people see the Spanish text."


def _make_spanish_the_main_language(app, survey) -> None:
    survey.change(Program, survey.program().id, default_locale="es")


def test_a_program_in_spanish_needs_its_questions_in_spanish_and_marks_missing_english(app, editor, survey):
    _make_spanish_the_main_language(app, survey)
    page = editor.get(EDITOR).text
    assert page.index('id="field-q-feeling-text-es"') < page.index('id="field-q-feeling-text-en"')
    assert "The question (Spanish, main language)" in page

    refused = _save(editor, **{"q-feeling-text-es": ""})
    assert refused.status_code == 422
    assert "Question 1: Write the question in Spanish." in refused.text

    saved = _save(editor, **{"q-feeling-text-en": ""})
    assert saved.status_code == 303
    assert offered(_questions(app)[0]["text"]) == {"es": "¿Cómo se sintió en la conversación?"}
    assert f'<p class="translation-missing" id="field-q-feeling-text-en-missing">{MISSING}</p>' in (
        editor.get(EDITOR).text
    )


def test_a_member_reads_a_question_with_no_english_in_the_main_language(app, editor, survey):
    _make_spanish_the_main_language(app, survey)
    _save(editor, **{"q-feeling-text-en": ""})
    survey.surveys_sent()
    page = survey.client.get(survey.survey_link(0)).text
    assert '<html lang="en">' in page
    assert "¿Cómo se sintió en la conversación?" in page and "Do you feel less alone" in page


def test_texts_in_a_language_the_program_no_longer_offers_are_kept(app, editor, survey):
    survey.change(Program, survey.program().id, languages=["en"])
    page = editor.get(EDITOR).text
    assert 'id="field-q-feeling-text-es"' not in page
    before = _questions(app)[0]["text"]
    assert _save(editor, **{"q-feeling-text-en": "How was it?"}).status_code == 303
    assert _questions(app)[0]["text"] == {**before, "en": "How was it?"}
    assert before["es"] == "¿Cómo se sintió en la conversación?"
