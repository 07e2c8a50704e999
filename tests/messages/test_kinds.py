"""The registry of message kinds is whole: every kind has a builder, a label, a timing, templates in every
language the emails are written in, and the app names kinds only through it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import app
import emails
from app.messages.building import BUILDERS
from app.messages.kinds import KINDS, MEMBER_SCHEDULE, Channel, MessageKind
from app.messages.text_building import TEXT_BUILDERS
from emails.i18n import LANGUAGES, SOURCE_LANGUAGE, catalogue_path

EMAILS = Path(emails.__file__).parent
TEMPLATES = EMAILS / "templates"
ROOT = Path(app.__file__).parent.parent
TEMPLATE_FILES = ("subject.txt", "preview.txt", "body.txt", "body.html")
TEXT_TEMPLATE = "sms.txt"
TEXTED = {kind for kind, entry in KINDS.items() if Channel.SMS in entry.channels}
# What the outbox's `kind` column has always held: renaming one would orphan the rows already written.
STORED_KINDS = {
    "verify_email", "manage_link", "registration_confirmed", "waitlisted", "cohort_invitation",
    "host_briefing", "preparation_tips", "reminder", "meeting_changed", "meeting_cancelled", "survey",
    "missed_you", "survey_reminder", "member_answer", "seat_offered", "seat_taken",
    "absence_check", "absence_paused", "host_debrief", "concern_raised", "meetings_to_open",
}  # fmt: skip


def test_every_kind_is_registered_under_the_name_the_database_holds():
    assert set(KINDS) == set(MessageKind)
    assert {kind.value for kind in MessageKind} == STORED_KINDS


def test_every_kind_has_a_builder_for_each_of_its_channels():
    emailed = {kind for kind, entry in KINDS.items() if Channel.EMAIL in entry.channels}

    assert emailed == set(MessageKind)
    assert set(BUILDERS) == emailed
    assert set(TEXT_BUILDERS) == TEXTED


def test_reminders_changes_cancellations_and_surveys_go_by_text_too():
    by_text = {
        MessageKind.REMINDER,
        MessageKind.MEETING_CHANGED,
        MessageKind.MEETING_CANCELLED,
        MessageKind.SURVEY,
    }

    assert by_text == TEXTED


def test_every_kind_has_a_label_of_its_own_and_says_when_it_goes():
    labels = [entry.label for entry in KINDS.values()]

    assert all(label.strip() for label in labels)
    assert len(set(labels)) == len(labels)
    assert all(entry.timing.words.strip() for entry in KINDS.values())
    assert all(KINDS[kind].timing.due is not None for kind in MEMBER_SCHEDULE)


def test_the_documentation_lists_every_kind_as_registered():
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in (ROOT / "docs" / "messages.md").read_text().splitlines()
        if line.startswith("| `")
    ]

    assert rows == [
        [f"`{kind}`", entry.label, entry.timing.words, entry.timing.on_move.value, ", ".join(entry.channels)]
        for kind, entry in KINDS.items()
    ]


def test_every_template_folder_is_a_registered_kind():
    folders = {path.name for path in TEMPLATES.iterdir() if path.is_dir()}

    assert folders == set(MessageKind)


@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_kind_has_all_its_templates(kind):
    missing = [name for name in _template_files(kind) if not (TEMPLATES / kind / name).is_file()]

    assert missing == []


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != SOURCE_LANGUAGE])
@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_kind_is_translated(kind, language):
    with catalogue_path(language).open("rb") as po:
        catalogue = read_po(po, locale=language)

    untranslated = [
        message
        for message in _template_strings(kind)
        if not _translated(catalogue.get(message if isinstance(message, str) else message[0]))
    ]
    assert untranslated == []


def test_the_app_names_kinds_only_through_the_registry():
    spelled = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for folder in ("app", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "app" / "messages" / "kinds.py"
        for line, value in _kinds_spelled_out(path)
    ]

    assert spelled == []


def _template_strings(kind: str) -> set[str | tuple[str, ...]]:
    """The translatable strings of one kind's templates, extracted the way emails/babel.cfg says."""
    with (EMAILS / "babel.cfg").open() as config:
        [(_, method)], options = parse_mapping_cfg(config)
    [options] = options.values()
    return {
        message
        for name in _template_files(kind)
        for _, message, _, _ in extract_from_file(method, TEMPLATES / kind / name, options=options)
    }


def _template_files(kind: str) -> tuple[str, ...]:
    """The templates of one kind: its email's, and the text's when it goes by text."""
    return TEMPLATE_FILES + ((TEXT_TEMPLATE,) if kind in TEXTED else ())


def _translated(entry) -> bool:
    texts = [] if entry is None else [entry.string] if isinstance(entry.string, str) else list(entry.string)
    return bool(texts) and all(texts) and not entry.fuzzy


def _kinds_spelled_out(path: Path) -> list[tuple[int, str]]:
    """String literals that stand for a message kind: a `kind=`/`kinds=` argument, the `kind` argument of a
    function of the same module, or a comparison with a `.kind` (including `.kind.in_(…)`)."""
    tree = ast.parse(path.read_text(), str(path))
    parameters = {
        node.name: [argument.arg for argument in (*node.args.posonlyargs, *node.args.args)]
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("kind", "kinds"):
            found += _strings(node.value)
        if isinstance(node, ast.Compare) and any(_is_kind(side) for side in (node.left, *node.comparators)):
            found += [string for side in (node.left, *node.comparators) for string in _strings(side)]
        if _is_in_on_kind(node):
            found += [string for argument in node.args for string in _strings(argument)]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in parameters:
            named = zip(parameters[node.func.id], node.args, strict=False)
            found += [string for name, argument in named if name == "kind" for string in _strings(argument)]
    return [(line, value) for line, value in found if value in set(MessageKind)]


def _is_kind(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "kind"


def _is_in_on_kind(node: ast.AST) -> bool:
    """`something.kind.in_(…)`, SQLAlchemy's IN."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "in_"
        and _is_kind(node.func.value)
    )


def _strings(node: ast.expr) -> list[tuple[int, str]]:
    elements = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return [
        (element.lineno, element.value)
        for element in elements
        if isinstance(element, ast.Constant) and isinstance(element.value, str)
    ]
