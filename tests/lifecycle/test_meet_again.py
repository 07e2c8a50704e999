"""Meeting again: the group's wish from its survey answers, and its next meet-up (or a series) scheduled from
the console, against the Zoom emulator and a real SMTP server."""

import secrets
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import select

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.models import (
    AuditEvent,
    Cohort,
    CohortMember,
    Meeting,
    MeetingStatus,
    MessageStatus,
    OutboundMessage,
    Program,
    SurveyResponse,
)
from app.services.approval import approve_cohort
from app.services.follow_up import (
    FollowUpError,
    cohorts_wanting_to_meet_again,
    meet_again_interest,
    schedule_next_meeting,
    schedule_series,
)
from app.services.meeting_changes.cancellation import cancel_cohort
from app.worker.runner import run_once
from emails.catcher import calendar_part
from integrations.zoom.emulator_state import NotFound

from ..statements import statements_sent

MADRID = ZoneInfo("Europe/Madrid")
COHORT_PAGE = "/console/programs/{slug}/cohorts/{cohort_id}"


@pytest.fixture
def coordinator(app, program, console_client):
    """A coordinator of the demo program, posting forms without CSRF tokens (CSRF has its own test)."""
    app.config["WTF_CSRF_ENABLED"] = False
    return console_client("demo")


def _approve(app, cohort_id: int) -> Meeting:
    with app.app_context():
        session = database.session()
        meeting = approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()
        return meeting


def _hold(app, meeting_id: int, *, starts_at: datetime | None = None) -> Meeting:
    """The meeting took place (at `starts_at`, when given): Zoom said it started and ended."""
    with app.app_context():
        session = database.session()
        meeting = session.get(Meeting, meeting_id)
        meeting.starts_at = starts_at or meeting.starts_at
        meeting.status = MeetingStatus.ENDED
        meeting.started_at = meeting.starts_at
        meeting.ended_at = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        session.add(meeting)
        session.commit()
        return meeting


def _held_meeting(app, make_cohorts, *, size: int = 6) -> Meeting:
    """An approved group of `size` whose first meet-up has happened, with the worker run before and after."""
    [cohort_id] = make_cohorts(1, size=size)
    meeting = _approve(app, cohort_id)
    run_once(app)
    run_once(app, now=meeting.starts_at + timedelta(minutes=meeting.duration_minutes, hours=3))
    return _hold(app, meeting.id)


def _answer(app, meeting: Meeting, answers: list[str | None], *, anonymous: int = 0) -> None:
    """One survey response per answer, by the group's members in order; the first `anonymous` of them
    anonymous (no participant), as the survey stores them."""
    with app.app_context():
        session = database.session()
        members = session.exec(
            select(CohortMember.participant_id)
            .where(CohortMember.cohort_id == meeting.cohort_id)
            .order_by(CohortMember.participant_id)
        ).all()
        for number, (member, answer) in enumerate(zip(members, answers, strict=False)):
            given = {"feeling": 4} | ({"meet_again": answer} if answer else {})
            session.add(
                SurveyResponse(
                    meeting_id=meeting.id,
                    participant_id=None if number < anonymous else member,
                    response_key=secrets.token_urlsafe(16),
                    anonymous=number < anonymous,
                    answers=given,
                )
            )
        session.commit()


def _meetings(app, cohort_id: int) -> list[Meeting]:
    with app.app_context():
        query = select(Meeting).where(Meeting.cohort_id == cohort_id).order_by(Meeting.number)
        return list(database.session().exec(query).all())


def _schedule(app, cohort_id: int, schedule=schedule_next_meeting, **options):
    with app.app_context():
        session = database.session()
        scheduled = schedule(session, session.get(Cohort, cohort_id), actor="test", now=utcnow(), **options)
        session.commit()
        return scheduled


def _page(client, cohort_id: int, slug: str = "demo") -> str:
    response = client.get(COHORT_PAGE.format(slug=slug, cohort_id=cohort_id))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _post(client, cohort_id: int, action: str, slug: str = "demo", **form):
    return client.post(f"{COHORT_PAGE.format(slug=slug, cohort_id=cohort_id)}/{action}", data=form)


