"""The coordinator console: programs, hosts, cohorts and their meetings, behind a login.

One blueprint; each route module adds the routes of one area to it, and `formatting` and `local_time` its
template filters. Route modules share helper modules (`access`, `cohort_page`, `downloads`, `local_time`,
`navigation`), never each other. Every route needs a signed-in coordinator (see `access`), and every route
under a program needs access to that program.
"""

from app.views.console import (  # noqa: F401  (each adds its routes)
    accounts,
    adjustments,
    auth,
    cohorts,
    concerns,
    follow_up,
    formatting,
    hosts,
    local_time,
    meeting_changes,
    meeting_start,
    meetings,
    programs,
    results,
    survey_questions,
    texts,
    time_zone,
    two_factor,
    waitlist,
    zoom_users,
)
from app.views.console.access import blueprint

__all__ = ["blueprint"]
