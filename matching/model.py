"""The matcher's typed core: what goes in (a `Problem`) and what comes out (an `Assignment`).

All values are immutable and hold plain data only, so the app can build them from its rows and turn the
result back into rows without the matcher knowing about either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

HOURS_PER_WEEK = 168
# The most hours suggested to one waiting person (`Waiting.suggested_slots`).
MOST_SUGGESTED_SLOTS = 3
ROLES = ("patient", "caregiver")


@dataclass(frozen=True, slots=True)
class Settings:
    """How cohorts are shaped for one program."""

    min_size: int = 4
    max_size: int = 8
    target_size: int = 6
    max_stage_gap: int = 1
    separate_roles: bool = True
    # Condition -> its stages, earliest first; every registrant's condition must be listed.
    stage_order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The program's Zoom capacity: at most this many cohorts meeting at once (None: no limit), each
    # meeting occupying `meeting_hours` consecutive slots (see `capacity`).
    max_concurrent: int | None = None
    meeting_hours: int = 1

    def stage_index(self, condition: str, stage: str | None) -> int | None:
        """Position of `stage` in the condition's stage order (the unit of `max_stage_gap`); None for
        an unknown stage."""
        return None if stage is None else self.stage_order[condition].index(stage)

    def size_is_feasible(self, size: int) -> bool:
        """Whether `size` people can be split into cohorts of `min_size..max_size`."""
        cohorts = -(-size // self.max_size)
        return size > 0 and cohorts * self.min_size <= size


@dataclass(frozen=True, slots=True)
class Registrant:
    """A person waiting to be placed; `availability` holds UTC hours of the week (0 = Monday 00:00).

    `stage` is None when the person is not sure of it: they fit a cohort of any stages, and do not count
    towards its stage gap.
    """

    id: str
    condition: str
    stage: str | None
    role: str
    languages: tuple[str, ...]
    availability: frozenset[int]
    timezone: str = "UTC"
    avoid: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Host:
    """A volunteer who can lead up to `max_cohorts` cohorts, never two at the same hour."""

    id: str
    conditions: frozenset[str]
    languages: tuple[str, ...]
    availability: frozenset[int]
    max_cohorts: int = 1


@dataclass(frozen=True, slots=True)
class Cohort:
    """A group meeting weekly at `slot` (UTC hour of the week) in `language`.

    `role` is the members' shared role when the program separates roles, else None. `locked` cohorts are
    the coordinator's and pass through the matcher untouched.
    """

    id: str
    condition: str
    language: str
    slot: int
    members: tuple[str, ...]
    host: str | None = None
    role: str | None = None
    locked: bool = False


class WaitReason(StrEnum):
    """Why someone is on the waitlist, phrased as what would help them."""

    TOO_FEW_PEOPLE = "too_few_people"
    NO_SHARED_LANGUAGE = "no_shared_language"
    NO_COMMON_TIME = "no_common_time"
    STAGE_TOO_FAR = "stage_too_far"
    AVOID_CONFLICT = "avoid_conflict"
    # Enough compatible people exist, but they are already in full cohorts.
    NO_ROOM = "no_room"
    # Enough compatible people share an hour, but the program's Zoom capacity is used up then.
    NO_MEETING_CAPACITY = "no_meeting_capacity"


@dataclass(frozen=True, slots=True)
class Waiting:
    """A waitlisted registrant, with the reason and optional facts that would help a coordinator.

    `suggested_slots` are hours the person did not offer, best first, at which they could be placed if
    they added one (see `suggestions`).
    """

    id: str
    reason: WaitReason
    detail: Mapping[str, object] | None = None
    suggested_slots: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """Everything the matcher needs: settings, people, hosts and the cohorts that already exist."""

    settings: Settings
    registrants: tuple[Registrant, ...]
    hosts: tuple[Host, ...] = ()
    cohorts: tuple[Cohort, ...] = ()


@dataclass(frozen=True, slots=True)
class Assignment:
    """The matcher's answer: every registrant is in exactly one cohort or on the waitlist."""

    cohorts: tuple[Cohort, ...]
    waitlist: tuple[Waiting, ...]

    @property
    def placed(self) -> int:
        """How many registrants are in a cohort."""
        return sum(len(cohort.members) for cohort in self.cohorts)