def _invitations(mailbox) -> dict[str, dict[str, object]]:
    """Each calendar UID invited to, with the calendar event each recipient got for it."""
    invited: dict[str, dict[str, object]] = {}
    for message in mailbox.messages():
        if ics := calendar_part(message):
            [vevent] = Calendar.from_ical(ics).walk("VEVENT")
            invited.setdefault(str(vevent["UID"]), {})[message["To"].addresses[0].addr_spec] = vevent
    return invited


def _local(moment: datetime) -> str:
    return moment.astimezone(MADRID).strftime("%Y-%m-%dT%H:%M")


def test_the_group_s_wish_counts_every_answer_anonymous_ones_too(app, make_cohorts, coordinator):
    meeting = _held_meeting(app, make_cohorts)
    _answer(app, meeting, ["yes", "yes", "yes", "maybe", "yes"], anonymous=2)

    with app.app_context():
        interest = meet_again_interest(database.session(), database.session().get(Cohort, meeting.cohort_id))
    assert (interest.members, interest.answered, interest.yes, interest.maybe, interest.no) == (6, 5, 4, 1, 0)
    assert interest.wanted and interest.meeting.id == meeting.id
    page = _page(coordinator, meeting.cohort_id)
    assert "After meet-up 1: 5 of 6 answered; 4 want to meet again, 1 maybe." in page
    assert "Most of the group want to meet again." in page
    assert f'value="{_local(meeting.starts_at + timedelta(weeks=4))}"' in page


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        (
            ["yes", "yes", "yes", "no", "maybe", None],
            "6 of 6 answered; 3 want to meet again, 1 maybe, 1 would rather not",
        ),
        ([], "No one has answered the survey yet (6 members)."),
    ],
)
def test_half_the_group_or_fewer_is_not_most(app, make_cohorts, coordinator, answers, words):
    meeting = _held_meeting(app, make_cohorts)
    _answer(app, meeting, answers)
    page = _page(coordinator, meeting.cohort_id)
    assert words in page
    assert "Most of the group want to meet again." not in page
    assert "Schedule the next meet-up" in page


def test_the_next_meet_up_gets_its_own_zoom_meeting_and_calendar_entry_for_every_member(
    app, make_cohorts, coordinator, mailbox, zoom, running_emulator
):
    first = _held_meeting(app, make_cohorts)
    members = {f"member-{first.cohort_id}-{seat}@example.org" for seat in range(6)}
    default = _local(first.starts_at + timedelta(weeks=4))

    response = _post(coordinator, first.cohort_id, "next-meeting", starts_at=default)
    assert response.status_code == 302
    assert "Meet-up 2 is scheduled for" in _page(coordinator, first.cohort_id)
    run_once(app)

    assert zoom.count("meeting_creates") == 2
    [_, second] = _meetings(app, first.cohort_id)
    assert second.number == 2 and second.zoom_meeting_id and second.zoom_meeting_id != first.zoom_meeting_id
    assert second.calendar_uid != first.calendar_uid
    assert len(running_emulator.emulator.state.registrants(int(second.zoom_meeting_id))) == 6
    invited = _invitations(mailbox)
    assert members <= invited[first.calendar_uid].keys()
    assert invited[second.calendar_uid].keys() == members | {"host-jonah@example.org"}
    for vevent in invited[second.calendar_uid].values():
        assert vevent["DTSTART"].dt == second.starts_at == first.starts_at + timedelta(weeks=4)
    openings = {
        "again" if "meeting again" in text else "first"
        for message in mailbox.messages()
        if message["Subject"] == "You are invited to a small group conversation"
        for text in [message.get_body(preferencelist=("plain",)).get_content()]
    }
    assert openings == {"first", "again"}  # the second invitation says the group meets again
    with app.app_context():
        session = database.session()
        kinds = Counter(
            session.exec(
                select(OutboundMessage.kind).where(
                    OutboundMessage.meeting_id == second.id, OutboundMessage.status == MessageStatus.PENDING
                )
            ).all()
        )
        [scheduled] = session.exec(
            select(AuditEvent).where(AuditEvent.action == "cohort.next_meeting_scheduled")
        ).all()
    assert (
        kinds[MessageKind.PREPARATION_TIPS] == kinds[MessageKind.REMINDER] == kinds[MessageKind.SURVEY] == 6
    )
    assert scheduled.coordinator_id and scheduled.detail["meeting_id"] == second.id
    assert "Schedule the next meet-up" not in _page(coordinator, first.cohort_id)


