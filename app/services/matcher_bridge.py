"""The bridge between the program's rows and the matcher's values.

Proposing cohorts and checking them against the feasibility rules both convert through here, so they never
disagree on what a registrant, a host or a cohort is.
"""

from __future__ import annotations

import json
from collections import defaultdict, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy import JSON, Row, Select, Text, cast
from sqlmodel import Session, select

from app.models import Cohort, CohortStatus, Condition, Host, Participant, Program, Stage
from app.services.zoom_pool import hours_held
from matching.availability import utc_slots
from matching.model import Cohort as MatcherCohort
from matching.model import Host as MatcherHost
from matching.model import Registrant, Settings


@dataclass(frozen=True)
class Catalogue:
    """The program's conditions and stages, by id, as the matcher names them."""

    conditions: dict[int, Condition]
    stages: dict[int, Stage]

    def condition_code(self, condition_id: int) -> str:
        return self._condition_codes[condition_id]

    def stage_code(self, stage_id: int | None) -> str | None:
        return self._stage_codes[stage_id]

    # The codes by id, read off the rows once: a large program's registrants are converted by the hundred
    # thousand, and each read of a row's attribute goes through the ORM.
    @cached_property
    def _condition_codes(self) -> dict[int, str]:
        return {condition_id: condition.code for condition_id, condition in self.conditions.items()}

    @cached_property
    def _stage_codes(self) -> dict[int | None, str | None]:
        return {None: None} | {stage_id: stage.code for stage_id, stage in self.stages.items()}

    @cached_property
    def stage_order(self) -> dict[str, tuple[str, ...]]:
        ordered: dict[str, list[Stage]] = defaultdict(list)
        for stage in self.stages.values():
            ordered[self.condition_code(stage.condition_id)].append(stage)
        return {
            condition.code: tuple(s.code for s in sorted(ordered[condition.code], key=lambda s: s.position))
            for condition in self.conditions.values()
        }

    @cached_property
    def condition_names(self) -> dict[str, str]:
        return {condition.code: condition.name for condition in self.conditions.values()}


def load_catalogue(session: Session, program: Program) -> Catalogue:
    conditions = {c.id: c for c in session.exec(select(Condition).where(Condition.program_id == program.id))}
    stages = {s.id: s for s in session.exec(select(Stage).where(Stage.condition_id.in_(list(conditions))))}
    return Catalogue(conditions, stages)


def matcher_settings(program: Program, catalogue: Catalogue, *, zoom_capacity: int) -> Settings:
    """The program's rules for the matcher; `zoom_capacity` is how many meetings its Zoom users can run at
    once (none listed: no limit the matcher could keep, and approval will ask for a Zoom user)."""
    return Settings(
        min_size=program.min_size,
        max_size=program.max_size,
        target_size=program.target_size,
        max_stage_gap=program.max_stage_gap,
        separate_roles=program.separate_roles,
        stage_order=catalogue.stage_order,
        max_concurrent=zoom_capacity or None,
        meeting_hours=hours_held(program.meeting_minutes),
    )


# The participant's columns `matcher_registrant` reads: a query for many people selects just these.
REGISTRANT_COLUMNS = (
    Participant.id,
    Participant.condition_id,
    Participant.stage_id,
    Participant.role,
    Participant.languages,
    Participant.availability,
    Participant.timezone,
    Participant.avoid,
)


def read_rows(session: Session, statement: Select) -> list[Any]:
    """The rows of `statement`, each a named tuple of its columns, with its JSON columns read as text and
    decoded once per distinct text.

    A program's registrants give the same few languages, availability windows and empty avoid lists over and
    over: at 100,000 registrants decoding each value costs seconds, looking up the few distinct ones almost
    nothing. The values are shared between rows, so they are only to be read. The rows are read as plain rows
    and turned column by column, each JSON column decoded with one `map`: the ORM's rows and a loop over every
    value of every row cost more than the query."""
    columns = statement.selected_columns
    as_text = [isinstance(column.type, JSON) for column in columns]
    readable = [
        cast(column, Text).label(column.key) if text else column
        for column, text in zip(columns, as_text, strict=True)
    ]
    shape = namedtuple("Row", [column.key for column in columns])
    rows = session.connection().execute(statement.with_only_columns(*readable)).all()
    if not rows:
        return []
    by_column = zip(*rows, strict=True)
    values = [map(_decoded, read) if text else read for read, text in zip(by_column, as_text, strict=True)]
    return list(map(shape, *values))


@lru_cache(maxsize=65536)
def _decoded(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def matcher_registrant(person: Participant | Row, catalogue: Catalogue, week: date) -> Registrant:
    """The matcher's view of a registrant (a row with REGISTRANT_COLUMNS will do); stage None when they were
    not sure of it (fits any stage)."""
    return Registrant(
        id=str(person.id),
        condition=catalogue.condition_code(person.condition_id),
        stage=catalogue.stage_code(person.stage_id),
        role=person.role,
        languages=tuple(person.languages),
        availability=_utc_slots(person.availability, person.timezone, week),
        timezone=person.timezone,
        avoid=frozenset(map(str, person.avoid)),
    )


def matcher_host(host: Host, week: date) -> MatcherHost:
    return MatcherHost(
        id=str(host.id),
        conditions=frozenset(host.conditions),
        languages=tuple(host.languages),
        availability=_utc_slots(host.availability, host.timezone, week),
        max_cohorts=host.max_cohorts,
    )


def matcher_cohort(cohort: Cohort, catalogue: Catalogue, member_ids: Iterable[int]) -> MatcherCohort:
    return MatcherCohort(
        id=str(cohort.id),
        condition=catalogue.condition_code(cohort.condition_id),
        language=cohort.language,
        slot=cohort.slot,
        members=tuple(str(pid) for pid in sorted(member_ids)),
        host=str(cohort.host_id) if cohort.host_id else None,
        role=cohort.role,
        locked=cohort.locked or cohort.status == CohortStatus.APPROVED,
    )


def _utc_slots(windows: list[dict[str, Any]], timezone: str, week: date) -> frozenset[int]:
    """`utc_slots`, one window at a time through a cache: many people give the same windows in the same
    zone, and converting a window costs far more than looking it up (a whole program is converted at once).
    The windows' hours are joined in one union, with no set built and copied for each person."""
    hours = [_window_slots(w["weekday"], w["start"], w["end"], timezone, week) for w in windows]
    return frozenset().union(*hours)


@lru_cache(maxsize=65536)
def _window_slots(weekday: int, start: str, end: str, timezone: str, week: date) -> frozenset[int]:
    return utc_slots([{"weekday": weekday, "start": start, "end": end}], timezone, week)
