"""Changing a cohort as a whole: its host, its weekly hour, splitting it, merging two, locking it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from app.database import utcnow
from app.messages.queue import cancel_messages
from app.models import Cohort, CohortStatus, Host, Program
from app.services.adjustments import AdjustmentError
from app.services.adjustments.steps import (
    audit,
    bump,
    change,
    guard,
    lock,
    meetings_to_come,
    occasion,
    places,
    refuse_cancelled,
    refuse_unless_proposed,
    rules_of,
)
from app.services.feasibility import Draft, slot_for_reader
from app.services.meeting_setup import queue_host_briefing
from app.services.zoom_operations import queue_zoom_update
from matching.model import HOURS_PER_WEEK


def set_host(
    session: Session,
    cohort: Cohort,
    host_id: int | None,
    *,
    expected_version: int,
    actor: str,
    coordinator_id: int | None = None,
    override: bool = False,
    now: datetime,
) -> list[str]:
    """Give the cohort another host, or none; returns the warnings overridden.

    For an approved cohort Zoom's meeting is updated (its alternative host), the new host is briefed and
    the previous host's messages still to come are dropped.
    """
    lock(session, cohort, expected_version)
    refuse_cancelled(cohort)
    host = _host_of(session, cohort, host_id)
    meetings = meetings_to_come(session, cohort, now)
    rules = rules_of(session, cohort)
    draft = rules.draft(cohort)
    overridden = guard(rules, [change(rules, draft, replace(draft, host=host))], override)

    previous = cohort.host_id
    cohort.host_id = host_id
    bump(session, cohort)
    for meeting in meetings:
        queue_zoom_update(session, meeting)
        if previous is not None:
            cancel_messages(session, meeting_id=meeting.id, host_id=previous)
        if host is not None:
            queue_host_briefing(session, rules.program, meeting, host, now=now, occasion=occasion(cohort))
    audit(
        session, "cohort.host_changed", actor, coordinator_id, rules.program, ("cohort", cohort.id),
        previous_host=previous, host=host_id, overridden=overridden,
    )  # fmt: skip
    return overridden


def set_slot(
    session: Session,
    cohort: Cohort,
    slot: int,
    *,
    expected_version: int,
    actor: str,
    coordinator_id: int | None = None,
    override: bool = False,
) -> list[str]:
    """Change a proposed cohort's weekly hour (UTC); returns the warnings overridden."""
    lock(session, cohort, expected_version)
    refuse_unless_proposed(cohort, "its meeting is moved by rescheduling it instead")
    if not 0 <= slot < HOURS_PER_WEEK:
        raise AdjustmentError("Choose a meeting time from the list.")
    rules = rules_of(session, cohort)
    if slot == cohort.slot:
        raise AdjustmentError(f"Group {cohort.id} already meets at {slot_for_reader(rules.program, slot)}.")
    draft = rules.draft(cohort)
    overridden = guard(rules, [change(rules, draft, replace(draft, slot=slot))], override)

    previous, cohort.slot = cohort.slot, slot
    bump(session, cohort)
    audit(
        session, "cohort.slot_changed", actor, coordinator_id, rules.program, ("cohort", cohort.id),
        previous_slot=previous, slot=slot, overridden=overridden,
    )  # fmt: skip
    return overridden