@pytest.mark.parametrize(
    ("held", "expected"),
    [
        # Madrid's clocks go forward on 28 March 2027: 18:00 is 17:00 UTC before, 16:00 UTC after.
        (datetime(2027, 3, 9, 17, tzinfo=UTC), datetime(2027, 4, 6, 16, tzinfo=UTC)),
        # ... and back on 31 October 2027.
        (datetime(2027, 10, 19, 16, tzinfo=UTC), datetime(2027, 11, 16, 17, tzinfo=UTC)),
    ],
)
def test_the_default_keeps_the_local_hour_across_a_daylight_saving_change(
    app, make_cohorts, coordinator, held, expected
):
    [cohort_id] = make_cohorts(1)
    _hold(app, _approve(app, cohort_id).id, starts_at=held)
    assert f'value="{_local(expected)}"' in _page(coordinator, cohort_id)
    assert _local(expected).endswith("T18:00")

    meeting = _schedule(app, cohort_id)
    assert meeting.starts_at == expected and meeting.number == 2


def test_refusals_say_why_and_schedule_nothing(app, make_cohorts, coordinator):
    proposed, approved, cancelled = make_cohorts(3)
    first = _approve(app, approved)
    _approve(app, cancelled)
    with app.app_context():
        session = database.session()
        cancel_cohort(session, session.get(Cohort, cancelled), actor="test", now=utcnow())
        session.commit()

    for cohort_id, words in [(proposed, "is proposed"), (cancelled, "is cancelled"), (approved, "to come")]:
        with pytest.raises(FollowUpError, match=words):
            _schedule(app, cohort_id)
    _hold(app, first.id)
    with pytest.raises(FollowUpError, match="already passed"):
        _schedule(app, approved, starts_at=utcnow() - timedelta(hours=1))
    for count in (0, 13):
        with pytest.raises(FollowUpError, match="between 1 and 12"):
            _schedule(app, approved, schedule_series, count=count)

    page = _post(coordinator, approved, "next-meeting", starts_at="2020-01-07T18:00")
    assert "already passed" in _page(coordinator, approved) and page.status_code == 302
    assert [m.number for m in _meetings(app, approved)] == [1]
    _schedule(app, approved)
    with pytest.raises(FollowUpError, match="already has meet-up 2 to come"):
        _schedule(app, approved)


def test_a_series_gives_each_meet_up_its_own_calendar_entry_and_invites_one_at_a_time(
    app, make_cohorts, coordinator, mailbox, zoom
):
    first = _held_meeting(app, make_cohorts, size=4)
    response = _post(coordinator, first.cohort_id, "series", count="3", every_weeks="2")
    assert response.status_code == 302
    assert "3 meet-ups are scheduled" in _page(coordinator, first.cohort_id)
    run_once(app)

    series = _meetings(app, first.cohort_id)[1:]
    assert [m.number for m in series] == [2, 3, 4]
    assert len({m.calendar_uid for m in [first, *series]}) == 4
    for weeks, meeting in zip((2, 4, 6), series, strict=True):
        assert _local(meeting.starts_at)[-5:] == _local(first.starts_at)[-5:]
        assert meeting.starts_at.astimezone(MADRID).date() == (
            first.starts_at.astimezone(MADRID).date() + timedelta(weeks=weeks)
        )
    assert zoom.count("meeting_creates") == 4
    invited = _invitations(mailbox)
    assert len(invited[series[0].calendar_uid]) == 5 and series[1].calendar_uid not in invited
    with app.app_context():
        later = (
            database.session()
            .exec(
                select(OutboundMessage).where(
                    OutboundMessage.meeting_id == series[1].id,
                    OutboundMessage.kind == MessageKind.COHORT_INVITATION,
                )
            )
            .all()
        )
    ends = series[0].starts_at + timedelta(minutes=series[0].duration_minutes)
    assert {m.send_at for m in later} == {ends + timedelta(days=1)} and len(later) == 4


