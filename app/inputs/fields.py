"""The input-checking kit: submitted values read field by field, every problem reported at once.

A rule takes one field's value and returns it checked and typed, or raises `FieldProblem`. A `FieldReader`
applies rules field by field, keeping the first problem of each, and `finish` raises `InvalidInput` with all
of them, keyed by field, so a page can show each next to its field.

A problem's message is an English template, its values (`%(count)d`) kept apart, so that text someone typed
is never read as a template. The reader words it for whoever reads it: in the page's language for patients
(`translated=True`, through Flask-Babel; such messages are marked `N_` for the catalogue), in English for
the console, which speaks English only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from flask_babel import gettext

Rule = Callable[[Any], Any]
_NOT_GIVEN = object()


def N_(message: str) -> str:
    """Marks `message` for the translation catalogue (Babel's keyword for "translate this later"); a reader
    that translates looks it up when it shows it."""
    return message


class InvalidInput(ValueError):
    """The input broke one or more rules; `errors` maps each field to one message for it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


class FieldProblem(ValueError):
    """One field's rule was broken; the message is shown next to that field."""

    def __init__(self, message: str, **values: Any):
        super().__init__(in_english(message, **values))
        self.message, self.values = message, values


def in_english(message: str, **values: Any) -> str:
    return message % values if values else message


class FieldReader:
    """Reads submitted values field by field, keeping the first problem of each, so all are shown at once.

    A field left out reads as empty, as a browser sends an empty box, unless the input says otherwise (JSON,
    where leaving a field out differs from sending it empty): a field named in `required` is then asked for
    with its message, and `read` may give a `default`. With `expected`, every other field is refused.
    """

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        translated: bool = False,
        required: Mapping[str, str] | None = None,
        expected: Collection[str] | None = None,
    ):
        self.data = data
        self.errors: dict[str, str] = {}
        self.words: Callable[..., str] = gettext if translated else in_english
        self.required = required or {}
        if expected is not None:
            for field in data:
                if field not in expected:
                    self.fail(field, N_("This field is not expected here."))

    def read(self, field: str, rule: Rule, *, default: Any = _NOT_GIVEN) -> Any:
        """The field's value as `rule` returns it; None when it broke the rule (the problem is kept)."""
        if field not in self.data:
            if field in self.required:
                self.fail(field, self.required[field])
                return None
            if default is not _NOT_GIVEN:
                return default
        try:
            return rule(self.data.get(field, ""))
        except FieldProblem as problem:
            self.fail(field, problem.message, **problem.values)
            return None

    def fail(self, field: str, message: str, **values: Any) -> None:
        self.errors.setdefault(field, self.words(message, **values))

    def finish(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)
