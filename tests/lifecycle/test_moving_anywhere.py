"""Moving a group's meeting to any day and hour, typed in the coordinator's own time zone: first the page
says who of the group is not usually free then (by the times they gave), and nothing changes; once confirmed,
Zoom (the emulator) moves and every member is emailed the new time (a real SMTP server)."""

from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import AuditEvent, Cohort, Meeting, Participant
from app.services.approval import approve_cohort
from app.worker.runner import run_once
from emails.catcher import calendar_part

TOKYO, NEW_YORK = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")
CHANGED = "Your conversation has changed"
WEDNESDAY_EVENINGS = [{"weekday": 2, "start": "18:00", "end": "22:00"}]  # in New York
MONDAY_MORNINGS = [{"weekday": 0, "start": "08:00", "end": "12:00"}]


class CannotCome(HTMLParser):
    """The names listed under "Not usually free then", read from the page's HTML."""

    def __init__(self, page: str):
        super().__init__()
        self.depth, self.names, self._item = 0, [], None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "ul" and ("class", "cannot-come") in attrs:
            self.depth = 1
        elif self.depth and tag == "li":
            self._item = ""

    def handle_endtag(self, tag):
        if self.depth and tag == "li":
            self.names.append(self._item.split(" (")[0].strip())
            self._item = None
        elif self.depth and tag == "ul":
            self.depth = 0

    def handle_data(self, data):
        if self._item is not None:
            self._item += data


@pytest.fixture
def coordinator(app, program, console_client):
    """A coordinator of the demo program who reads the console in Tokyo time."""
    app.config["WTF_CSRF_ENABLED"] = False  # the console's forms are tested with CSRF elsewhere
    client = console_client("demo")
    assert client.post("/console/account/time-zone", data={"timezone": "Asia/Tokyo"}).status_code == 303
    return client


@pytest.fixture
def meeting(app, make_cohorts) -> Meeting:
    """An approved, invited group of four in New York: two free on Wednesday evenings, two on Monday
    mornings."""
    [cohort_id] = make_cohorts(1, size=4, hosted=False)
    with app.app_context():
        session = database.session()
        members = session.exec(
            select(Participant).where(Participant.email.startswith(f"member-{cohort_id}-"))
        ).all()
        for person in members:
            wednesday = person.display_name.endswith((".0", ".1"))
            person.availability = WEDNESDAY_EVENINGS if wednesday else MONDAY_MORNINGS
            session.add(person)
        approved = approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()
        meeting_id = approved.id
    run_once(app)
    with app.app_context():
        return database.session().get(Meeting, meeting_id)


def _next_wednesday_evening(after: datetime) -> datetime:
    """19:30 New York time on the first Wednesday after `after`, in UTC."""
    day = after.astimezone(NEW_YORK).date() + timedelta(days=1)
    while day.weekday() != 2:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 19, 30, tzinfo=NEW_YORK).astimezone(UTC)


def _typed_in_tokyo(moment: datetime) -> str:
    return moment.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")


def _stored(app, meeting_id: int) -> Meeting:
    with app.app_context():
        return database.session().get(Meeting, meeting_id)


def test_moving_to_any_time_names_who_cannot_come_then_moves_zoom_and_tells_everyone(
    app, coordinator, meeting, mailbox, running_emulator
):
    new_start = _next_wednesday_evening(meeting.starts_at)
    reschedule = f"/console/programs/demo/meetings/{meeting.id}/reschedule"

    preview = coordinator.post(reschedule, data={"starts_at": _typed_in_tokyo(new_start)})

    assert preview.status_code == 200
    assert sorted(CannotCome(preview.text).names) == ["Member 0.2", "Member 0.3"]
    assert "Nothing has changed yet" in preview.text
    assert new_start.astimezone(TOKYO).strftime("%H:%M JST") in preview.text  # read back in Tokyo time
    assert _stored(app, meeting.id).starts_at == meeting.starts_at
    run_once(app)
    assert not [message for message in mailbox.messages() if message["Subject"] == CHANGED]

    done = coordinator.post(
        reschedule, data={"starts_at": _typed_in_tokyo(new_start), "confirm": "yes"}, follow_redirects=True
    )
    assert "The meeting now starts" in done.text
    assert _stored(app, meeting.id).starts_at == new_start
    run_once(app)

    stored = running_emulator.emulator.state.get_meeting(int(meeting.zoom_meeting_id))
    assert stored["start_time"] == new_start.strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = [message for message in mailbox.messages() if message["Subject"] == CHANGED]
    told = {message["To"].addresses[0].addr_spec for message in changed}
    assert told == {f"member-{meeting.cohort_id}-{seat}@example.org" for seat in range(4)}
    for message in changed:
        [event] = Calendar.from_ical(calendar_part(message)).walk("VEVENT")
        assert event["DTSTART"].dt == new_start
    with app.app_context():
        [moved] = (
            database.session()
            .exec(select(AuditEvent).where(AuditEvent.action == "meeting.rescheduled"))
            .all()
        )
        assert moved.detail["starts_at"] == new_start.isoformat()


