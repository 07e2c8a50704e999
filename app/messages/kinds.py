"""Every kind of message the service sends, named once, with what the console calls it, when it goes out, and
the channels it may go by.

A kind's value is what the outbox's `kind` column holds and the name of its templates' folder
(`emails/templates/<kind>/`). Its builder, which makes the email from the database at sending time, is in
`app.messages.building.BUILDERS` beside the look-ups it needs; a test holds the two in step, and checks that
every kind has its templates in every language the emails are written in.

Adding a kind: a member of `MessageKind`, its entry in `KINDS`, its builder, and its templates.
Adding a channel: a member of `Channel`, builders for it, and a sender. `docs/messages.md` lists every kind
as declared here, and says how to add one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, NamedTuple

from app.links import LIFETIMES

if TYPE_CHECKING:
    from app.models import Meeting, Program

SURVEY_VALID_FOR = timedelta(days=14)
DEBRIEF_VALID_FOR = timedelta(days=14)


class Channel(StrEnum):
    """How a message reaches its recipient."""

    EMAIL = "email"
    SMS = "sms"  # a text message, through Twilio


class MessageKind(StrEnum):
    VERIFY_EMAIL = "verify_email"
    MANAGE_LINK = "manage_link"
    REGISTRATION_CONFIRMED = "registration_confirmed"
    WAITLISTED = "waitlisted"
    COHORT_INVITATION = "cohort_invitation"
    HOST_BRIEFING = "host_briefing"
    PREPARATION_TIPS = "preparation_tips"
    REMINDER = "reminder"
    MEETING_CHANGED = "meeting_changed"
    MEETING_CANCELLED = "meeting_cancelled"
    SURVEY = "survey"
    MISSED_YOU = "missed_you"
    SURVEY_REMINDER = "survey_reminder"
    MEMBER_ANSWER = "member_answer"
    SEAT_OFFERED = "seat_offered"
    SEAT_TAKEN = "seat_taken"
    ABSENCE_CHECK = "absence_check"
    ABSENCE_PAUSED = "absence_paused"
    HOST_DEBRIEF = "host_debrief"
    CONCERN_RAISED = "concern_raised"
    MEETINGS_TO_OPEN = "meetings_to_open"


class OnMove(Enum):
    """What a message still waiting to go out does when its meeting moves."""

    FOLLOWS = "moves with it"
    DEADLINE_FOLLOWS = "still goes at once; its deadline moves"
    STAYS = "stays as it is"


class Due(NamedTuple):
    send_at: datetime
    not_after: datetime | None  # after this moment the message is no use, and is skipped


@dataclass(frozen=True)
class Moments:
    """What the messages about one meeting are timed from."""

    program: Program
    starts: datetime
    ends: datetime
    now: datetime

    @property
    def survey_at(self) -> datetime:
        return self.ends + timedelta(hours=self.program.survey_hours_after)


@dataclass(frozen=True)
class Timing:
    """When a message goes out: in words, and as the moments it is due when it is about a meeting."""

    words: str
    due: Callable[[Moments], Due] | None
    on_move: OnMove = OnMove.STAYS


@dataclass(frozen=True)
class KindEntry:
    label: str  # on the console's "Meetings and messages" pages
    timing: Timing
    channels: tuple[Channel, ...] = (Channel.EMAIL,)


def _at_once(moments: Moments) -> Due:
    return Due(moments.now, moments.starts)


def _tips(moments: Moments) -> Due:
    return Due(moments.starts - timedelta(days=moments.program.tips_days_before), moments.starts)


def _reminder(moments: Moments) -> Due:
    return Due(moments.starts - timedelta(hours=moments.program.reminder_hours_before), moments.starts)


def _debrief(moments: Moments) -> Due:
    return Due(moments.ends, moments.ends + DEBRIEF_VALID_FOR)


def _survey(moments: Moments) -> Due:
    return Due(moments.survey_at, moments.ends + SURVEY_VALID_FOR)


def _survey_reminder(moments: Moments) -> Due:
    reminder_at = moments.survey_at + timedelta(days=moments.program.survey_reminder_days)
    return Due(reminder_at, moments.survey_at + LIFETIMES["survey"])


WHEN_QUEUED = Timing("at once when queued; not tied to a meeting", None)
AT_ONCE = Timing(
    "at once (at approval, or at the change), until the meeting starts", _at_once, OnMove.DEADLINE_FOLLOWS
)
# By text as well as by email, to those who gave a mobile number and agreed to texts.
BY_TEXT_TOO = (Channel.EMAIL, Channel.SMS)
AFTER_THE_END = Timing("program.survey_hours_after hours after the end, for 14 days", _survey, OnMove.FOLLOWS)

KINDS: dict[MessageKind, KindEntry] = {
    MessageKind.VERIFY_EMAIL: KindEntry("Address confirmation", WHEN_QUEUED),
    MessageKind.MANAGE_LINK: KindEntry("Link to their registration", WHEN_QUEUED),
    MessageKind.REGISTRATION_CONFIRMED: KindEntry("Registration confirmed", WHEN_QUEUED),
    MessageKind.WAITLISTED: KindEntry("No group yet", WHEN_QUEUED),
    MessageKind.COHORT_INVITATION: KindEntry("Invitation", AT_ONCE),
    MessageKind.HOST_BRIEFING: KindEntry("Host briefing", AT_ONCE),
    MessageKind.PREPARATION_TIPS: KindEntry(
        "Preparation tips",
        Timing("program.tips_days_before days before the start, until it starts", _tips, OnMove.FOLLOWS),
    ),
    MessageKind.REMINDER: KindEntry(
        "Reminder",
        Timing(
            "program.reminder_hours_before hours before the start, until it starts", _reminder, OnMove.FOLLOWS
        ),
        BY_TEXT_TOO,
    ),
    MessageKind.MEETING_CHANGED: KindEntry("New details", AT_ONCE, BY_TEXT_TOO),
    # A place given up in a meeting is cancelled for the meeting as its holder knew it.
    MessageKind.MEETING_CANCELLED: KindEntry(
        "Cancellation", Timing("at once, until the meeting starts at the time it had", _at_once), BY_TEXT_TOO
    ),
    MessageKind.SURVEY: KindEntry("Follow-up survey (or “sorry we missed you”)", AFTER_THE_END, BY_TEXT_TOO),
    # Built in place of the survey for someone who never joined. A sent survey's row that went so takes this
    # kind when its recipient is erased: who joined can no longer be told then.
    MessageKind.MISSED_YOU: KindEntry("“Sorry we missed you”", AFTER_THE_END),
    MessageKind.SURVEY_REMINDER: KindEntry(
        "Survey reminder",
        Timing(
            "program.survey_reminder_days days after the survey, while its link works (30 days)",
            _survey_reminder,
            OnMove.FOLLOWS,
        ),
    ),
    MessageKind.MEMBER_ANSWER: KindEntry("A member's answer (to the host)", AT_ONCE),
    MessageKind.SEAT_OFFERED: KindEntry("Place offered to someone waiting", AT_ONCE),
    MessageKind.SEAT_TAKEN: KindEntry("Offered place taken", AT_ONCE),
    MessageKind.ABSENCE_CHECK: KindEntry("Asked whether to stay", WHEN_QUEUED),
    MessageKind.ABSENCE_PAUSED: KindEntry("Paused after no answer", WHEN_QUEUED),
    MessageKind.HOST_DEBRIEF: KindEntry(
        "Host debrief", Timing("at the end of the meeting, for 14 days", _debrief, OnMove.FOLLOWS)
    ),
    # To each of the program's coordinators: never the concern's words, only that one came in.
    MessageKind.CONCERN_RAISED: KindEntry("A concern came in (to coordinators)", WHEN_QUEUED),
    # To each of the program's coordinators, when groups with no host are approved: they open those meetings.
    MessageKind.MEETINGS_TO_OPEN: KindEntry("Meetings with no host to open (to coordinators)", WHEN_QUEUED),
}

# What each member of a meeting is sent, from their invitation to the survey's reminder.
MEMBER_SCHEDULE = (
    MessageKind.COHORT_INVITATION,
    MessageKind.PREPARATION_TIPS,
    MessageKind.REMINDER,
    MessageKind.SURVEY,
    MessageKind.SURVEY_REMINDER,
)
LABELS = {kind: entry.label for kind, entry in KINDS.items()}


def due(kind: MessageKind, program: Program, meeting: Meeting, *, now: datetime) -> Due:
    """When a message of `kind` about `meeting` goes out (never before `now`) and after when it is no use."""
    timing = KINDS[kind].timing
    if timing.due is None:
        raise ValueError(f"a {kind} message is not timed by a meeting")
    send_at, not_after = timing.due(Moments(program, meeting.starts_at, meeting.ends_at, now))
    return Due(max(send_at, now), not_after)


def moving_with_meeting(on_move: OnMove) -> tuple[MessageKind, ...]:
    """The kinds that do `on_move` when their meeting moves."""
    return tuple(kind for kind, entry in KINDS.items() if entry.timing.on_move == on_move)
