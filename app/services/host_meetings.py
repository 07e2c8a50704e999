"""A host's own meetings, as the page behind their signed link lists them, and starting one.

Zoom's start URL lets anyone holding it start the meeting as host and expires within hours, so it is never
emailed or stored: it is fetched from Zoom when the host presses start.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from sqlmodel import Session, select

from app.models import Cohort, CohortStatus, Host, Meeting, MeetingStatus, Program
from app.services.host_pool import may_start
from integrations.zoom.client import ZoomClient
from integrations.zoom.errors import ZoomError

logger = logging.getLogger(__name__)


class StartProblem(StrEnum):
    NOT_HOST = "not_host"
    CANCELLED = "cancelled"
    NOT_READY = "not_ready"
    ZOOM_DOWN = "zoom_down"


class StartRefused(Exception):
    """The meeting cannot be started through this link now; the message says why, in the host's words."""

    def __init__(self, problem: StartProblem, message: str):
        super().__init__(message)
        self.problem = problem


def list_host_meetings(session: Session, host: Host) -> list[Meeting]:
    """The meetings of the approved groups the host leads that are not cancelled, soonest first; none for a
    host who stopped."""
    if not host.active:
        return []
    return list(
        session.exec(
            select(Meeting)
            .join(Cohort, Cohort.id == Meeting.cohort_id)
            .where(Cohort.host_id == host.id, Cohort.status == CohortStatus.APPROVED)
            .where(Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.starts_at)
        ).all()
    )


def fetch_start_url(session: Session, zoom: ZoomClient, host: Host | None, meeting: Meeting) -> str:
    """Zoom's start link for the meeting, fresh, when `host` may start it now; `StartRefused` otherwise."""
    if not may_start(session, host, meeting):
        contact = session.get(Program, session.get(Cohort, meeting.cohort_id).program_id).contact_email
        raise StartRefused(
            StartProblem.NOT_HOST,
            "You no longer host this group, so this link cannot start its meeting. If you think this is a "
            f"mistake, please write to the program's coordinator at {contact}.",
        )
    return zoom_start_url(zoom, meeting)


def zoom_start_url(zoom: ZoomClient, meeting: Meeting) -> str:
    """Zoom's start link for the meeting, fresh, for whoever may start it (its host, or a coordinator of its
    program); `StartRefused` when the meeting is cancelled, not made yet, or Zoom does not answer."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise StartRefused(StartProblem.CANCELLED, "This meeting was cancelled.")
    if not meeting.zoom_meeting_id:
        raise StartRefused(StartProblem.NOT_READY, "The meeting is still being set up. Try again soon.")
    try:
        return zoom.get_meeting(int(meeting.zoom_meeting_id)).start_url
    except ZoomError:
        logger.exception("could not fetch a start link for meeting %s", meeting.id)
        raise StartRefused(StartProblem.ZOOM_DOWN, "Zoom did not answer. Please try again.") from None
