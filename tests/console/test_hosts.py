"""The host pool in the console: adding and changing hosts, their groups and meeting times, their own page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel import select

from app import database
from app.database import utcnow
from app.links import make_token
from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    Condition,
    Host,
    Meeting,
    OutboundMessage,
    Participant,
)
from app.services.approval import approve_cohort

NEW_HOST = {
    "display_name": "Ines",
    "email": "Ines@Example.org",
    "zoom_user": "",
    "timezone": "Europe/Lisbon",
    "languages": ["en", "es"],
    "conditions": ["cll", "lung-cancer"],
    "availability": ["0-evening", "2-evening", "5-morning"],
    "max_cohorts": "3",
    "active": "yes",
}


def host_named(app, name: str) -> Host:
    with app.app_context():
        return database.session().exec(select(Host).where(Host.display_name == name)).one()


def make_group(app, program, host_name: str, *, slot: int, approve: bool) -> int:
    """A group of four CLL patients led by `host_name`, meeting at `slot`; approved when asked."""
    with app.app_context():
        session = database.session()
        condition = session.exec(select(Condition).where(Condition.code == "cll")).one()
        host = session.exec(select(Host).where(Host.display_name == host_name)).one()
        cohort = Cohort(
            program_id=program.id, condition_id=condition.id, language="en", slot=slot, host_id=host.id
        )
        session.add(cohort)
        session.flush()
        for seat in range(4):
            member = Participant(
                program_id=program.id,
                email=f"member-{cohort.id}-{seat}@example.org",
                display_name=f"Member {seat}",
                condition_id=condition.id,
                timezone="America/New_York",
                languages=["en"],
                consent_version="1",
                status="verified",
            )
            session.add(member)
            session.flush()
            session.add(CohortMember(cohort_id=cohort.id, participant_id=member.id))
        if approve:
            approve_cohort(session, cohort, actor="test", now=utcnow())
        session.commit()
        return cohort.id


def test_a_coordinator_adds_a_host_who_then_appears_in_the_pool(app, demo, console_client):
    client = console_client("demo")
    assert "Add a host" in client.get("/console/programs/demo/hosts/new").text
    added = client.post("/console/programs/demo/hosts/new", data=NEW_HOST, follow_redirects=True)
    assert "Ines is added to the host pool." in added.text
    host = host_named(app, "Ines")
    assert (host.email, host.zoom_user, host.timezone) == (
        "ines@example.org",
        "ines@example.org",
        "Europe/Lisbon",
    )
    assert (host.languages, host.conditions, host.max_cohorts, host.active) == (
        ["en", "es"],
        ["cll", "lung-cancer"],
        3,
        True,
    )
    assert host.availability == [
        {"weekday": 0, "start": "17:00", "end": "21:00"},
        {"weekday": 2, "start": "17:00", "end": "21:00"},
        {"weekday": 5, "start": "09:00", "end": "12:00"},
    ]
    assert "Chronic lymphocytic leukaemia (CLL); Lung cancer" in added.text
    assert "Monday 17:00–21:00; Wednesday 17:00–21:00; Saturday 09:00–12:00" in added.text


def test_the_host_page_link_shown_to_the_coordinator_opens_the_hosts_own_page(app, demo, console_client):
    page = console_client("demo").get("/console/programs/demo/hosts")
    jonah = host_named(app, "Jonah")
    marker = f'id="host-{jonah.id}-link" type="text" readonly value="'
    link = page.text.split(marker, 1)[1].split('"', 1)[0]
    assert link.startswith("http://localhost/host/")
    own_page = app.test_client().get(urlsplit(link).path)
    assert own_page.status_code == 200 and "Hello Jonah" in own_page.text


def test_a_bad_time_zone_is_refused_and_nothing_is_saved(app, demo, console_client):
    client = console_client("demo")
    page = client.post("/console/programs/demo/hosts/new", data={**NEW_HOST, "timezone": "Europe/Atlantis"})
    assert page.status_code == 422
    assert "“Europe/Atlantis” is not a time zone we know" in page.text
    assert 'value="Ines@Example.org"' in page.text
    with app.app_context():
        assert database.session().exec(select(Host).where(Host.display_name == "Ines")).first() is None

    jonah = host_named(app, "Jonah")
    edit = client.post(f"/console/programs/demo/hosts/{jonah.id}", data={**NEW_HOST, "timezone": "Nowhere"})
    assert edit.status_code == 422 and host_named(app, "Jonah").timezone == "America/New_York"


def test_a_host_form_with_problems_shows_them_all(demo, console_client):
    answers = {"display_name": "", "email": "host-marta@example.org", "timezone": "UTC", "max_cohorts": "0"}
    page = console_client("demo").post("/console/programs/demo/hosts/new", data=answers)
    assert page.status_code == 422
    for message in (
        "Enter the host&#39;s name, as their groups see it.",
        "Another host of this program already has this address.",
        "Tick at least one language the host can talk in.",
        "Tick at least one condition the host can lead conversations about.",
        "Tick at least one time when this host could usually lead a meeting.",
        "Enter a whole number from 1 to 20.",
    ):
        assert message in page.text


def test_editing_a_host_keeps_their_exact_times_unless_the_grid_is_changed(app, demo, console_client):
    client = console_client("demo")
    jonah = host_named(app, "Jonah")
    form = client.get(f"/console/programs/demo/hosts/{jonah.id}").text
    assert "Saved now:" in form and "Monday 10:00–20:00" in form
    answers = {
        "display_name": "Jonah B",
        "email": jonah.email,
        "zoom_user": jonah.zoom_user,
        "timezone": "America/Chicago",
        "languages": ["en"],
        "conditions": ["cll"],
        "availability": [f"{day}-afternoon" for day in range(5)],  # what the grid shows for 10:00–20:00
        "max_cohorts": "1",
        "active": "yes",
    }
    saved = client.post(f"/console/programs/demo/hosts/{jonah.id}", data=answers, follow_redirects=True)
    assert "Jonah B’s details are saved." in saved.text
    after = host_named(app, "Jonah B")
    assert (after.timezone, after.conditions, after.max_cohorts) == ("America/Chicago", ["cll"], 1)
    assert after.availability == jonah.availability

    client.post(f"/console/programs/demo/hosts/{jonah.id}", data={**answers, "availability": ["6-morning"]})
    assert host_named(app, "Jonah B").availability == [{"weekday": 6, "start": "09:00", "end": "12:00"}]


def test_the_pool_shows_each_hosts_groups_with_times_in_both_zones(app, demo, console_client):
    approved = make_group(app, demo, "Jonah", slot=14, approve=True)  # Monday 14:00 UTC
    proposed = make_group(app, demo, "Jonah", slot=40, approve=False)  # Tuesday 16:00 UTC
    page = console_client("demo").get("/console/programs/demo/hosts").text
    section = page.split(f'id="host-{host_named(app, "Jonah").id}"', 1)[1].split("</section>", 1)[0]
    assert f"Group {approved}</a>" in section and f"Group {proposed}</a>" in section
    assert "Approved" in section and "Proposed" in section
    with app.app_context():
        starts = database.session().exec(select(Meeting.starts_at).where(Meeting.cohort_id == approved)).one()
    for zone in ("Europe/Madrid", "America/New_York"):  # the program's time zone, and Jonah's own
        assert f"{starts.astimezone(ZoneInfo(zone)):%a %-d %b %Y, %H:%M %Z}</time>" in section
    assert "(if approved)" in section  # the proposed group's time is not fixed yet
    assert "start_url" not in page and "zoom.us/s/" not in page


def test_switching_a_host_off_warns_which_groups_lose_their_host(app, demo, console_client):
    approved = make_group(app, demo, "Jonah", slot=14, approve=True)
    proposed = make_group(app, demo, "Jonah", slot=40, approve=False)
    jonah = host_named(app, "Jonah")
    client = console_client("demo")
    answers = {
        "display_name": "Jonah",
        "email": jonah.email,
        "zoom_user": jonah.zoom_user,
        "timezone": jonah.timezone,
        "languages": jonah.languages,
        "conditions": jonah.conditions,
        "availability": [f"{day}-afternoon" for day in range(5)],
        "max_cohorts": "2",
    }  # "active" unticked
    page = client.post(f"/console/programs/demo/hosts/{jonah.id}", data=answers, follow_redirects=True)
    assert "Jonah is switched off, so these groups have no host now:" in page.text
    assert f"group {approved} (approved" in page.text and f"group {proposed} (proposed" in page.text
    assert "Switched off" in page.text
    with app.app_context():
        session = database.session()
        assert not session.get(Host, jonah.id).active
        assert session.get(Cohort, approved).host_id is None and session.get(Cohort, proposed).host_id is None
        assert session.get(Cohort, approved).status == CohortStatus.APPROVED
        briefings = session.exec(select(OutboundMessage).where(OutboundMessage.host_id == jonah.id)).all()
        assert briefings and all(message.status == "cancelled" for message in briefings)


def test_past_groups_keep_their_host_when_the_host_is_switched_off(app, demo, console_client):
    approved = make_group(app, demo, "Jonah", slot=14, approve=True)
    with app.app_context():
        session = database.session()
        meeting = session.exec(select(Meeting).where(Meeting.cohort_id == approved)).one()
        meeting.starts_at = utcnow() - timedelta(days=3)
        session.commit()
    jonah = host_named(app, "Jonah")
    answers = {"display_name": "Jonah", "email": jonah.email, "timezone": jonah.timezone, "max_cohorts": "2"}
    answers |= {"languages": jonah.languages, "conditions": jonah.conditions, "availability": ["0-afternoon"]}
    page = console_client("demo").post(
        f"/console/programs/demo/hosts/{jonah.id}", data=answers, follow_redirects=True
    )
    assert "Jonah’s details are saved." in page.text and "have no host now" not in page.text
    with app.app_context():
        assert database.session().get(Cohort, approved).host_id == jonah.id
        link = f"/host/start/{make_token('host', {'h': jonah.id, 'm': meeting.id})}"
    start = app.test_client().get(link)
    assert start.status_code == 403 and "no longer host this group" in start.text


def test_a_host_whose_zoom_user_is_licensed_is_marked_so_and_can_be_unmarked(app, demo, console_client):
    client = console_client("demo")
    client.post("/console/programs/demo/hosts/new", data={**NEW_HOST, "zoom_licensed": "yes"})
    host = host_named(app, "Ines")
    assert host.zoom_licensed is True
    form = client.get(f"/console/programs/demo/hosts/{host.id}").text
    assert 'name="zoom_licensed" value="yes" checked' in form
    client.post(f"/console/programs/demo/hosts/{host.id}", data=NEW_HOST)
    assert host_named(app, "Ines").zoom_licensed is False
