"""The registration and change forms: HTML fields in, the plain values `app.inputs` checks out.

The form offers a weekly grid (weekday × part of day) instead of free times, one group of stage choices per
condition (so it works without JavaScript), and “I’m not sure” as a stage. Everything else is the shared
validator's business; nothing here decides what is valid.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.inputs.phone import shown_number
from app.models import Participant, Stage

PARTS_OF_DAY = {
    "morning": ("09:00", "12:00", _l("Morning"), _l("9 am – 12 pm")),
    "afternoon": ("12:00", "17:00", _l("Afternoon"), _l("12 – 5 pm")),
    "evening": ("17:00", "21:00", _l("Evening"), _l("5 – 9 pm")),
}
WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"))
WEEKDAYS += (_l("Saturday"), _l("Sunday"))
FIELD_ORDER = ("email", "phone", "sms_consent", "display_name", "role", "condition", "stage", "timezone")
FIELD_ORDER += ("languages", "availability")
FIELD_ORDER += ("accessibility_needs", "accessibility_note", "consent")
NOT_SURE = "not-sure"
HONEYPOT = "website"
COMMON_TIMEZONES = (
    "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris", "Europe/Berlin",
    "Europe/Rome", "Europe/Amsterdam", "Europe/Athens", "Atlantic/Canary", "America/New_York",
    "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
    "Pacific/Honolulu", "America/Toronto", "America/Vancouver", "America/Mexico_City", "America/Bogota",
    "America/Lima", "America/Caracas", "America/Santiago", "America/Argentina/Buenos_Aires",
    "America/Sao_Paulo", "America/Puerto_Rico", "Africa/Johannesburg", "Africa/Lagos", "Asia/Kolkata",
    "Asia/Singapore", "Asia/Manila", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland", "UTC",
)  # fmt: skip
ACCESSIBILITY_LABELS = {
    "captions": _l("Captions (subtitles)"),
    "phone": _l("Joining by phone instead of video"),
    "large_text": _l("Large text in emails and pages"),
    "other": _l("Something else (tell us below)"),
}


def cell_name(weekday: int, part: str) -> str:
    return f"{weekday}-{part}"


def stage_field(condition_code: str) -> str:
    return f"stage-{condition_code}"


def registration_data(form: MultiDict) -> dict[str, Any]:
    """The values of a submitted registration form, shaped as the JSON API takes them."""
    condition = form.get("condition")
    data = {
        "email": form.get("email", ""),
        **texts_data(form),
        "display_name": form.get("display_name", ""),
        "timezone": form.get("timezone", ""),
        "languages": form.getlist("languages"),
        "availability": availability_from_cells(form.getlist("availability")),
        "accessibility_needs": form.getlist("accessibility_needs"),
        "accessibility_note": form.get("accessibility_note", ""),
        "consent": form.get("consent") == "yes",
    }
    # Unanswered radio groups are left out, so the validator asks for them rather than calling them wrong.
    data.update({name: form[name] for name in ("role", "condition") if form.get(name)})
    data.update(_stage_data(form, condition))
    return data


def preferences_data(form: MultiDict, condition_code: str) -> dict[str, Any]:
    """The values of a submitted change form (the self-service page)."""
    return {
        "timezone": form.get("timezone", ""),
        "languages": form.getlist("languages"),
        "availability": availability_from_cells(form.getlist("availability")),
        **_stage_data(form, condition_code),
    }


def texts_data(form: MultiDict) -> dict[str, Any]:
    """A mobile number as typed, and the "Send me text reminders" box."""
    return {"phone": form.get("phone", ""), "sms_consent": form.get("sms_consent") == "yes"}


def texts_form(participant: Participant) -> MultiDict:
    """The texts form filled in with the participant's number (as people read it) and choice."""
    form = MultiDict([("phone", shown_number(participant.phone))])
    if participant.sms_consent_at is not None:
        form["sms_consent"] = "yes"
    return form


def _stage_data(form: MultiDict, condition: str | None) -> dict[str, Any]:
    """Only the stage group of the chosen condition counts; unanswered, the validator asks for it."""
    chosen = form.get(stage_field(condition)) if condition else None
    if chosen is None:
        return {}
    return {"stage": None if chosen == NOT_SURE else chosen}


def field_errors(errors: dict[str, str], condition_code: str | None) -> dict[str, str]:
    """Errors in the order the form asks, keyed by its field names (a stage error belongs to the chosen
    condition's group of stages)."""
    ordered = sorted(errors.items(), key=lambda item: _position(item[0]))
    return {(stage_field(condition_code) if name == "stage" else name): message for name, message in ordered}


def _position(field: str) -> int:
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)


def availability_from_cells(cells: list[str]) -> list[dict[str, Any]]:
    windows = []
    for cell in cells:
        weekday, _, part = cell.partition("-")
        if weekday.isdigit() and part in PARTS_OF_DAY:
            start, end, *_labels = PARTS_OF_DAY[part]
            windows.append({"weekday": int(weekday), "start": start, "end": end})
    return windows


def cells_from_availability(availability: list[dict[str, Any]]) -> list[str]:
    """Grid cells a stored availability covers, so the change form starts from what the person gave."""
    cells = []
    for window in availability:
        for part, (start, end, *_labels) in PARTS_OF_DAY.items():
            if window["start"] <= start and end <= window["end"]:
                cells.append(cell_name(window["weekday"], part))
    return cells


def preferences_form(participant: Participant, stage: Stage | None, condition_code: str) -> MultiDict:
    """The change form filled in with the participant's current answers."""
    form = MultiDict(
        [("timezone", participant.timezone)]
        + [("languages", language) for language in participant.languages]
        + [("availability", cell) for cell in cells_from_availability(participant.availability)]
    )
    form[stage_field(condition_code)] = stage.code if stage else NOT_SURE
    return form


def timezone_options(chosen: str | None) -> tuple[str, ...]:
    """The common zones, plus the one already chosen (a browser's guess may be rarer than our list)."""
    if chosen and chosen not in COMMON_TIMEZONES:
        return (chosen, *COMMON_TIMEZONES)
    return COMMON_TIMEZONES
