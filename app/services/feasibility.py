"""Cohorts against the matcher's feasibility rules, and what they break in a coordinator's words.

The program's rows become the matcher's values through `matcher_bridge` (proposing cohorts uses the same
conversion), and `matching.rules.check_cohort` does the checking, so the console and the matcher never
disagree on a rule.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date

from babel import Locale
from sqlmodel import Session, select

from app.database import utcnow
from app.models import Cohort, CohortMember, CohortStatus, Host, Participant, Program
from app.reading_zone import weekly_hour
from app.services.matcher_bridge import load_catalogue, matcher_host, matcher_registrant, matcher_settings
from app.services.scheduling import program_week_start
from app.services.zoom_pool import meetings_starting, pool_capacity
from matching.capacity import overlapping_starts
from matching.model import HOURS_PER_WEEK, Registrant
from matching.model import Cohort as MatcherCohort
from matching.rules import Rule, Violation, check_cohort, is_worse

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ENGLISH = Locale("en")


def slot_label(slot: int) -> str:
    """An hour of the week in UTC, e.g. "Tuesday 14:00 UTC" (for files machines read)."""
    return f"{WEEKDAYS[slot // 24]} {slot % 24:02d}:00 UTC"


def slot_for_reader(program: Program, slot: int) -> str:
    """An hour of the week as the reader reads it, in the program's first week of meetings: "Tuesday 15:00
    CET"."""
    return weekly_hour(slot, program_week_start(program, utcnow().date()))


def language_label(code: str) -> str:
    """A language's English name ("Spanish"), for coordinators."""
    return ENGLISH.languages.get(code, code)


@dataclass(frozen=True)
class Draft:
    """A cohort as it is, or as a change would leave it: its members, host and hour."""

    cohort: Cohort
    members: tuple[Participant, ...]
    host: Host | None
    slot: int

    def with_members(self, members: Iterable[Participant]) -> Draft:
        return replace(self, members=tuple(members))


@dataclass(frozen=True)
class SlotChoice:
    """An hour of the week a cohort could meet at, and who of it is not free then."""

    slot: int
    busy: tuple[str, ...]


