"""Survey answers counted in the database: how many gave each answer to each question, so that a large
program's results are a few rows per question rather than every response's answers decoded here.

Answers are a JSON object per response. SQLite and PostgreSQL both list an object's entries with
`json_each`, but tell an entry's type and read a string's words differently: `_entries` is the one place
that knows how.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, Text, case, cast, func, literal_column, or_, true
from sqlmodel import Session, select

# The longest code a choice's answer can be (see `app.services.survey.results`): a longer string is written
# words, counted without being read.
LONGEST_CODE = 40
# Python's `str.strip()` drops these characters; the database trims the same ones, so an answer of nothing
# but spaces, line breaks or ideographic spaces is unanswered in the counts as it is among the comments.
WHITESPACE = "".join(character for character in map(chr, range(0x3001)) if character.isspace())


class Words:
    """Written answers counted without their words: the results show only how many there are."""

    def __repr__(self) -> str:
        return "WORDS"


WORDS = Words()

Counts = dict[str, list[tuple[Any, int]]]  # question key: (an answer, how many gave it), each answer once


@dataclass(frozen=True)
class _Entries:
    """The entries of each answers object: its key, whether its value is JSON null or a string, and its
    text (a string's words, any other value as JSON)."""

    source: FromClause
    key: ColumnElement[str]
    is_null: ColumnElement[bool]
    is_string: ColumnElement[bool]
    text: ColumnElement[str]


def answer_counts(session: Session, responses: Select, text_keys: Collection[str]) -> Counts:
    """How many of `responses` (a statement selecting their answers) gave each answer to each question key;
    an answer left empty, or blank, is not counted. Answers to `text_keys`, and any string too long to be a
    choice's code, come back as `WORDS`, counted together."""
    answers = responses.subquery()
    entries = _entries(session.get_bind().dialect.name, answers.c[0])
    words = or_(entries.key.in_(text_keys), entries.is_string & (func.length(entries.text) > LONGEST_CODE))
    read = case((words, None), else_=entries.text)
    blank = entries.is_string & (func.trim(entries.text, WHITESPACE) == "")
    query = (
        select(entries.key, entries.is_string, read, func.count())
        .select_from(answers.join(entries.source, true()))  # each response's entries
        .where(~entries.is_null, ~blank)
        .group_by(entries.key, entries.is_string, read)
    )
    counts: Counts = defaultdict(list)
    for key, string, text, count in session.exec(query):
        counts[key].append((WORDS if text is None else text if string else json.loads(text), count))
    return counts


def _entries(dialect: str, answers: ColumnElement) -> _Entries:
    if dialect == "postgresql":
        each = func.json_each(answers).table_valued("key", "value")
        kind = func.json_typeof(each.c.value)
        words = each.c.value.op("#>>", return_type=Text)(literal_column("'{}'"))  # the value's text, unquoted
        return _Entries(each, each.c.key, kind == "null", kind == "string", words)
    each = func.json_each(answers).table_valued("key", "value", "type")
    # SQLite gives true and false as 1 and 0, and numbers as numbers.
    text = case((each.c.type.in_(("true", "false")), each.c.type), else_=cast(each.c.value, Text))
    return _Entries(each, each.c.key, each.c.type == "null", each.c.type == "text", text)
