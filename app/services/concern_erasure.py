"""What erasure (`app.services.erasure`) does to concerns and host debriefs.

An erased member's own concerns keep only that they were raised, when, in which state and what coordinators
did (their words and their name go); a concern about them no longer points at them; wherever a concern, a
coordinator's note on one, or a host's debrief names them, their name gives way to a mention of someone
erased. The retention purge then drops every word people and coordinators wrote in the program's concerns
and debriefs, since words may name anyone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import Session, select

from app.models import Concern, HostDebrief, Program


def forget_member_in_concerns(
    session: Session, program: Program, ids: Sequence[int], names: re.Pattern[str], mention: str
) -> None:
    session.exec(update(Concern).where(Concern.participant_id.in_(ids)).values(participant_id=None, body=""))
    session.exec(update(Concern).where(Concern.about_id.in_(ids)).values(about_id=None))
    for concern in session.exec(select(Concern).where(Concern.program_id == program.id)):
        history = [{**step, "note": names.sub(mention, step.get("note", ""))} for step in concern.history]
        body = names.sub(mention, concern.body)
        if (body, history) != (concern.body, concern.history):
            concern.body, concern.history = body, history
            session.add(concern)
    for debrief in session.exec(select(HostDebrief).where(HostDebrief.program_id == program.id)):
        note = names.sub(mention, debrief.note)
        if note != debrief.note:
            debrief.note = note
            session.add(debrief)


def forget_concern_words(session: Session, program: Program) -> None:
    """For the retention purge: no words are left in the program's concerns and debriefs."""
    for concern in session.exec(select(Concern).where(Concern.program_id == program.id)):
        concern.body = ""
        concern.history = [{**step, "note": "", "by": ""} for step in concern.history]
        session.add(concern)
    session.exec(update(HostDebrief).where(HostDebrief.program_id == program.id).values(note=""))