def test_cancelling_the_group_cancels_every_meet_up_of_its_series(
    app, make_cohorts, mailbox, running_emulator
):
    first = _held_meeting(app, make_cohorts, size=4)
    second, third = _schedule(app, first.cohort_id, schedule_series, count=2)
    run_once(app)
    with app.app_context():
        session = database.session()
        cancel_cohort(session, session.get(Cohort, first.cohort_id), actor="test", now=utcnow())
        session.commit()
    run_once(app)

    second, third = _meetings(app, first.cohort_id)[1:]
    assert second.status == third.status == MeetingStatus.CANCELLED
    for meeting in (second, third):
        with pytest.raises(NotFound):
            running_emulator.emulator.state.get_meeting(int(meeting.zoom_meeting_id))
    with app.app_context():
        waiting = (
            database.session()
            .exec(
                select(OutboundMessage).where(
                    OutboundMessage.meeting_id.in_([second.id, third.id]),
                    OutboundMessage.status == MessageStatus.PENDING,
                )
            )
            .all()
        )
    assert waiting == []
    # Only the meet-up people were invited to is taken off their calendars.
    cancelled = [m for m in mailbox.messages() if m["Subject"] == "Your conversation has been cancelled"]
    assert {str(Calendar.from_ical(calendar_part(m)).walk("VEVENT")[0]["UID"]) for m in cancelled} == {
        second.calendar_uid
    }
    assert len(cancelled) == 5


def test_only_the_group_s_own_coordinators_reach_these_actions(app, make_cohorts, console_client):
    app.config["WTF_CSRF_ENABLED"] = False
    first = _held_meeting(app, make_cohorts, size=4)
    with app.app_context():
        session = database.session()
        session.add(
            Program(slug="other", name="Other", organisation="Elsewhere", contact_email="o@example.org")
        )
        session.commit()
    stranger, elsewhere = console_client("other"), console_client("demo", "other")
    form = {"starts_at": _local(first.starts_at + timedelta(weeks=4)), "count": "2", "every_weeks": "4"}
    for action in ("next-meeting", "series"):
        assert _post(stranger, first.cohort_id, action, **form).status_code == 404
        assert _post(elsewhere, first.cohort_id, action, slug="other", **form).status_code == 404
    assert [m.number for m in _meetings(app, first.cohort_id)] == [1]


def test_the_cohorts_wanting_to_meet_again_take_the_same_few_queries_however_many(app, make_cohorts):
    wanting, lukewarm, planned, waiting = make_cohorts(4, size=4)
    for cohort_id, answers in [
        (wanting, ["yes"] * 3),
        (lukewarm, ["yes", "yes", "no"]),
        (planned, ["yes"] * 4),
    ]:
        _answer(app, _hold(app, _approve(app, cohort_id).id), answers, anonymous=1)
    _approve(app, waiting)
    _schedule(app, planned)
    make_cohorts(2, size=4)  # proposed

    ids, few = _wanting(app)
    assert ids == [wanting]
    more = make_cohorts(3, size=4)
    for cohort_id in more:
        _answer(app, _hold(app, _approve(app, cohort_id).id), ["yes"] * 4)
    ids, many = _wanting(app)
    assert ids == [wanting, *more]
    assert few == many == 4


def _wanting(app) -> tuple[list[int], int]:
    """The ids `cohorts_wanting_to_meet_again` gives, and how many queries it took."""
    with app.app_context():
        session = database.session()
        program = session.exec(select(Program).where(Program.slug == "demo")).one()
        with statements_sent(app.extensions["engine"]) as sent:
            ids = cohorts_wanting_to_meet_again(session, program)
    return ids, len(sent)
