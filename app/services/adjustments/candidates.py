"""Who waiting could join a cohort without breaking a rule, found in the database.

A program of 100,000 registrants may have tens of thousands waiting with a cohort's condition, and trying each
of them against the rules took minutes. The database is asked instead, for each rule a newcomer could break,
who keeps it: speaks the cohort's language, is free at its hour, has its role, has a stage close enough to the
members', avoids none of them and is avoided by none; and while the group is full, no one. The few people it
returns, best first, are then checked against the rules themselves (`CohortRules`), as any change is, so the
database's answer never lets through someone the rules refuse.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, literal, not_, or_, true
from sqlmodel import Session, select

from app.json_lists import has_any, has_window
from app.models import Cohort, Participant, ParticipantStatus, Unplaced
from app.services.feasibility import CohortRules, Draft
from app.services.scheduling import local_window
from matching.rules import Rule

# Where someone not sure of their stage comes in the order: after everyone whose stage is known.
UNSURE = 1_000_000


@dataclass(frozen=True)
class Newcomers:
    """The people waiting with a cohort's condition, and what a newcomer must meet not to break each rule."""

    rules: CohortRules
    draft: Draft
    waiting: tuple[ColumnElement[bool], ...]
    keeps: dict[Rule, ColumnElement[bool]]

    def fitting(
        self,
        session: Session,
        *,
        limit: int | None = None,
        excluding: Collection[int] = (),
        only: int | None = None,
    ) -> list[Participant]:
        """Those who keep every rule, the closest in stage first, then those waiting longest: read a few more
        than `limit` at a time and each checked against the rules."""
        query = select(Participant).where(*self.waiting, *self.keeps.values()).order_by(*self._order())
        if excluding:
            query = query.where(Participant.id.not_in(list(excluding)))
        if only is not None:
            query = query.where(Participant.id == only)
        before = self.rules.violations(self.draft)
        batch = None if limit is None else limit + 10
        found: list[Participant] = []
        offset = 0
        while True:
            people = session.exec(query.offset(offset).limit(batch)).all()
            for person in people:
                after = self.draft.with_members([*self.draft.members, person])
                if not self.rules.new_violations(before, after):
                    found.append(person)
                    if len(found) == limit:
                        return found
            if batch is None or len(people) < batch:
                return found
            offset += batch

    def broken(self, session: Session) -> tuple[int, list[tuple[Rule, int]]]:
        """How many wait with the cohort's condition, and how many of them break each rule (most first)."""
        counts = session.exec(
            select(func.count(), *(func.sum(case((keep, 0), else_=1)) for keep in self.keeps.values()))
            .select_from(Participant)
            .where(*self.waiting)
        ).one()
        broken = [(rule, count or 0) for rule, count in zip(self.keeps, counts[1:], strict=True)]
        return counts[0], sorted((item for item in broken if item[1]), key=lambda item: -item[1])

    def _order(self) -> tuple[Any, ...]:
        """As `_stage_distance` in the rules' words: how far a person's stage is from the middle of the
        members', then how long they have waited."""
        stages = self.rules.catalogue.stages
        positions = [stages[m.stage_id].position for m in self.draft.members if m.stage_id is not None]
        middle = sum(positions) / len(positions) if positions else None
        distances = {
            stage.id: abs(stage.position - middle) if middle is not None else 0.0
            for stage in stages.values()
            if stage.condition_id == self.draft.cohort.condition_id
        }
        distance = case(distances, value=Participant.stage_id, else_=UNSURE) if distances else literal(UNSURE)
        return distance, func.coalesce(Participant.verified_at, Participant.created_at), Participant.id


def newcomers(session: Session, rules: CohortRules, draft: Draft) -> Newcomers:
    cohort = draft.cohort
    waiting = (
        Participant.program_id == cohort.program_id,
        Participant.condition_id == cohort.condition_id,
        Participant.status == ParticipantStatus.VERIFIED,
        Participant.id.in_(select(Unplaced.participant_id).where(Unplaced.program_id == cohort.program_id)),
    )
    keeps = {
        Rule.SIZE: true() if len(draft.members) < rules.program.max_size else false(),
        Rule.LANGUAGE: has_any(session, Participant.languages, [cohort.language]),
        Rule.TIME: _free_then(session, rules, cohort),
        Rule.AVOID: _not_avoiding(session, draft),
        Rule.ROLE: _same_role(rules, draft),
        Rule.STAGE_GAP: _stage_near(rules, draft),
    }
    return Newcomers(rules, draft, waiting, keeps)


def _free_then(session: Session, rules: CohortRules, cohort: Cohort) -> ColumnElement[bool]:
    """Free at the cohort's hour: the hour falls on another weekday and time in each zone, so the zones of the
    condition's registrants are read first (from an index) and each asks for its own window."""
    zones = session.exec(
        select(Participant.timezone)
        .where(Participant.program_id == cohort.program_id, Participant.condition_id == cohort.condition_id)
        .distinct()
    ).all()
    by_window: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for zone in zones:
        by_window[tuple(local_window(rules.week, cohort.slot, zone).values())].append(zone)
    return or_(
        false(),
        *(
            and_(Participant.timezone.in_(names), has_window(session, Participant.availability, *window))
            for window, names in by_window.items()
        ),
    )


def _not_avoiding(session: Session, draft: Draft) -> ColumnElement[bool]:
    """Avoids no member, and no member avoids them."""
    avoided = {other for member in draft.members for other in member.avoid if other != member.id}
    members = [member.id for member in draft.members]
    return and_(Participant.id.not_in(sorted(avoided)), not_(has_any(session, Participant.avoid, members)))


def _same_role(rules: CohortRules, draft: Draft) -> ColumnElement[bool]:
    """Where roles meet apart: the cohort's role, else the one most of its members have."""
    if not rules.program.separate_roles:
        return true()
    role = draft.cohort.role
    if role is None and draft.members:
        role = Counter(member.role for member in draft.members).most_common(1)[0][0]
    return true() if role is None else Participant.role == role


def _stage_near(rules: CohortRules, draft: Draft) -> ColumnElement[bool]:
    """Unsure of their stage, or at one that does not widen the members' stages beyond what the program allows
    (or beyond how far apart they are already)."""
    condition_id = draft.cohort.condition_id
    order = sorted(
        (stage for stage in rules.catalogue.stages.values() if stage.condition_id == condition_id),
        key=lambda stage: stage.position,
    )
    index = {stage.id: number for number, stage in enumerate(order)}
    staged = [
        index[m.stage_id] for m in draft.members if m.condition_id == condition_id and m.stage_id in index
    ]
    if not staged:
        return true()
    lowest, highest = min(staged), max(staged)
    allowed = max(rules.program.max_stage_gap, highest - lowest)
    near = [stage.id for stage in order if highest - allowed <= index[stage.id] <= lowest + allowed]
    return or_(Participant.stage_id.is_(None), Participant.stage_id.in_(near))
