"""What a program offers those who register: its conditions, each with its stages in order.

Registering is the commonest request that writes, and it checks the program with its conditions and stages.
Loaded as ORM objects (a program, and a condition and a stage per row) that reading cost more than the
database's own work, so `find_registration_terms` reads them with one Core query into plain, read-only values,
which each web process keeps until the program's `terms_version` moves (`app.views.program_scope`). Pages
that show a program (the form again, with its errors) load the program as every other page does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import String, bindparam, cast, select
from sqlmodel import Session

from app.content import CONDITION_TEXTS, STAGE_TEXTS, Translations, worded
from app.models import Condition, Program, Stage


@dataclass(frozen=True)
class ProgramTerms:
    """What a registration reads of its program, named as a Program's attributes."""

    id: int
    slug: str
    registration_open: bool
    default_locale: str
    languages: list[str]
    privacy_notice_version: str
    country: str
    terms_version: int  # what the statement recording a registration checks is still the program's


@dataclass(frozen=True)
class OfferedCondition:
    id: int
    code: str
    name: str
    translations: Translations = field(default_factory=dict)
    # The language of each text as `offers_in` shows it ({"name": "es"}); empty for the stored row.
    text_locales: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OfferedStage:
    id: int
    code: str
    name: str
    hint: str
    translations: Translations = field(default_factory=dict)
    text_locales: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConditionOffer:
    """A condition with its stages in order, as the page, the API and the validator see it: the ORM rows
    (`list_conditions`, for pages that change them) or read-only copies (`find_registration_terms`)."""

    condition: Condition | OfferedCondition
    stages: tuple[Stage, ...] | tuple[OfferedStage, ...]

    def stage_named(self, code: str | None) -> Stage | OfferedStage | None:
        return next(stage for stage in self.stages if stage.code == code) if code is not None else None


def offers_in(offers: list[ConditionOffer], locale: str, main: str) -> list[ConditionOffer]:
    """The offers as a reader of `locale` sees them: each name and hint in `locale`, or in the program's main
    language `main` where it has none, with the language of each (`text_locales`)."""
    return [
        ConditionOffer(
            OfferedCondition(
                offer.condition.id,
                offer.condition.code,
                **_texts(offer.condition, CONDITION_TEXTS, locale, main),
            ),
            tuple(
                OfferedStage(stage.id, stage.code, **_texts(stage, STAGE_TEXTS, locale, main))
                for stage in offer.stages
            ),
        )
        for offer in offers
    ]


def _texts(row, fields: tuple[str, ...], locale: str, main: str) -> dict:
    shown = {name: worded(row, name, locale, main) for name in fields}
    return {
        **{name: text.text for name, text in shown.items()},
        "text_locales": {name: text.locale for name, text in shown.items()},
    }


def find_registration_terms(session: Session, slug: str) -> tuple[ProgramTerms | None, list[ConditionOffer]]:
    """The program and its conditions with their stages in order; (None, []) for no such program."""
    rows = session.execute(_TERMS, {"slug": slug}).all()
    if not rows:
        return None, []
    first = rows[0]
    program = ProgramTerms(
        first.id, first.slug, first.registration_open, first.default_locale, json.loads(first.languages),
        first.privacy_notice_version, first.country, first.terms_version,
    )  # fmt: skip
    conditions: dict[int, OfferedCondition] = {}
    stages: dict[int, list[OfferedStage]] = {}
    for row in rows:
        if row.condition_id is None:
            continue  # a program with no conditions yet
        if row.condition_id not in conditions:
            conditions[row.condition_id] = OfferedCondition(row.condition_id, row.code, row.name)
        if row.stage_id is not None:
            stage = OfferedStage(row.stage_id, row.stage_code, row.stage_name, row.stage_hint)
            stages.setdefault(row.condition_id, []).append(stage)
    offers = [ConditionOffer(condition, tuple(stages.get(key, ()))) for key, condition in conditions.items()]
    return program, offers


_PROGRAM, _CONDITION, _STAGE = Program.__table__, Condition.__table__, Stage.__table__
# Built once; the program's columns come on every row (one per stage), so only the few that are read, and its
# languages as the stored JSON text, decoded once (`find_registration_terms`): decoding them on every row was
# half the Python work of reading the terms. The texts come in the program's main language alone: a
# registration checks codes, and a page that shows the names reads them in its reader's language
# (`offers_in`).
_TERMS = (
    select(
        *(_PROGRAM.c[name] for name in ("id", "slug", "registration_open", "default_locale")),
        cast(_PROGRAM.c.languages, String).label("languages"),
        _PROGRAM.c.privacy_notice_version,
        _PROGRAM.c.country,
        _PROGRAM.c.terms_version,
        _CONDITION.c.id.label("condition_id"),
        _CONDITION.c.code,
        _CONDITION.c.name,
        _STAGE.c.id.label("stage_id"),
        _STAGE.c.code.label("stage_code"),
        _STAGE.c.name.label("stage_name"),
        _STAGE.c.hint.label("stage_hint"),
    )
    .select_from(
        _PROGRAM.outerjoin(_CONDITION, _CONDITION.c.program_id == _PROGRAM.c.id).outerjoin(
            _STAGE, _STAGE.c.condition_id == _CONDITION.c.id
        )
    )
    .where(_PROGRAM.c.slug == bindparam("slug"))
    .order_by(_CONDITION.c.position, _CONDITION.c.id, _STAGE.c.position, _STAGE.c.id)
)
