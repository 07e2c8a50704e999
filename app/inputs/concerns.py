"""What hosts and members write to the coordinators: a concern (its words, and optionally which member of
their group it is about), the host's debrief, and a coordinator's change to a concern in the queue."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from app.inputs.fields import N_, FieldReader
from app.inputs.rules import flag, one_of, text
from app.models import ConcernStatus, Mood

CONCERN_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000
NO_ONE = ""  # the "about" choice of a concern about no one member


@dataclass(frozen=True)
class ConcernInput:
    body: str
    about_id: int | None


@dataclass(frozen=True)
class DebriefInput:
    mood: Mood
    note: str
    concern: ConcernInput | None  # when the host ticked "I want to raise a concern"


@dataclass(frozen=True)
class ConcernChange:
    status: ConcernStatus
    note: str


def read_concern(data: Mapping[str, Any], members: Collection[int]) -> ConcernInput:
    """A concern as a host or member wrote it; `members` are the ids they may name. Raises `InvalidInput`."""
    reader = FieldReader(data, translated=True)
    concern = _concern(reader, members)
    reader.finish()
    return concern


def read_debrief(data: Mapping[str, Any], members: Collection[int]) -> DebriefInput:
    """The host's debrief; a concern is asked for only when the box is ticked. Raises `InvalidInput`."""
    reader = FieldReader(data, translated=True)
    mood = reader.read("mood", one_of([mood.value for mood in Mood], N_("Choose how the meeting went.")))
    note = reader.read("note", text(NOTE_MAX_LENGTH))
    concern = _concern(reader, members) if reader.read("raise_concern", flag) else None
    reader.finish()
    return DebriefInput(Mood(mood) if mood else Mood.WELL, note or "", concern)


def read_concern_change(data: Mapping[str, Any]) -> ConcernChange:
    """A coordinator's change to a concern: its new state, and their note (in English, as the console)."""
    reader = FieldReader(data)
    status = reader.read("status", one_of([status.value for status in ConcernStatus], "Choose a state."))
    note = reader.read("note", text(NOTE_MAX_LENGTH))
    reader.finish()
    return ConcernChange(ConcernStatus(status), note)


def _concern(reader: FieldReader, members: Collection[int]) -> ConcernInput:
    body = reader.read("concern", text(CONCERN_MAX_LENGTH, N_("Tell us what concerns you.")))
    about = reader.read(
        "about", one_of([NO_ONE, *map(str, members)], N_("Choose a member of your group, or no one."))
    )
    return ConcernInput(body or "", int(about) if about else None)
