"""One realistic example of every message, with synthetic people, a synthetic meeting and links under a base
address: to preview the wording of every message in every language (`flask demo samples` sends them to the
development mail catcher), and for the tests of this package.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from emails import messages
from emails.context import (
    AbsenceChoices,
    AnswerLinks,
    CohortMember,
    DialIn,
    Links,
    MeetingDetails,
    MeetingToOpen,
    Person,
    Program,
    SuggestedTime,
)

EXAMPLE_BASE = "https://meetups.example.org"
CONDITION = "Chronic lymphocytic leukaemia"
KINDS = sorted(path.name for path in (Path(__file__).parent / "templates").iterdir() if path.is_dir())

PROGRAM = Program(
    name="Peer Meet-ups", organisation="Synthetic Patients Association", address="hello@example.org"
)
LINKS = Links(
    manage_url="https://meetups.example.org/r/manage?token=abc123",
    unsubscribe_url="https://meetups.example.org/r/unsubscribe?token=abc123",
)


def person(
    display_name: str = "Ana",
    email: str = "ana@example.com",
    timezone: str = "Europe/Madrid",
    locale: str = "en",
) -> Person:
    return Person(display_name=display_name, email=email, timezone=timezone, locale=locale)


DIAL_IN = DialIn(number="+34 910 000 123", meeting_id="81234567890", passcode="482913")
ANSWERS = AnswerLinks(
    "https://meetups.example.org/p/x/meeting/a1/coming",
    "https://meetups.example.org/p/x/meeting/a1/not_coming",
)


def meeting(
    starts_at_utc: datetime = datetime(2026, 3, 3, 13, 0, tzinfo=UTC),
    sequence: int = 0,
    join_url: str = "https://zoom.example.com/j/81234567890?pwd=synthetic",
) -> MeetingDetails:
    return MeetingDetails(
        uid="cohort-17@meetups.example.org",
        sequence=sequence,
        starts_at_utc=starts_at_utc,
        ends_at_utc=starts_at_utc + timedelta(hours=1),
        join_url=join_url,
    )


def sample_email(
    kind: str, recipient: Person, *, program: Program = PROGRAM, links: Links = LINKS
) -> messages.Email:
    """A realistic email of ``kind`` for ``recipient``, with every optional part present."""
    first = meeting()
    moved = meeting(starts_at_utc=first.starts_at_utc + timedelta(days=1), sequence=1)
    arguments: dict[str, dict[str, Any]] = {
        "verify_email": {
            "verify_url": "https://meetups.example.org/r/verify?token=v3r1fy",
            "expires_at_utc": datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
        },
        "manage_link": {},
        "registration_confirmed": {"condition": CONDITION},
        "waitlisted": {
            "reason": "no_common_time",
            "suggestions": [
                SuggestedTime(first.starts_at_utc, "https://meetups.example.org/p/x/add-time/t1")
            ],
        },
        "cohort_invitation": {
            "meeting": first,
            "condition": CONDITION,
            "others": 5,
            "host_name": "Bea",
            "answers": ANSWERS,
            "dial_in": DIAL_IN,
        },
        "preparation_tips": {
            "meeting": first,
            "own_tips": ["Have a glass of water nearby.", "Our volunteers answer the phone line until 8 pm."],
        },
        "reminder": {"meeting": first, "answers": ANSWERS, "dial_in": DIAL_IN},
        "member_answer": {"meeting": first, "member": "Carl", "coming": False},
        "seat_offered": {
            "starts_at_utc": first.starts_at_utc,
            "accept_url": "https://meetups.example.org/p/x/place/o1",
        },
        "seat_taken": {"starts_at_utc": first.starts_at_utc},
        "absence_check": {
            "answer_by_utc": datetime(2026, 3, 10, 13, 0, tzinfo=UTC),
            "choices": AbsenceChoices(
                *(
                    f"https://meetups.example.org/p/x/absence/t1/{choice}"
                    for choice in ("stay", "pause", "leave")
                )
            ),
        },
        "absence_paused": {},
        "survey": {"survey_url": "https://meetups.example.org/r/survey?token=s1"},
        "survey_reminder": {"survey_url": "https://meetups.example.org/s/s1"},
        "missed_you": {"another_group_url": "https://meetups.example.org/s/s1/another-group"},
        "meeting_changed": {"meeting": moved, "previous": first, "answers": ANSWERS},
        "meeting_cancelled": {"meeting": moved},
        "host_briefing": {
            "meeting": first,
            "condition": CONDITION,
            "members": [
                CohortMember("Carl", "watch and wait", "America/New_York", ("en", "es")),
                CohortMember("Dee", "in treatment", "Asia/Tokyo", ("en",)),
            ],
            "start_url": "https://meetups.example.org/host/cohorts/17/start",
            "captions": True,
        },
        "host_debrief": {"meeting": first, "debrief_url": "https://meetups.example.org/host/debrief/d1"},
        "concern_raised": {"queue_url": "https://meetups.example.org/console/programs/x/concerns"},
        "meetings_to_open": {
            "meetings": [
                MeetingToOpen(
                    17,
                    first.starts_at_utc,
                    first.ends_at_utc,
                    "https://meetups.example.org/console/meetings/9",
                ),
                MeetingToOpen(
                    18,
                    moved.starts_at_utc,
                    moved.ends_at_utc,
                    "https://meetups.example.org/console/meetings/10",
                ),
            ]
        },
    }[kind]
    build = getattr(messages, kind)
    return build(program=program, recipient=recipient, links=links, **arguments)
