"""How the console writes weekly hours, waitlist reasons, audit actions and shares, as template filters."""

from __future__ import annotations

from jinja2 import pass_context
from jinja2.runtime import Context

from app.charts import bar_chart, percent
from app.services.destinations import Destination
from app.views.console.access import blueprint
from app.views.console.local_time import weekly_hour_for

WAIT_REASONS = {
    "too_few_people": "Too few people with this condition and role to form a group yet.",
    "no_shared_language": "Not enough people share a language with them.",
    "no_common_time": "No hour suits them and enough others.",
    "stage_too_far": "Others free at the same times are at stages too far from theirs.",
    "avoid_conflict": "The only possible groups include someone they asked not to meet.",
    "no_room": "Groups that would suit them are full.",
    "no_meeting_capacity": "The program's Zoom users are all busy at the times that would suit them.",
    "stage_unknown": "They are not sure of their stage: place them by hand.",
    "coordinator": "A coordinator moved them to the waitlist.",
}

ACTIONS = {
    "program.created": "Created the program",
    "program.settings_changed": "Changed settings",
    "program.registration_opened": "Opened registration",
    "program.registration_closed": "Closed registration",
    "condition.added": "Added a condition",
    "condition.changed": "Changed a condition or its stages",
    "condition.removed": "Removed a condition",
    "stage.moved": "Moved a stage",
    "stage.removed": "Removed a stage",
    "host.added": "Added a host",
    "host.changed": "Changed a host",
    "host.unsubscribed": "Host stopped hosting (their upcoming groups were released)",
    "participant_verified": "Registrant confirmed their email",
    "participant_changed_answers": "Registrant changed their answers",
    "participant_changed_texts": "Registrant changed their mobile number or text reminders",
    "participant_stopped_texts": "Texts to the registrant's number stopped (STOP, or refused by the carrier)",
    "participant_started_texts": "Registrant replied START: texts to their number may go again",
    "console.viewed_texts": "Read the texts people sent",
    "text.marked_read": "Marked a text read",
    "participant_kept_answers": "Registrant kept their answers when their address registered again",
    "participant_paused": "Registrant paused",
    "participant_resumed": "Registrant resumed",
    "participant_withdrew": "Registrant withdrew",
    "participant_unsubscribed": "Registrant stopped emails",
    "participant_erased": "Registrant's details erased",
    "cohort.approved": "Approved a group",
    "access.refused": "Was refused: not a coordinator of this program",
    "cohorts.proposed": "Proposed groups",
    "zoom.meeting_vanished": "Zoom meeting was deleted in Zoom",
    "program.survey_changed": "Changed the follow-up survey",
    "survey.answered": "Registrant answered the survey",
    "participant_asked_for_another_group": "Registrant who missed their meeting asked for another group",
    "concern.raised": "A host or member raised a concern",
    "console.viewed_concerns": "Read the concerns",
    "concern.new": "Marked a concern new again",
    "concern.acknowledged": "Acknowledged a concern",
    "concern.resolved": "Resolved a concern",
}


blueprint.add_app_template_filter(percent, "percent")
blueprint.add_app_template_global(bar_chart, "bar_chart")


@blueprint.app_template_filter("wait_reason")
def wait_reason(reason: str | None) -> str:
    if not reason:
        return "Not matched yet: propose cohorts to place them."
    return WAIT_REASONS.get(reason, reason.replace("_", " ").capitalize() + ".")


@blueprint.app_template_filter("best_slots")
@pass_context
def best_slots(context: Context, detail: dict | None) -> str:
    """The hours that came closest for someone waiting for a common time, with how many were free."""
    if not detail or not detail.get("best_slots"):
        return ""
    needed, program = detail.get("needed"), context.get("program")
    return "; ".join(
        f"{weekly_hour_for(best['slot'], program)} ({best['count']} of {needed} needed)"
        for best in detail["best_slots"]
    )


@blueprint.app_template_filter("destination")
@pass_context
def destination(context: Context, other: Destination) -> str:
    """A group offered as a destination, e.g. "Group 12, Tuesday 15:00 CET, 5 members (approved)"."""
    group, people = other.cohort, "member" if other.size == 1 else "members"
    hour = weekly_hour_for(group.slot, context.get("program"))
    return f"Group {group.id}, {hour}, {other.size} {people} ({group.status})"


@blueprint.app_template_filter("action_words")
def action_words(action: str) -> str:
    """An audit action in words ("cohort.approved" → "Approved a group"); unknown ones made readable."""
    if action in ACTIONS:
        return ACTIONS[action]
    words = action.removeprefix("console.").replace(".", " ").replace("_", " ")
    return words[:1].upper() + words[1:]


@blueprint.app_template_filter("out_of")
def out_of(part: int, whole: int) -> str:
    """A part of a whole in words, like "3 of 4 (75%)"; "none yet" when there is no whole to count against."""
    return f"{part} of {whole} ({percent(part, whole)})" if whole else "none yet"
