"""How the console writes times and waitlist reasons, as template filters."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from app.services.destinations import Destination
from app.services.feasibility import slot_label
from app.views.console.access import blueprint

WAIT_REASONS = {
    "too_few_people": "Too few people with this condition and role to form a group yet.",
    "no_shared_language": "Not enough people share a language with them.",
    "no_common_time": "No hour suits them and enough others.",
    "stage_too_far": "Others free at the same times are at stages too far from theirs.",
    "avoid_conflict": "The only possible groups include someone they asked not to meet.",
    "no_room": "Groups that would suit them are full.",
    "stage_unknown": "They are not sure of their stage: place them by hand.",
    "coordinator": "A coordinator moved them to the waitlist.",
}


blueprint.add_app_template_filter(slot_label, "slot")


@blueprint.app_template_filter("in_zone")
def in_zone(moment: datetime, zone: str) -> str:
    """A moment as someone in `zone` reads it, e.g. "Tue 3 Mar 2026, 09:00 America/New_York"."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a %-d %b %Y, %H:%M} {zone}"


@blueprint.app_template_filter("wait_reason")
def wait_reason(reason: str | None) -> str:
    if not reason:
        return "Not matched yet: propose cohorts to place them."
    return WAIT_REASONS.get(reason, reason.replace("_", " ").capitalize() + ".")


@blueprint.app_template_filter("best_slots")
def best_slots(detail: dict | None) -> str:
    """The hours that came closest for someone waiting for a common time, with how many were free."""
    if not detail or not detail.get("best_slots"):
        return ""
    needed = detail.get("needed")
    return "; ".join(
        f"{slot_label(s['slot'])} ({s['count']} of {needed} needed)" for s in detail["best_slots"]
    )


@blueprint.app_template_filter("destination")
def destination(other: Destination) -> str:
    """A group offered as a destination, e.g. "Group 12, Tuesday 14:00 UTC, 5 members (approved)"."""
    group, people = other.cohort, "member" if other.size == 1 else "members"
    return f"Group {group.id}, {slot_label(group.slot)}, {other.size} {people} ({group.status})"
