"""A program's Zoom users in the console and from the command line: listing them with what the pool can run
at once, adding, changing, switching off and removing them, and clear refusals."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.demo import DEMO_ZOOM_USERS, seed_demo
from app.models import AuditEvent, Cohort, CohortStatus, Meeting, Program, ZoomUser
from app.services.adjustments import NeedsOverride
from app.services.adjustments.cohort_edits import set_slot
from app.services.approval import approve_cohort
from app.services.proposals import propose_cohorts

PAGE = "/console/programs/demo/zoom-users"


def _users(app) -> dict[str, tuple[int, bool]]:
    with app.app_context():
        rows = database.session().exec(select(ZoomUser).order_by(ZoomUser.id)).all()
        return {row.user: (row.concurrent, row.active) for row in rows}


def test_the_page_lists_the_pool_and_what_it_can_run_at_once(demo, console_client):
    page = console_client("demo").get(PAGE)
    assert page.status_code == 200
    assert f"Together they can run <strong>{DEMO_ZOOM_USERS} meetings at the same time</strong>" in page.text
    assert "meetings-1@example.org" in page.text and "Zoom users</a>" in page.text


def test_a_coordinator_adds_a_business_user_and_the_capacity_grows(demo, console_client, app):
    client = console_client("demo")
    added = client.post(PAGE, data={"user": " Team@Example.org ", "concurrent": "2"}, follow_redirects=True)
    assert "team@example.org is added to the program’s Zoom users." in added.text
    assert _users(app)["team@example.org"] == (2, True)
    assert f"can run <strong>{DEMO_ZOOM_USERS + 2} meetings" in added.text
    with app.app_context():
        [event] = (
            database.session().exec(select(AuditEvent).where(AuditEvent.action == "zoom_user.added")).all()
        )
        assert event.detail["user"] == "team@example.org"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"user": "", "concurrent": "1"}, "Enter the Zoom user’s email address (or its Zoom user id)."),
        ({"user": "not an address", "concurrent": "1"}, "Enter the Zoom user’s email address like"),
        (
            {"user": "MEETINGS-1@example.org", "concurrent": "1"},
            "This Zoom user is already in the program’s pool.",
        ),
        ({"user": "x@example.org", "concurrent": "3"}, "Enter a whole number from 1 to 2."),
    ],
)
def test_a_bad_zoom_user_is_refused_by_its_field_and_nothing_changes(
    demo, console_client, app, data, message
):
    before = _users(app)
    page = console_client("demo").post(PAGE, data=data)
    assert page.status_code == 422
    assert message in page.text.replace("&#39;", "’").replace("'", "’")
    assert _users(app) == before


def test_switching_a_user_off_and_changing_its_plan(demo, console_client, app):
    client = console_client("demo")
    with app.app_context():
        row_id = (
            database.session()
            .exec(select(ZoomUser.id).where(ZoomUser.user == "meetings-2@example.org"))
            .one()
        )
    page = client.post(f"{PAGE}/{row_id}", data={"concurrent": "2"}, follow_redirects=True)
    assert "meetings-2@example.org is saved." in page.text
    assert _users(app)["meetings-2@example.org"] == (2, False)
    assert f"can run <strong>{DEMO_ZOOM_USERS - 1} meetings" in page.text


def test_a_user_holding_meetings_to_come_cannot_be_removed(demo, console_client, app):
    with app.app_context():
        session = database.session()
        propose_cohorts(session, seed_demo(session, registrants=40), today=utcnow().date())
        cohort = session.exec(select(Cohort).order_by(Cohort.id)).first()
        approve_cohort(session, cohort, actor="test", now=utcnow())
        session.commit()
        meeting = session.exec(select(Meeting)).one()
        row_id = session.exec(select(ZoomUser.id).where(ZoomUser.user == meeting.zoom_user)).one()
        idle_id = session.exec(select(ZoomUser.id).where(ZoomUser.user != meeting.zoom_user)).first()
    client = console_client("demo")
    refused = client.post(f"{PAGE}/{row_id}/remove", follow_redirects=True)
    assert "holds 1 meeting of this program still to come" in refused.text
    assert "Switch it off instead" in refused.text
    assert len(_users(app)) == DEMO_ZOOM_USERS
    removed = client.post(f"{PAGE}/{idle_id}/remove", follow_redirects=True)
    assert "is no longer one of the program’s Zoom users." in removed.text
    assert len(_users(app)) == DEMO_ZOOM_USERS - 1


def test_another_programs_zoom_user_is_not_found_from_this_program(demo, console_client, app):
    with app.app_context():
        session = database.session()
        other = Program(slug="other", name="Other", organisation="Elsewhere", contact_email="o@example.org")
        session.add(other)
        session.flush()
        foreign = ZoomUser(program_id=other.id, user="theirs@example.org")
        session.add(foreign)
        session.commit()
        foreign_id = foreign.id
    assert console_client("demo").post(f"{PAGE}/{foreign_id}/remove").status_code == 404
    assert "theirs@example.org" in _users(app)


def test_the_command_line_adds_lists_and_removes_zoom_users(demo, runner, app):
    added = runner.invoke(args=["zoom-users", "add", "demo", "Extra@Example.org", "--concurrent", "2"])
    assert added.exit_code == 0 and "Added extra@example.org (2 at once)." in added.output
    listed = runner.invoke(args=["zoom-users", "list", "demo"])
    assert "extra@example.org: 2 at once, 0 meetings to come" in listed.output
    assert f"Meetings the pool can run at the same time: {DEMO_ZOOM_USERS + 2}" in listed.output
    twice = runner.invoke(args=["zoom-users", "add", "demo", "extra@example.org"])
    assert twice.exit_code == 1 and "already in the program's pool" in twice.output
    unknown = runner.invoke(args=["zoom-users", "remove", "demo", "nobody@example.org"])
    assert unknown.exit_code == 1 and "nobody@example.org is not one of demo's Zoom users." in unknown.output
    removed = runner.invoke(args=["zoom-users", "remove", "demo", "extra@example.org"])
    assert removed.exit_code == 0 and "extra@example.org" not in _users(app)


def _meetings_by_hour(slots: list[int], hours: int) -> Counter[int]:
    """Meetings running in each hour of the week, counted here on their own: a meeting at slot s keeps its
    Zoom user busy for `hours` hours from s."""
    return Counter((slot + hour) % 168 for slot in slots for hour in range(hours))


def _propose(app, pool_size: int) -> tuple[list[int], Counter[str]]:
    with app.app_context():
        session = database.session()
        program = seed_demo(session, registrants=160)
        for row in session.exec(select(ZoomUser).where(ZoomUser.program_id == program.id)).all()[pool_size:]:
            session.delete(row)
        session.flush()
        summary = propose_cohorts(session, program, today=utcnow().date())
        session.commit()
        return session.exec(select(Cohort.slot)).all(), summary.waitlisted


def test_proposed_groups_never_need_more_meetings_at_once_than_the_pool_can_run(app):
    slots, _ = _propose(app, DEMO_ZOOM_USERS)
    assert len(slots) > DEMO_ZOOM_USERS  # more groups than Zoom users, spread over the week
    busiest = max(_meetings_by_hour(slots, 2).values())  # an hour's meeting and its buffer take two hours
    assert busiest <= DEMO_ZOOM_USERS


def test_with_one_zoom_user_the_waitlist_says_zoom_capacity_keeps_people_waiting(app):
    slots, waitlisted = _propose(app, 1)
    assert max(_meetings_by_hour(slots, 2).values()) == 1
    assert waitlisted["no_meeting_capacity"] > 0


def test_the_program_page_shows_groups_meeting_against_what_zoom_can_run(app, console_client):
    _propose(app, DEMO_ZOOM_USERS)
    page = console_client("demo").get("/console/programs/demo").text
    assert "<h2>Meetings at once</h2>" in page and "Groups meeting, by hour" in page
    assert "more than Zoom can run" not in page


def test_moving_a_group_to_an_hour_zoom_is_full_needs_an_override(app):
    _propose(app, 1)
    with app.app_context():
        session = database.session()
        first, second = session.exec(select(Cohort).order_by(Cohort.id).limit(2)).all()
        with pytest.raises(NeedsOverride) as refused:
            set_slot(session, second, first.slot, expected_version=second.version, actor="test")
    [warning] = [w for w in refused.value.warnings if "Zoom users can run 1 meeting at once" in w]
    assert "2 groups would be meeting at" in warning


def test_the_program_page_counts_the_groups_meeting_in_each_hour(app, console_client):
    """Two groups at one hour count twice there (and in the buffer hour after it); a cancelled group, not
    at all."""
    _propose(app, DEMO_ZOOM_USERS)
    with app.app_context():
        session = database.session()
        first, second, third = session.exec(select(Cohort).order_by(Cohort.id).limit(3)).all()
        second.slot = first.slot
        third.status = CohortStatus.CANCELLED
        session.commit()
        slots = session.exec(select(Cohort.slot).where(Cohort.status != CohortStatus.CANCELLED)).all()
    page = console_client("demo").get("/console/programs/demo").text
    shown = [int(count) for count in re.findall(r'<th scope="row">[^<]+</th>\s*<td>(\d+)', page)]
    assert shown == [count for _, count in sorted(_meetings_by_hour(slots, 2).items())]
