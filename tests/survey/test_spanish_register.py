"""Spanish speaks to people as "usted", never "tú": in the default survey questions, the pages and emails.

The check looks for words only "tú" uses: its pronouns and possessives, "te" fastened to a verb
("reunirte", "contándote"), and common verb forms that exist only for "tú" ("puedes", "quieras"). It is
tried on sentences of both registers first, so a check that misses "tú" or flags "usted" fails too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.models import DEFAULT_SURVEY_QUESTIONS

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = (
    ROOT / "app/translations/es/LC_MESSAGES/messages.po",
    ROOT / "emails/translations/es/LC_MESSAGES/messages.po",
)

TU_WORDS = {
    # pronouns and possessives
    "tú", "tu", "tus", "te", "ti", "contigo", "tuyo", "tuya", "tuyos", "tuyas",
    # verb forms of "tú" alone (the "usted" forms differ: puede, quiere, quiera, tiene, es, está, ...)
    "puedes", "podrías", "quieres", "quieras", "querrías", "tienes", "tengas", "eres", "seas", "estás",
    "estés", "sientes", "sientas", "sentiste", "necesitas", "necesites", "deseas", "desees", "prefieres",
    "prefieras", "has", "hayas", "vienes", "vengas", "sabes", "sepas", "haces", "hagas", "vas", "vayas",
    "participaste", "estuviste", "fuiste", "hablaste",
}  # fmt: skip
# "te" fastened to an infinitive or a gerund; the "usted" forms end in "le", "lo", "la" or "se".
ENCLITIC_TE = re.compile(r"\w+(?:ar|er|ir|ír|ándo|iéndo|yéndo)te(?:lo|la|los|las)?")
# Words that merely end like one of those.
NOT_ENCLITIC = {"parte", "aparte", "comparte", "reparte", "marte", "suerte", "fuerte", "muerte", "inerte"}
WORD = re.compile(r"\w+")


def tu_forms(text: str) -> list[str]:
    """The words of `text` that address someone as "tú"."""
    words = [word.lower() for word in WORD.findall(text)]
    return [
        word
        for word in words
        if word in TU_WORDS or (ENCLITIC_TE.fullmatch(word) and word not in NOT_ENCLITIC)
    ]


def spanish_survey_texts() -> Iterator[str]:
    """Every Spanish text of the default questions: the question, its scale's ends, its options."""
    for question in DEFAULT_SURVEY_QUESTIONS:
        parts = [question["text"], question.get("low"), question.get("high")]
        parts += [option["text"] for option in question.get("options", [])]
        yield from (part["es"] for part in parts if part)


def catalogue_texts(path: Path) -> Iterator[str]:
    with path.open("rb") as po:
        for message in read_po(po, locale="es"):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            yield from (string for string in strings if string)


@pytest.mark.parametrize(
    "sentence",
    [
        "¿Cómo te sentiste en la conversación?",
        "¿Te sientes menos solo o sola después de hablar con el grupo?",
        "¿Te gustaría volver a reunirte con el mismo grupo?",
        "¿Hay algo más que quieras contarnos?",
        "Puedes cambiar tus respuestas cuando quieras.",
        "Gracias por contárnoslo y por estar contigo.",
        "Seguimos contándote las novedades.",
        "Tú eliges.",
    ],
)
def test_the_check_finds_tu(sentence):
    assert tu_forms(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "¿Cómo se sintió en la conversación?",
        "¿Le gustaría volver a reunirse con el mismo grupo dentro de un mes?",
        "En parte. Cada persona comparte lo que quiere, aparte de su nombre.",
        "Puede cambiar sus respuestas cuando quiera; le escribiremos antes.",
        "Buena suerte, un abrazo fuerte, y hasta el martes.",
    ],
)
def test_the_check_leaves_usted_alone(sentence):
    assert tu_forms(sentence) == []


def test_the_default_survey_questions_say_usted():
    texts = list(spanish_survey_texts())
    assert len(texts) > 10, "no Spanish texts found: check spanish_survey_texts"
    assert {text: tu_forms(text) for text in texts if tu_forms(text)} == {}


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.parts[-4])
def test_the_spanish_pages_and_emails_say_usted(catalogue):
    texts = list(catalogue_texts(catalogue))
    assert len(texts) > 50
    assert {text: tu_forms(text) for text in texts if tu_forms(text)} == {}
