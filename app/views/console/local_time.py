"""Every time the console shows, in the time zone of the coordinator reading it.

One filter, `when`, writes a moment as `<time datetime="…Z" title="… UTC">Tue 3 Mar 2026, 09:00 EST</time>`:
the reader's local time with the zone's abbreviation, and the UTC time on hover. A coordinator who has not
chosen a zone (see `app.services.account_zone`) reads a program's pages in the program's zone and the others
in UTC. A moment in someone else's zone (a member's, a host's) passes that zone explicitly.

A cohort's weekly hour (an hour of the week in UTC) is written the same way, as it falls in the week the
program's meetings begin, so daylight saving is taken as it will be then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from app.database import utcnow
from app.models import Program
from app.reading_zone import in_week, weekly_hour, written
from app.services.feasibility import SlotChoice, slot_label
from app.services.scheduling import local_input, program_week_start
from app.views.console.access import blueprint


def viewer_zone(program: Program | None = None) -> str:
    """The zone the signed-in coordinator reads times in (and types them in). The user is looked up once:
    a page writes hundreds of times, and each look-up through `current_user` costs more than the rest."""
    user = current_user._get_current_object()
    own = user.timezone if user.is_authenticated else None
    return own or (program.timezone if program is not None else "UTC")


def for_reader(moment: datetime, program: Program | None = None) -> str:
    """A moment in the signed-in coordinator's zone, as plain text (for a message after a change)."""
    return written(moment, viewer_zone(program))


@blueprint.app_template_filter("when")
@pass_context
def when(context: Context, moment: datetime, zone: str | None = None, *, short: bool = False) -> Markup:
    """A moment for the page, in `zone` or else the reader's, with the UTC time on hover."""
    utc = moment.astimezone(UTC)
    shown = written(utc, zone or viewer_zone(context.get("program")), short=short)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        utc.strftime("%Y-%m-%dT%H:%M:%SZ"), written(utc, "UTC"), shown
    )


@blueprint.app_template_global("reading_zone")
@pass_context
def reading_zone(context: Context) -> str:
    """The zone of this page's times, to name it beside them and on time fields."""
    return viewer_zone(context.get("program"))


@blueprint.app_template_filter("field_time")
@pass_context
def field_time(context: Context, moment: datetime | None) -> str:
    """A moment as a datetime-local field holds it, in the reader's zone ("" for none)."""
    return local_input(moment, reading_zone(context)) if moment else ""


@blueprint.app_template_filter("slot")
@pass_context
def slot(context: Context, hour: int) -> str:
    """A weekly hour as the reader reads it: "Monday 15:00 CET"."""
    return weekly_hour_for(hour, context.get("program"))


def weekly_hour_for(hour: int, program: Program | None) -> str:
    """A weekly hour (UTC hour of the week) in the reader's zone, in the program's first week of meetings;
    "Monday 14:00 UTC" when there is no program to place it in."""
    if program is None:
        return slot_label(hour)
    return weekly_hour(hour, program_week_start(program, utcnow().date()), viewer_zone(program))


@blueprint.app_template_filter("in_local_week")
@pass_context
def in_local_week(context: Context, choices: Iterable[SlotChoice]) -> list[SlotChoice]:
    """Weekly hours in the order of the reader's own week, Monday morning first."""
    program = context["program"]
    return sorted(choices, key=lambda choice: _in_week(choice.slot, program).strftime("%u %H:%M"))


def _in_week(hour: int, program: Program) -> datetime:
    return in_week(hour, program_week_start(program, utcnow().date()), viewer_zone(program))