def split_cohort(
    session: Session,
    cohort: Cohort,
    participant_ids: list[int],
    *,
    expected_version: int,
    actor: str,
    coordinator_id: int | None = None,
    override: bool = False,
) -> Cohort:
    """Form a new proposed cohort of these members (same condition, role, language and hour, no host)."""
    lock(session, cohort, expected_version)
    refuse_unless_proposed(cohort, "only proposed groups can be split")
    rules = rules_of(session, cohort)
    draft = rules.draft(cohort)
    chosen = set(participant_ids)
    leaving = [member for member in draft.members if member.id in chosen]
    if not chosen or len(leaving) != len(chosen):
        raise AdjustmentError("Choose members of this group to form the new group.")
    if len(leaving) == len(draft.members):
        raise AdjustmentError("Leave at least one member in this group; the others form the new group.")
    new = Cohort(
        program_id=cohort.program_id, condition_id=cohort.condition_id, role=cohort.role,
        language=cohort.language, slot=cohort.slot,
    )  # fmt: skip
    before = rules.violations(draft)
    staying = draft.with_members(m for m in draft.members if m.id not in chosen)
    new_draft = Draft(new, tuple(leaving), None, new.slot)
    overridden = guard(
        rules, [(f"Group {cohort.id}", before, staying), ("The new group", before, new_draft)], override
    )

    session.add(new)
    session.flush()
    for place in places(session, cohort, chosen):
        place.cohort_id = new.id
        session.add(place)
    bump(session, cohort)
    audit(
        session, "cohort.split", actor, coordinator_id, rules.program, ("cohort", cohort.id),
        new_cohort=new.id, members=sorted(chosen), overridden=overridden,
    )  # fmt: skip
    return new


def merge_cohorts(
    session: Session,
    cohort: Cohort,
    other: Cohort,
    *,
    expected_versions: dict[int, int],
    actor: str,
    coordinator_id: int | None = None,
    override: bool = False,
    now: datetime | None = None,
) -> Cohort:
    """Bring `other`'s members into `cohort` and cancel `other`; both must be proposed. The cohort keeps
    its host, or takes `other`'s when it has none."""
    if other.id == cohort.id:
        raise AdjustmentError("Choose another group to merge with this one.")
    for each in sorted((cohort, other), key=lambda c: c.id):
        lock(session, each, expected_versions.get(each.id))
        refuse_unless_proposed(each, "only proposed groups can be merged")
    if other.program_id != cohort.program_id:
        raise AdjustmentError("Only groups of the same program can be merged.")
    rules = rules_of(session, cohort)
    draft, joining = rules.draft(cohort), rules.draft(other)
    merged = replace(draft, members=draft.members + joining.members, host=draft.host or joining.host)
    before = rules.violations(draft) + rules.violations(joining)
    overridden = guard(rules, [(f"Group {cohort.id}", before, merged)], override, ignoring={other.id})

    for place in places(session, other):
        place.cohort_id = cohort.id
        session.add(place)
    cohort.host_id = merged.host.id if merged.host else None
    other.status, other.cancelled_at = CohortStatus.CANCELLED, now or utcnow()
    for each in (cohort, other):
        bump(session, each)
    audit(
        session, "cohort.merged", actor, coordinator_id, rules.program, ("cohort", cohort.id),
        merged_cohort=other.id, members=[member.id for member in joining.members], overridden=overridden,
    )  # fmt: skip
    return cohort


def set_locked(
    session: Session,
    cohort: Cohort,
    locked: bool,
    *,
    expected_version: int,
    actor: str,
    coordinator_id: int | None = None,
) -> None:
    """Lock a cohort so proposing again keeps it exactly as it is, or unlock it."""
    lock(session, cohort, expected_version)
    refuse_cancelled(cohort)
    if cohort.locked == locked:
        return
    cohort.locked = locked
    bump(session, cohort)
    action = "cohort.locked" if locked else "cohort.unlocked"
    program = session.get(Program, cohort.program_id)
    audit(session, action, actor, coordinator_id, program, ("cohort", cohort.id))


def _host_of(session: Session, cohort: Cohort, host_id: int | None) -> Host | None:
    if host_id == cohort.host_id:
        raise AdjustmentError("That is already the group's host." if host_id else "The group has no host.")
    if host_id is None:
        return None
    host = session.get(Host, host_id)
    if host is None or host.program_id != cohort.program_id or not host.active:
        raise AdjustmentError("That host is not in this program's host pool.")
    return host