def test_a_time_everyone_gave_says_so_and_a_past_one_is_refused_before_any_question(
    app, coordinator, meeting
):
    reschedule = f"/console/programs/demo/meetings/{meeting.id}/reschedule"
    monday = meeting.starts_at.astimezone(NEW_YORK).date() + timedelta(days=7)
    while monday.weekday() != 0:
        monday += timedelta(days=1)
    morning = datetime(monday.year, monday.month, monday.day, 9, tzinfo=NEW_YORK)
    with app.app_context():
        session = database.session()
        for person in session.exec(select(Participant)).all():
            person.availability = MONDAY_MORNINGS
            session.add(person)
        session.commit()

    preview = coordinator.post(reschedule, data={"starts_at": _typed_in_tokyo(morning)})
    assert CannotCome(preview.text).names == []
    assert "Everyone in the group is usually free then." in preview.text

    past = coordinator.post(reschedule, data={"starts_at": "2020-01-06T10:00"}, follow_redirects=True)
    assert "The new time has already passed." in past.text
    assert _stored(app, meeting.id).starts_at == meeting.starts_at


class SlotOptions(HTMLParser):
    """The weekly hours the cohort page offers: (optgroup label, value, text) of each option."""

    def __init__(self, page: str):
        super().__init__()
        self.options, self._inside, self._group, self._option = [], False, None, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "select" and attributes.get("name") == "slot":
            self._inside = True
        elif self._inside and tag == "optgroup":
            self._group = attributes["label"]
        elif self._inside and tag == "option":
            self._option = [self._group, int(attributes["value"]), ""]

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self.options.append(tuple(self._option))
            self._option = None
        elif tag == "select":
            self._inside = False

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data


def test_a_proposed_group_is_offered_every_hour_in_the_coordinator_s_zone_with_who_is_not_free(
    app, coordinator, make_cohorts
):
    [cohort_id] = make_cohorts(1, size=4, hosted=False)
    with app.app_context():
        session = database.session()
        for person in session.exec(select(Participant)).all():
            late = person.display_name.endswith(".3")
            person.timezone, person.availability = "UTC", [{"weekday": 0, "start": "14:00", "end": "17:00"}]
            if late:
                person.availability = [{"weekday": 0, "start": "15:00", "end": "17:00"}]
            session.add(person)
        session.commit()
    page = f"/console/programs/demo/cohorts/{cohort_id}"

    options = SlotOptions(coordinator.get(page).text).options

    assert len(options) == 168
    everyone = [(slot, text) for group, slot, text in options if group == "Everyone free"]
    assert everyone == [(15, "Tuesday 00:00 JST"), (16, "Tuesday 01:00 JST")]  # Monday 15:00, 16:00 UTC
    by_slot = {slot: text for _, slot, text in options}
    assert by_slot[14] == "Monday 23:00 JST — not free: Member 0.3"
    assert by_slot[17] == "Tuesday 02:00 JST — not free: Member 0.0, Member 0.1, Member 0.2, Member 0.3"
    assert next(slot for group, slot, _ in options if group != "Everyone free") == 159  # Monday 00:00 JST

    moved = coordinator.post(f"{page}/slot", data={"slot": "40", "version": "1"})
    assert moved.status_code == 409 and "Make this change anyway" in moved.text
    warnings = unescape(moved.text)
    for seat in range(4):
        # The warning the rules word gives the time in the coordinator's zone too (Tuesday 16:00 UTC).
        assert f"Member 0.{seat} is not free at the group's time (Wednesday 01:00 JST)." in warnings
    coordinator.post(f"{page}/slot", data={"slot": "40", "version": "1", "override": "yes"})
    with app.app_context():
        assert database.session().get(Cohort, cohort_id).slot == 40


def test_a_host_not_free_at_the_new_time_is_named_too(app, coordinator, make_cohorts):
    [cohort_id] = make_cohorts(1, size=4)  # led by Jonah, free 10:00-20:00 New York time on weekdays
    with app.app_context():
        session = database.session()
        cohort = session.get(Cohort, cohort_id)
        meeting = approve_cohort(session, cohort, actor="test", now=utcnow())
        for person in session.exec(select(Participant)).all():
            person.availability = WEDNESDAY_EVENINGS
            session.add(person)
        session.commit()
        meeting_id, starts_at = meeting.id, meeting.starts_at
    reschedule = f"/console/programs/demo/meetings/{meeting_id}/reschedule"

    late = _next_wednesday_evening(starts_at)  # 19:30 to 20:30 in New York: past Jonah's evening
    assert CannotCome(coordinator.post(reschedule, data={"starts_at": _typed_in_tokyo(late)}).text).names == [
        "Jonah, the host"
    ]
    earlier = coordinator.post(reschedule, data={"starts_at": _typed_in_tokyo(late - timedelta(hours=1))})
    assert "Everyone in the group, and the host, is usually free then." in earlier.text
