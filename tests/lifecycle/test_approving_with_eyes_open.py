"""Approving with eyes open: before approving, the coordinator sees which groups have no host, break a rule
or meet when every Zoom user is busy; a group approved with no host has its meeting opened by a coordinator,
and its members are not promised a volunteer host."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app import database
from app.messages.building import build_email
from app.messages.kinds import MessageKind
from app.models import Cohort, Meeting, OutboundMessage, Participant, Program
from app.services.feasibility import cohort_warnings
from emails.messages import compose
from emails.times import format_meeting_time

SLUG = "demo"


@pytest.fixture
def console(app, program, console_client):
    app.config["WTF_CSRF_ENABLED"] = False
    return console_client(SLUG)


def _breaking(app, ids: list[int]) -> list[int]:
    with app.app_context():
        session = database.session()
        return [cohort_id for cohort_id in ids if cohort_warnings(session, session.get(Cohort, cohort_id))]


def _links(page: str, sentence: str) -> list[int]:
    """The group numbers linked in the list item that starts with `sentence`."""
    [item] = re.findall(rf"<li><strong>{re.escape(sentence)}.*?</li>", page, re.S)
    return [int(number) for number in re.findall(r"/cohorts/(\d+)\"", item)]


def test_approve_all_says_which_groups_have_no_host_break_a_rule_or_exceed_the_zoom_pool(
    app, console, make_cohorts, zoom_pool
):
    hosted = make_cohorts(1, slot=14)
    hostless = make_cohorts(2, hosted=False, slot=14)
    later = make_cohorts(1, slot=60)
    zoom_pool({"solo@example.org": 2})  # two meetings at once: three groups at 14:00 UTC are one too many

    page = console.post(f"/console/programs/{SLUG}/approve").get_data(as_text=True)
    assert "Groups to check before approving" in page
    assert _links(page, "2 of 4 groups have no host") == hostless
    assert _links(page, "3 groups meet when the Zoom users are all busy") == [*hosted, *hostless]
    breaking = _breaking(app, [*hosted, *hostless, *later])
    assert breaking, "the synthetic groups are expected to break a rule"
    assert _links(
        page, f"{len(breaking)} group{' breaks' if len(breaking) == 1 else 's break'} a matching rule"
    ) == (breaking)
    assert "their members' invitations do not promise a host" in page

    group = console.get(f"/console/programs/{SLUG}/cohorts/{hostless[0]}").get_data(as_text=True)
    assert "This group has no host. If you approve it, one of this program's coordinators opens" in group
    assert "This group meets when the program's Zoom users are all busy" in group
    alone = console.get(f"/console/programs/{SLUG}/cohorts/{later[0]}").get_data(as_text=True)
    assert "This group has no host" not in alone and "Zoom users are all busy" not in alone


def test_a_hostless_group_s_meeting_is_opened_by_a_coordinator_and_its_members_expect_the_team(
    app, console, runner, make_cohorts, zoom
):
    [cohort_id] = make_cohorts(1, hosted=False)
    approved = console.post(f"/console/programs/{SLUG}/cohorts/{cohort_id}/approve", data={"override": "yes"})
    assert approved.status_code == 302
    worked = runner.invoke(args=["worker", "--once"])
    assert worked.exit_code == 0, worked.output
    with app.app_context():
        meeting = database.session().exec(select(Meeting).where(Meeting.cohort_id == cohort_id)).one()
        assert meeting.zoom_meeting_id and meeting.zoom_user

    listed = console.get(f"/console/programs/{SLUG}/meetings").get_data(as_text=True)
    assert "Meetings a coordinator opens" in listed
    assert f'href="/console/programs/{SLUG}/meetings/{meeting.id}">Group {cohort_id},' in listed
    page = console.get(f"/console/programs/{SLUG}/meetings/{meeting.id}").get_data(as_text=True)
    assert "This group has no host: one of this program's coordinators opens its meeting" in page
    started = console.post(f"/console/programs/{SLUG}/meetings/{meeting.id}/start")
    assert started.status_code == 303
    assert started.headers["Location"].startswith(f"{zoom.url}/s/{meeting.zoom_meeting_id}?zak=")
    assert started.headers["Cache-Control"] == "no-store"

    invitation, tips = _member_emails(app, cohort_id)
    assert "It will be hosted by a member of our team." in invitation
    assert "A member of our team opens the meeting and guides the conversation." in tips
    assert "fellow patient who volunteers" not in tips
    _, tips_es = _member_emails(app, cohort_id, locale="es")
    assert "Una persona de nuestro equipo abre la reunión y guía la conversación." in tips_es


def test_a_hosted_group_s_members_still_hear_of_their_volunteer_host(
    app, console, runner, make_cohorts, zoom
):
    [cohort_id] = make_cohorts(1)
    console.post(f"/console/programs/{SLUG}/cohorts/{cohort_id}/approve", data={"override": "yes"})
    assert runner.invoke(args=["worker", "--once"]).exit_code == 0
    _, tips = _member_emails(app, cohort_id)
    assert "fellow patient who volunteers" in tips and "A member of our team opens" not in tips
    assert "Meetings a coordinator opens" not in console.get(f"/console/programs/{SLUG}/meetings").text
    with app.app_context():
        assert (
            database.session()
            .exec(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.MEETINGS_TO_OPEN))
            .all()
            == []
        )


TO_OPEN = {
    "en": ("Meetings with no host for the team to open", "Group", "Start it from its page"),
    "es": ("Reuniones sin anfitrión que debe abrir el equipo", "Grupo", "Iníciela desde su página"),
}


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_coordinators_are_emailed_the_meetings_with_no_host_they_must_open(
    app, program, console, runner, make_cohorts, zoom_pool, mailbox, locale
):
    with app.app_context():
        session = database.session()
        session.get(Program, program.id).default_locale = locale
        session.commit()
    hostless = make_cohorts(1, hosted=False, slot=14) + make_cohorts(1, hosted=False, slot=38)
    hosted = make_cohorts(1, slot=60)
    zoom_pool({"solo@example.org": 2})

    approved = console.post(f"/console/programs/{SLUG}/approve", data={"confirm": "yes"})
    assert approved.status_code == 302
    assert runner.invoke(args=["worker", "--once"]).exit_code == 0

    subject, group, start = TO_OPEN[locale]
    [email] = [m for m in mailbox.messages() if m["To"].addresses[0].addr_spec == "coordinator-1@example.org"]
    assert email["Subject"] == subject and "List-Unsubscribe" not in email
    text = email.get_body(preferencelist=("plain",)).get_content()
    with app.app_context():
        session = database.session()
        for cohort_id in hostless:
            meeting = session.exec(select(Meeting).where(Meeting.cohort_id == cohort_id)).one()
            when = format_meeting_time(meeting.starts_at, meeting.ends_at, "Europe/Madrid", locale)
            assert f"* {group} {cohort_id}: {when}" in text
            assert f"{start}: http://localhost/console/programs/{SLUG}/meetings/{meeting.id}" in text
    assert f"{group} {hosted[0]}:" not in text


def _member_emails(app, cohort_id: int, *, locale: str = "en") -> tuple[str, str]:
    """The plain text of the invitation and the preparation tips a member of the group gets, in `locale`."""
    with app.app_context():
        session = database.session()
        texts = []
        for kind in (MessageKind.COHORT_INVITATION, MessageKind.PREPARATION_TIPS):
            message = session.exec(
                select(OutboundMessage)
                .join(Meeting, Meeting.id == OutboundMessage.meeting_id)
                .where(Meeting.cohort_id == cohort_id, OutboundMessage.kind == kind)
                .order_by(OutboundMessage.id)
            ).first()
            session.get(Participant, message.participant_id).locale = locale
            session.flush()
            raw = compose(build_email(session, message), mail_from="test@example.org")
            texts.append(raw.get_body(preferencelist=("plain",)).get_content())
        session.rollback()
        return texts[0], texts[1]