class CohortRules:
    """One program's feasibility rules, ready to check its cohorts and to say what they break.

    Built once per request or change: it reads the program's catalogue once, and each host's other
    cohorts once.
    """

    def __init__(self, session: Session, program: Program, *, today: date | None = None):
        self.session = session
        self.program = program
        self.catalogue = load_catalogue(session, program)
        self.settings = matcher_settings(
            program, self.catalogue, zoom_capacity=pool_capacity(session, program)
        )
        self.week = program_week_start(program, today or utcnow().date())
        self._host_slots: dict[int, list[tuple[int, int]]] = {}
        self._program_slots: dict[tuple[tuple[int, ...], frozenset[int]], list[int]] = {}
        self._registrants: dict[int, Registrant] = {}

    def draft(self, cohort: Cohort) -> Draft:
        members = self.session.exec(
            select(Participant)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(CohortMember.cohort_id == cohort.id)
            .order_by(Participant.id)
        ).all()
        host = self.session.get(Host, cohort.host_id) if cohort.host_id else None
        return Draft(cohort, tuple(members), host, cohort.slot)

    def violations(self, draft: Draft, *, ignoring: Collection[int] = ()) -> list[Violation]:
        """The rules `draft` breaks; the host's cohorts in `ignoring` (and this one) do not count."""
        host = matcher_host(draft.host, self.week) if draft.host else None
        return check_cohort(
            self._matcher_cohort(draft),
            [self.registrant(person) for person in draft.members],
            self.settings,
            host=host,
            host_slots=self._other_slots(draft, {draft.cohort.id, *ignoring}) if draft.host else (),
            program_slots=self._program_meetings(draft.slot, {draft.cohort.id, *ignoring}),
        )

    def new_violations(self, before: Collection[Violation], after: Draft, **options) -> list[Violation]:
        """What `after` breaks that was not already broken (as badly) `before`."""
        return [violation for violation in self.violations(after, **options) if is_worse(violation, before)]

    def warnings(self, draft: Draft) -> list[str]:
        return self.words(draft, self.violations(draft))

    def words(self, draft: Draft, violations: Iterable[Violation]) -> list[str]:
        return [self._sentence(draft, violation) for violation in violations]

    def registrant(self, person: Participant) -> Registrant:
        """The matcher's view of a person, converted once (turning availability into UTC hours is the
        costly part when many people waiting are tried against a cohort)."""
        if person.id not in self._registrants:
            self._registrants[person.id] = matcher_registrant(person, self.catalogue, self.week)
        return self._registrants[person.id]

    def busy_hours(self, draft: Draft) -> list[SlotChoice]:
        """Every hour of the week, each with who of the draft (members by name, then the host) is not
        free then by the times they gave."""
        members = sorted(draft.members, key=lambda person: person.display_name)
        people = [(person.display_name, self.registrant(person).availability) for person in members]
        if draft.host is not None:
            host = draft.host
            people.append((f"{host.display_name} (host)", matcher_host(host, self.week).availability))
        return [
            SlotChoice(slot, tuple(name for name, free in people if slot not in free))
            for slot in range(HOURS_PER_WEEK)
        ]

    def _matcher_cohort(self, draft: Draft) -> MatcherCohort:
        cohort = draft.cohort
        return MatcherCohort(
            id=str(cohort.id),
            condition=self.catalogue.condition_code(cohort.condition_id),
            language=cohort.language,
            slot=draft.slot,
            members=tuple(str(person.id) for person in draft.members),
            host=str(draft.host.id) if draft.host else None,
            role=cohort.role if self.program.separate_roles else None,
        )

    def read_host_slots(self, host_ids: Collection[int]) -> None:
        """Read the cohorts of these hosts in one go, for checking the cohort with each of them."""
        wanted = [host_id for host_id in host_ids if host_id not in self._host_slots]
        if not wanted:
            return
        for host_id in wanted:
            self._host_slots[host_id] = []
        for host_id, cohort_id, slot in self.session.exec(
            select(Cohort.host_id, Cohort.id, Cohort.slot).where(
                Cohort.host_id.in_(wanted), Cohort.status != CohortStatus.CANCELLED
            )
        ):
            self._host_slots[host_id].append((cohort_id, slot))

    def _other_slots(self, draft: Draft, ignoring: set[int | None]) -> list[int]:
        """The slots of the host's other cohorts that are not cancelled."""
        self.read_host_slots([draft.host.id])
        return [slot for cohort_id, slot in self._host_slots[draft.host.id] if cohort_id not in ignoring]

    def _program_meetings(self, slot: int, ignoring: set[int | None]) -> list[int] | None:
        """The slots of the program's other cohorts, not cancelled, whose meetings would share an hour with
        one at `slot`: they share its Zoom users, and the others cannot make it too many (None when the pool
        sets no limit). Read once for every draft at that hour ignoring the same cohorts."""
        if self.settings.max_concurrent is None:
            return None
        near = overlapping_starts(slot, self.settings.meeting_hours)
        ignored = frozenset(cohort_id for cohort_id in ignoring if cohort_id is not None)
        if (near, ignored) not in self._program_slots:
            meetings = meetings_starting(self.session, self.program, near, ignoring=ignored)
            self._program_slots[near, ignored] = meetings
        return self._program_slots[near, ignored]

    def _sentence(self, draft: Draft, violation: Violation) -> str:
        detail = violation.detail
        names = {str(person.id): person.display_name for person in draft.members}
        who = _listed(names[member] for member in violation.members)
        host = draft.host.display_name if draft.host else "The host"
        condition = self.catalogue.condition_names.get(detail.get("condition"), detail.get("condition"))
        time = slot_for_reader(self.program, draft.slot)
        match violation.rule:
            case Rule.SIZE:
                size = detail["size"]
                if size > detail["max_size"]:
                    return f"The group has {size} people; this program allows at most {detail['max_size']}."
                people = "person" if size == 1 else "people"
                return f"The group has {size} {people}; this program needs at least {detail['min_size']}."
            case Rule.CONDITION:
                group = self.catalogue.condition_names[detail["cohort_condition"]]
                return f"{who} has {condition}, not the group's condition ({group})."
            case Rule.ROLE:
                verb = "is" if len(violation.members) == 1 else "are"
                return f"{who} {verb} not a {detail['role']}; this group is for {detail['role']}s."
            case Rule.LANGUAGE:
                verb = "does" if len(violation.members) == 1 else "do"
                return f"{who} {verb} not speak {language_label(detail['language'])}, the group's language."
            case Rule.TIME:
                return f"{who} is not free at the group's time ({time})."
            case Rule.STAGE_GAP:
                return f"Stages span {detail['span']} steps; this program allows {detail['max_stage_gap']}."
            case Rule.AVOID:
                avoided = _listed(names[member] for member in violation.members[1:])
                return f"{names[violation.members[0]]} asked not to be in a group with {avoided}."
            case Rule.HOST_UNKNOWN:
                return "The group's host is not in this program's host pool."
            case Rule.HOST_CONDITION:
                return f"{host} does not host groups about {condition}."
            case Rule.HOST_LANGUAGE:
                return f"{host} does not speak {language_label(detail['language'])}, the group's language."
            case Rule.HOST_TIME:
                return f"{host} is not free at the group's time ({time})."
            case Rule.HOST_LOAD:
                return (
                    f"{host} would lead {detail['cohorts']} groups; "
                    f"they lead at most {detail['max_cohorts']}."
                )
            case Rule.HOST_DOUBLE_BOOKED:
                return f"{host} already leads a group at this time."
            case Rule.CAPACITY:
                hour = slot_for_reader(self.program, detail["slot"])
                return (
                    f"{detail['meetings']} groups would be meeting at {hour}; the program's Zoom users can "
                    f"run {_meetings(detail['max_concurrent'])} at once."
                )
        return str(violation.rule)


