"""The time zone a coordinator reads the console in.

A coordinator who never chose one gets the zone their browser reports when they sign in (as calendar apps
do), so the first page after signing in already speaks their local time; they change it on their account
page. A zone chosen there is never replaced by what a browser reports later (a coordinator travelling keeps
the zone they asked for).
"""

from __future__ import annotations

from sqlmodel import Session

from app.inputs.rules import known_timezones
from app.models import Coordinator
from app.services.accounts import record_account_event


def set_time_zone(session: Session, coordinator: Coordinator, zone: str) -> None:
    """Show this coordinator's console in `zone` (an IANA name the caller checked)."""
    previous, coordinator.timezone = coordinator.timezone, zone
    session.add(coordinator)
    record_account_event(session, "account.time_zone_changed", coordinator, previous=previous, zone=zone)


def adopt_browser_zone(session: Session, coordinator: Coordinator, reported: str | None) -> None:
    """Take the zone the browser reported at sign-in, when the coordinator has none yet and it is a zone we
    know; anything else a browser sends is ignored (it is a hint, not an answer to a question)."""
    if coordinator.timezone is None and reported in known_timezones():
        set_time_zone(session, coordinator, reported)
