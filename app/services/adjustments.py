"""A coordinator's adjustments to cohorts: moving members, changing host or time, splitting, merging, locking,
and backfilling places from the waitlist.

Every change is checked against the matcher's feasibility rules (`feasibility`). A change that would break a
rule not already broken is refused with `NeedsOverride`, and made only when asked again with
`override=True`; the overridden rules go into the audit log. Each change raises the version of every cohort
it touches, and a change made from a page drawn before another change is refused (`StaleCohort`). Like
every service these add and flush; the caller commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from app.database import utcnow
from app.messages.queue import cancel_messages
from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    Host,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantStatus,
    Program,
)
from app.services.approval import queue_host_briefing, queue_member_cancellation, queue_member_messages
from app.services.audit import record_event
from app.services.feasibility import CohortRules, Draft, language_label, slot_label
from app.services.locks import hold
from app.services.zoom_operations import cancel_zoom_registration, queue_zoom_registration, queue_zoom_update
from matching.model import HOURS_PER_WEEK
from matching.rules import Rule, Violation

WAITLIST_REASON = "coordinator"
# A change's effect on one cohort: how it is named, what it broke before, and how the change leaves it.
Change = tuple[str, list[Violation], Draft]


class AdjustmentError(ValueError):
    """The change was refused; the message says why in plain words."""


class NeedsOverride(AdjustmentError):
    """The change would break feasibility rules, so nothing was changed; `warnings` says which, in words."""

    def __init__(self, warnings: list[str]):
        self.warnings = warnings
        super().__init__("This change would break these rules: " + " ".join(warnings))


class StaleCohort(AdjustmentError):
    """The cohort changed after the page the change came from was drawn."""


def move_member(
    session: Session,
    participant: Participant,
    target: Cohort | None,
    *,
    actor: str,
    coordinator_id: int | None = None,
    override: bool = False,
    now: datetime,
    expected_versions: dict[int, int] | None = None,
) -> list[str]:
    """Move a registrant into `target`, or to the waitlist (None); returns the warnings overridden.

    Leaving an approved cohort tells the member their place is gone, cancels their Zoom registration (so
    their personal link stops working) and drops their messages still to come; joining one registers them
    at Zoom and queues their invitation and reminders.
    `expected_versions` (cohort id -> version) is checked for each cohort it names.
    """
    place = session.exec(select(CohortMember).where(CohortMember.participant_id == participant.id)).first()
    source = session.get(Cohort, place.cohort_id) if place else None
    touched = sorted((c for c in (source, target) if c is not None), key=lambda c: c.id)
    for cohort in touched:
        _lock(session, cohort, (expected_versions or {}).get(cohort.id))
    _check_move(session, participant, source, target, now)
    rules = CohortRules(session, session.get(Program, participant.program_id))
    changes = []
    if source is not None:
        draft = rules.draft(source)
        staying = [member for member in draft.members if member.id != participant.id]
        changes.append(_change(rules, draft, draft.with_members(staying)))
    if target is not None:
        draft = rules.draft(target)
        changes.append(_change(rules, draft, draft.with_members([*draft.members, participant])))
    overridden = _guard(rules, changes, override)

    _place(session, participant, place, target, now)
    for cohort in touched:
        _bump(session, cohort)
    if source is not None and source.status == CohortStatus.APPROVED:
        _leave_meetings(session, rules.program, source, participant, now)
    if target is not None and target.status == CohortStatus.APPROVED:
        _join_meetings(session, rules.program, target, participant, now)
    _audit(
        session, "cohort.member_moved", actor, coordinator_id, rules.program, ("participant", participant.id),
        from_cohort=source.id if source else None, to_cohort=target.id if target else None,
        overridden=overridden,
    )  # fmt: skip
    return overridden


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
    _lock(session, cohort, expected_version)
    _refuse_cancelled(cohort)
    host = _host_of(session, cohort, host_id)
    meetings = _meetings_to_come(session, cohort, now)
    rules = _rules(session, cohort)
    draft = rules.draft(cohort)
    overridden = _guard(rules, [_change(rules, draft, replace(draft, host=host))], override)

    previous = cohort.host_id
    cohort.host_id = host_id
    _bump(session, cohort)
    for meeting in meetings:
        queue_zoom_update(session, meeting)
        if previous is not None:
            cancel_messages(session, meeting_id=meeting.id, host_id=previous)
        if host is not None:
            queue_host_briefing(session, rules.program, meeting, host, now=now, occasion=_occasion(cohort))
    _audit(
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
    _lock(session, cohort, expected_version)
    _refuse_unless_proposed(cohort, "its meeting is moved by rescheduling it instead")
    if not 0 <= slot < HOURS_PER_WEEK:
        raise AdjustmentError("Choose a meeting time from the list.")
    if slot == cohort.slot:
        raise AdjustmentError(f"Group {cohort.id} already meets at {slot_label(slot)}.")
    rules = _rules(session, cohort)
    draft = rules.draft(cohort)
    overridden = _guard(rules, [_change(rules, draft, replace(draft, slot=slot))], override)

    previous, cohort.slot = cohort.slot, slot
    _bump(session, cohort)
    _audit(
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
    _lock(session, cohort, expected_version)
    _refuse_unless_proposed(cohort, "only proposed groups can be split")
    rules = _rules(session, cohort)
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
    overridden = _guard(
        rules, [(f"Group {cohort.id}", before, staying), ("The new group", before, new_draft)], override
    )

    session.add(new)
    session.flush()
    for place in _places(session, cohort, chosen):
        place.cohort_id = new.id
        session.add(place)
    _bump(session, cohort)
    _audit(
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
        _lock(session, each, expected_versions.get(each.id))
        _refuse_unless_proposed(each, "only proposed groups can be merged")
    if other.program_id != cohort.program_id:
        raise AdjustmentError("Only groups of the same program can be merged.")
    rules = _rules(session, cohort)
    draft, joining = rules.draft(cohort), rules.draft(other)
    merged = replace(draft, members=draft.members + joining.members, host=draft.host or joining.host)
    before = rules.violations(draft) + rules.violations(joining)
    overridden = _guard(rules, [(f"Group {cohort.id}", before, merged)], override, ignoring={other.id})

    for place in _places(session, other):
        place.cohort_id = cohort.id
        session.add(place)
    cohort.host_id = merged.host.id if merged.host else None
    other.status, other.cancelled_at = CohortStatus.CANCELLED, now or utcnow()
    for each in (cohort, other):
        _bump(session, each)
    _audit(
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
    _lock(session, cohort, expected_version)
    _refuse_cancelled(cohort)
    if cohort.locked == locked:
        return
    cohort.locked = locked
    _bump(session, cohort)
    action = "cohort.locked" if locked else "cohort.unlocked"
    program = session.get(Program, cohort.program_id)
    _audit(session, action, actor, coordinator_id, program, ("cohort", cohort.id))


def backfill_candidates(
    session: Session, cohort: Cohort, *, now: datetime | None = None
) -> list[Participant]:
    """Verified registrants in no cohort who could join this one without breaking a rule: the closest in
    stage first, then those waiting longest. None for a cohort no one can join any more."""
    try:
        _refuse_cancelled(cohort)
        _meetings_to_come(session, cohort, now or utcnow())
    except AdjustmentError:
        return []
    rules = _rules(session, cohort)
    draft = rules.draft(cohort)
    before = rules.violations(draft)
    fitting = [
        person for person in _unplaced(session, cohort) if not _broken_by(rules, draft, before, person)
    ]
    return sorted(fitting, key=lambda person: (_stage_distance(rules, draft, person), _waiting_since(person)))


def backfill_cohort(
    session: Session,
    cohort: Cohort,
    *,
    actor: str,
    coordinator_id: int | None = None,
    now: datetime,
) -> list[Participant]:
    """Fill the cohort up to the program's target size from the waitlist, best candidates first; each joins
    as if moved by hand (an approved cohort registers and invites them). Returns who joined."""
    _refuse_cancelled(cohort)
    _meetings_to_come(session, cohort, now)
    program = session.get(Program, cohort.program_id)
    size = len(_places(session, cohort))
    wanted = min(program.target_size, program.max_size) - size
    if wanted <= 0:
        raise AdjustmentError(f"Group {cohort.id} already has {size} people, the program's target size.")
    candidates = backfill_candidates(session, cohort, now=now)
    if not candidates:
        raise AdjustmentError(f"No one on the waitlist fits this group: {_why_nobody_fits(session, cohort)}")
    added: list[Participant] = []
    for person in candidates:
        if len(added) == wanted:
            break
        try:
            move_member(session, person, cohort, actor=actor, coordinator_id=coordinator_id, now=now)
        except NeedsOverride:
            continue  # breaks a rule with someone who joined just before (an avoid request, the stages)
        added.append(person)
    _audit(
        session, "cohort.backfilled", actor, coordinator_id, program, ("cohort", cohort.id),
        added=[person.id for person in added],
    )  # fmt: skip
    return added


def _rules(session: Session, cohort: Cohort) -> CohortRules:
    return CohortRules(session, session.get(Program, cohort.program_id))


def _lock(session: Session, cohort: Cohort, expected_version: int | None) -> None:
    """Read the cohort afresh, holding its row until the commit; check it is the version the page showed."""
    hold(session, cohort)
    if expected_version is not None and cohort.version != expected_version:
        raise StaleCohort(f"Group {cohort.id} was changed by someone else after you opened this page.")


def _bump(session: Session, cohort: Cohort) -> None:
    cohort.version += 1
    session.add(cohort)
    session.flush()


def _refuse_cancelled(cohort: Cohort) -> None:
    if cohort.status == CohortStatus.CANCELLED:
        raise AdjustmentError(f"Group {cohort.id} is cancelled, so it cannot be changed.")


def _refuse_unless_proposed(cohort: Cohort, instead: str) -> None:
    _refuse_cancelled(cohort)
    if cohort.status != CohortStatus.PROPOSED:
        raise AdjustmentError(f"Group {cohort.id} is already approved: {instead}.")


def _change(rules: CohortRules, before: Draft, after: Draft) -> Change:
    return f"Group {before.cohort.id}", rules.violations(before), after


def _guard(
    rules: CohortRules, changes: list[Change], override: bool, *, ignoring: Collection[int] = ()
) -> list[str]:
    """The rules the changes would newly break, in words; raises `NeedsOverride` unless overriding."""
    warnings = [
        f"{label}: {sentence}"
        for label, before, after in changes
        for sentence in rules.words(after, rules.new_violations(before, after, ignoring=ignoring))
    ]
    if warnings and not override:
        raise NeedsOverride(warnings)
    return warnings


def _check_move(
    session: Session, participant: Participant, source: Cohort | None, target: Cohort | None, now: datetime
) -> None:
    name = participant.display_name
    if target is None:
        if source is None:
            raise AdjustmentError(f"{name} is already on the waitlist.")
        return
    if source is not None and source.id == target.id:
        raise AdjustmentError(f"{name} is already in group {target.id}.")
    if target.program_id != participant.program_id:
        raise AdjustmentError(f"{name} registered for another program.")
    if participant.status != ParticipantStatus.VERIFIED:
        status = participant.status.replace("_", " ")
        raise AdjustmentError(f"{name} cannot join a group: their registration is {status}.")
    _refuse_cancelled(target)
    _meetings_to_come(session, target, now)


def _place(
    session: Session,
    participant: Participant,
    place: CohortMember | None,
    target: Cohort | None,
    now: datetime,
) -> None:
    if target is None:
        session.delete(place)
    elif place is None:
        session.add(CohortMember(cohort_id=target.id, participant_id=participant.id, added_at=now))
    else:
        place.cohort_id, place.added_at = target.id, now
        session.add(place)
    participant.waitlist_reason = None if target else WAITLIST_REASON
    participant.waitlist_detail = None
    session.add(participant)


def _meetings_to_come(session: Session, cohort: Cohort, now: datetime) -> list[Meeting]:
    """An approved cohort's meetings that have not started (none for a proposed one); refuses when an
    approved cohort has none left."""
    if cohort.status != CohortStatus.APPROVED:
        return []
    meetings = _upcoming_meetings(session, cohort, now)
    if not meetings:
        raise AdjustmentError(
            f"Group {cohort.id}'s meeting has already taken place, so it cannot be changed."
        )
    return meetings


def _upcoming_meetings(session: Session, cohort: Cohort, now: datetime) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.cohort_id == cohort.id, Meeting.status == MeetingStatus.SCHEDULED)
            .where(Meeting.starts_at > now)
            .order_by(Meeting.number)
        ).all()
    )


def _occasion(cohort: Cohort) -> str:
    """Names a change made after approval in message and Zoom call keys, so a later change is not
    mistaken for one made (and perhaps undone) before."""
    return f"cohort-v{cohort.version}"


def _join_meetings(
    session: Session, program: Program, cohort: Cohort, participant: Participant, now: datetime
) -> None:
    for meeting in _meetings_to_come(session, cohort, now):
        queue_zoom_registration(session, meeting, participant.id, version=cohort.version)
        queue_member_messages(session, program, meeting, participant, now=now, occasion=_occasion(cohort))


def _leave_meetings(
    session: Session, program: Program, cohort: Cohort, participant: Participant, now: datetime
) -> None:
    for meeting in _upcoming_meetings(session, cohort, now):
        cancel_zoom_registration(session, meeting, participant.id)
        queue_member_cancellation(session, program, meeting, participant, now=now, occasion=_occasion(cohort))


def _host_of(session: Session, cohort: Cohort, host_id: int | None) -> Host | None:
    if host_id == cohort.host_id:
        raise AdjustmentError("That is already the group's host." if host_id else "The group has no host.")
    if host_id is None:
        return None
    host = session.get(Host, host_id)
    if host is None or host.program_id != cohort.program_id or not host.active:
        raise AdjustmentError("That host is not in this program's host pool.")
    return host


def _places(
    session: Session, cohort: Cohort, participant_ids: Collection[int] | None = None
) -> list[CohortMember]:
    statement = select(CohortMember).where(CohortMember.cohort_id == cohort.id)
    if participant_ids is not None:
        statement = statement.where(CohortMember.participant_id.in_(list(participant_ids)))
    return list(session.exec(statement).all())


def _unplaced(session: Session, cohort: Cohort) -> list[Participant]:
    """Verified registrants with the cohort's condition in no cohort (waitlisted, or not matched yet)."""
    placed = (
        select(CohortMember.participant_id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(Cohort.program_id == cohort.program_id, Cohort.status != CohortStatus.CANCELLED)
    )
    return list(
        session.exec(
            select(Participant)
            .where(
                Participant.program_id == cohort.program_id, Participant.condition_id == cohort.condition_id
            )
            .where(Participant.status == ParticipantStatus.VERIFIED, Participant.id.not_in(placed))
            .order_by(Participant.id)
        ).all()
    )


def _broken_by(
    rules: CohortRules, draft: Draft, before: list[Violation], person: Participant
) -> list[Violation]:
    """The rules the cohort would newly break with `person` in it."""
    return rules.new_violations(before, draft.with_members([*draft.members, person]))


def _stage_distance(rules: CohortRules, draft: Draft, person: Participant) -> float:
    """How far `person`'s stage is from the middle of the members'; someone unsure comes after the others."""
    stages = rules.catalogue.stages
    positions = [stages[m.stage_id].position for m in draft.members if m.stage_id is not None]
    if person.stage_id is None:
        return float("inf")
    if not positions:
        return 0.0
    return abs(stages[person.stage_id].position - sum(positions) / len(positions))


def _waiting_since(person: Participant) -> datetime:
    return person.verified_at or person.created_at


# Why someone waiting cannot join a cohort, for one person and for several.
REASONS = {
    Rule.TIME: ("is not free at {time}", "are not free at {time}"),
    Rule.LANGUAGE: ("does not speak {language}", "do not speak {language}"),
    Rule.ROLE: ("has another role", "have another role"),
    Rule.STAGE_GAP: ("is at a stage too far from the members'", "are at stages too far from the members'"),
    Rule.AVOID: ("is kept apart from a member by an avoid request", "are kept apart by avoid requests"),
    Rule.SIZE: ("would make the group too big", "would make the group too big"),
}


def _why_nobody_fits(session: Session, cohort: Cohort) -> str:
    """Why the people waiting with the cohort's condition cannot join it, counted by rule."""
    waiting = _unplaced(session, cohort)
    if not waiting:
        return "no one with this condition is waiting."
    rules = _rules(session, cohort)
    draft = rules.draft(cohort)
    before = rules.violations(draft)
    broken: Counter[str] = Counter()
    for person in waiting:
        broken.update({violation.rule for violation in _broken_by(rules, draft, before, person)})
    facts = {"time": slot_label(cohort.slot), "language": language_label(cohort.language)}
    reasons = [
        f"{count} " + REASONS.get(rule, (rule, rule))[count > 1].format(**facts)
        for rule, count in broken.most_common()
    ]
    return f"of the {len(waiting)} people waiting with this condition, {'; '.join(reasons)}."


def _audit(
    session: Session,
    action: str,
    actor: str,
    coordinator_id: int | None,
    program: Program,
    subject: tuple[str, Any],
    **detail: Any,
) -> None:
    record_event(
        session, action, actor=actor, coordinator_id=coordinator_id, program_id=program.id, subject=subject,
        **detail,
    )  # fmt: skip
    session.flush()