def _meetings(count: int) -> str:
    return "1 meeting" if count == 1 else f"{count} meetings"


def _listed(names: Iterable[str]) -> str:
    """Names as people write a list of them: "Ana", "Ana and Ben", "Ana, Ben and Carmen"."""
    *others, last = list(names) or [""]
    return f"{', '.join(others)} and {last}" if others else last


def rules_for(session: Session, cohort: Cohort) -> CohortRules:
    return CohortRules(session, session.get(Program, cohort.program_id))


def cohort_warnings(session: Session, cohort: Cohort, rules: CohortRules | None = None) -> list[str]:
    """The rules the cohort breaks now, in words (empty when it is fine, or cancelled). Here and below,
    `rules` are the program's, when the caller has them already."""
    if cohort.status == CohortStatus.CANCELLED:
        return []
    rules = rules or rules_for(session, cohort)
    return rules.warnings(rules.draft(cohort))


def slot_choices(
    session: Session, cohort: Cohort, rules: CohortRules | None = None, draft: Draft | None = None
) -> list[SlotChoice]:
    """Every UTC hour of the week, each with who of the cohort (members, and the host if any) is not free
    then (`draft`: the cohort as it is, when the caller has read it already)."""
    rules = rules or rules_for(session, cohort)
    return rules.busy_hours(draft or rules.draft(cohort))


def host_options(
    session: Session, cohort: Cohort, rules: CohortRules | None = None, draft: Draft | None = None
) -> list[tuple[Host, list[str]]]:
    """The program's active hosts, each with the warnings giving them this cohort would raise; those
    that fit first, then by name."""
    rules = rules or rules_for(session, cohort)
    draft = draft or rules.draft(cohort)
    hosts = session.exec(
        select(Host).where(Host.program_id == cohort.program_id, Host.active).order_by(Host.display_name)
    ).all()
    rules.read_host_slots([host.id for host in hosts])
    options = []
    for host in hosts:
        with_host = replace(draft, host=host)
        about_host = [v for v in rules.violations(with_host) if v.rule.startswith("host_")]
        options.append((host, rules.words(with_host, about_host)))
    return sorted(options, key=lambda option: len(option[1]) > 0)
