"""The console's cohort pages: propose, review, adjust, approve, export, with the Zoom emulator and SMTP."""

from __future__ import annotations

import csv
import html
import io
import re
from email.utils import parseaddr

import pytest
from sqlmodel import func, select

from app import database
from app.demo import seed_demo
from app.models import (
    AuditEvent,
    Cohort,
    CohortMember,
    CohortStatus,
    Coordinator,
    MatchRun,
    Meeting,
    Participant,
)
from app.worker.runner import run_once

SLUG = "demo"


@pytest.fixture
def demo(app):
    """The demo program with 80 verified synthetic registrants; CSRF out of the way (one test checks it)."""
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        seed_demo(database.session(), registrants=80)
        database.session().commit()
    return app


@pytest.fixture
def coordinator(demo, console_client):
    return console_client(SLUG)


def _rows(app, statement):
    with app.app_context():
        return database.session().exec(statement).all()


def _first_cohort(app) -> Cohort:
    return _rows(app, select(Cohort).where(Cohort.status == CohortStatus.PROPOSED).order_by(Cohort.id))[0]


def _largest_cohort(app) -> Cohort:
    """A proposed cohort above the minimum size, so one member can leave without breaking a rule."""
    cohorts = _rows(app, select(Cohort).where(Cohort.status == CohortStatus.PROPOSED).order_by(Cohort.id))
    return max(cohorts, key=lambda cohort: len(_members(app, cohort.id)))


def _propose(client) -> None:
    """Propose cohorts, and read the page it leads to (which takes the flash message with it)."""
    assert client.post(f"/console/programs/{SLUG}/propose", follow_redirects=True).status_code == 200


def _members(app, cohort_id: int) -> list[Participant]:
    return _rows(
        app,
        select(Participant)
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .where(CohortMember.cohort_id == cohort_id)
        .order_by(Participant.id),
    )


def _flashes(page: str) -> str:
    return " ".join(re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', page, re.S))


def test_proposing_shows_groups_with_members_and_their_own_times(demo, coordinator):
    proposed = coordinator.post(f"/console/programs/{SLUG}/propose", follow_redirects=True)
    assert proposed.status_code == 200
    assert "Proposed:" in _flashes(proposed.text) and "Nothing has been sent" in _flashes(proposed.text)
    cohort = _first_cohort(demo)
    assert f"Group {cohort.id}" in proposed.text
    assert "registered" in proposed.text and "groups proposed" in proposed.text

    page = coordinator.get(f"/console/programs/{SLUG}/cohorts/{cohort.id}")
    assert page.status_code == 200
    for member in _members(demo, cohort.id):
        assert member.display_name in page.text
        assert member.timezone in page.text  # the meeting time in their own zone, zone named
        assert member.email not in page.text


def test_a_large_program_is_matched_by_the_worker_with_progress(demo, coordinator):
    demo.config["INLINE_MATCH_LIMIT"] = 10
    page = coordinator.post(f"/console/programs/{SLUG}/propose", follow_redirects=True)
    assert "Matching has started" in _flashes(page.text)
    assert "Proposing cohorts" in page.text
    run = _rows(demo, select(MatchRun))[0]
    assert coordinator.get(f"/console/programs/{SLUG}/match-runs/{run.id}").json["status"] == "queued"
    again = coordinator.post(f"/console/programs/{SLUG}/propose", follow_redirects=True)
    assert "already being proposed" in _flashes(again.text)

    assert run_once(demo)["match"]["done"] == 1
    progress = coordinator.get(f"/console/programs/{SLUG}/match-runs/{run.id}").json
    assert progress["status"] == "done" and progress["done"] == progress["total"] == 80
    assert progress["summary"]["placed"] > 0
    assert _rows(demo, select(func.count()).select_from(Cohort))[0] > 0


def test_moving_a_member_to_the_waitlist_and_back(demo, coordinator):
    _propose(coordinator)
    cohort = _largest_cohort(demo)
    person = _members(demo, cohort.id)[0]
    moved = coordinator.post(
        f"/console/programs/{SLUG}/participants/{person.id}/move",
        data={"to": "waitlist", "from": cohort.id, f"version-{cohort.id}": cohort.version},
        follow_redirects=True,
    )
    assert f"{person.display_name} moved to the waitlist" in _flashes(moved.text)
    waitlist = coordinator.get(f"/console/programs/{SLUG}/waitlist")
    assert person.display_name in waitlist.text and "A coordinator moved them" in waitlist.text

    cohort = _rows(demo, select(Cohort).where(Cohort.id == cohort.id))[0]
    back = coordinator.post(
        f"/console/programs/{SLUG}/participants/{person.id}/move",
        data={"to": cohort.id, f"version-{cohort.id}": cohort.version},
        follow_redirects=True,
    )
    assert f"moved to group {cohort.id}" in _flashes(back.text)
    assert person.id in [member.id for member in _members(demo, cohort.id)]


def _offered_groups(page: str, person: Participant) -> list[int]:
    """The group numbers the cohort page offers as places to move `person` to."""
    select_list = re.search(rf'<select id="move-{person.id}" name="to">(.*?)</select>', page, re.S).group(1)
    return [int(number) for number in re.findall(r'<option value="(\d+)">', select_list)]


def _groups_that_could_take(app, cohort: Cohort, person: Participant) -> set[int]:
    """Other live groups of the cohort's condition, language and role, with room, at an hour `person` is
    free."""
    from app.services.feasibility import rules_for

    with app.app_context():
        rules = rules_for(database.session(), cohort)
        free, max_size = rules.registrant(person).availability, rules.program.max_size
    others = _rows(app, select(Cohort).where(Cohort.id != cohort.id, Cohort.status != CohortStatus.CANCELLED))
    return {
        other.id
        for other in others
        if (other.condition_id, other.language, other.role)
        == (cohort.condition_id, cohort.language, cohort.role)
        and other.slot in free
        and len(_members(app, other.id)) < max_size
    }


def test_a_member_is_offered_the_groups_that_could_take_them_and_no_others(demo, coordinator):
    _propose(coordinator)
    cohort = _largest_cohort(demo)
    with demo.app_context():
        twin = Cohort(
            program_id=cohort.program_id, condition_id=cohort.condition_id, role=cohort.role,
            language=cohort.language, slot=cohort.slot,
        )  # fmt: skip
        database.session().add(twin)
        database.session().commit()
        twin_id = twin.id
    for shown in _rows(demo, select(Cohort).order_by(Cohort.id)):
        page = coordinator.get(f"/console/programs/{SLUG}/cohorts/{shown.id}").text
        for person in _members(demo, shown.id):
            assert set(_offered_groups(page, person)) == _groups_that_could_take(demo, shown, person)
    page = coordinator.get(f"/console/programs/{SLUG}/cohorts/{cohort.id}").text
    assert all(twin_id in _offered_groups(page, person) for person in _members(demo, cohort.id))
    merge_choices = re.search(r'<select id="merge-other" name="other">(.*?)</select>', page, re.S).group(1)
    assert f'<option value="{twin_id}">Group {twin_id}, ' in merge_choices  # same hour, room for everyone


def test_any_group_can_be_named_by_number_and_a_wrong_number_is_explained(demo, coordinator):
    _propose(coordinator)
    cohort = _largest_cohort(demo)
    person = _members(demo, cohort.id)[0]
    elsewhere = _rows(
        demo, select(Cohort).where(Cohort.condition_id != cohort.condition_id).order_by(Cohort.id)
    )[0]
    assert elsewhere.id not in _offered_groups(
        coordinator.get(f"/console/programs/{SLUG}/cohorts/{cohort.id}").text, person
    )
    move = f"/console/programs/{SLUG}/participants/{person.id}/move"
    form = {"to": "waitlist", "from": cohort.id, f"version-{cohort.id}": cohort.version}

    wrong = coordinator.post(move, data={**form, "to_number": "99999"}, follow_redirects=True)
    assert "There is no group 99999 in this program" in _flashes(wrong.text)
    assert person.id in [member.id for member in _members(demo, cohort.id)]  # not sent to the waitlist

    asked = coordinator.post(move, data={**form, "to_number": f" {elsewhere.id} "})
    assert asked.status_code == 409 and "not the group's condition" in html.unescape(asked.text)
    confirmed = coordinator.post(move, data={**form, "to_number": str(elsewhere.id), "override": "yes"})
    assert confirmed.status_code == 302
    assert person.id in [member.id for member in _members(demo, elsewhere.id)]


def test_a_change_that_breaks_a_rule_asks_first_then_is_made_anyway(demo, coordinator):
    _propose(coordinator)
    cohort = _first_cohort(demo)
    stranger = _rows(
        demo,
        select(Participant).where(Participant.condition_id != cohort.condition_id).order_by(Participant.id),
    )[0]
    form = {"to": cohort.id, f"version-{cohort.id}": cohort.version}
    asked = coordinator.post(f"/console/programs/{SLUG}/participants/{stranger.id}/move", data=form)
    assert asked.status_code == 409
    assert "This change breaks a matching rule" in asked.text and "Make this change anyway" in asked.text
    assert stranger.id not in [member.id for member in _members(demo, cohort.id)]

    confirmed = coordinator.post(
        f"/console/programs/{SLUG}/participants/{stranger.id}/move",
        data={**form, "override": "yes"},
        follow_redirects=True,
    )
    assert "moved to group" in _flashes(confirmed.text)
    assert "Rules this group breaks" in confirmed.text
    assert stranger.id in [member.id for member in _members(demo, cohort.id)]


def test_a_form_drawn_before_someone_else_changed_the_group_is_refused(demo, coordinator, console_client):
    _propose(coordinator)
    cohort = _first_cohort(demo)
    colleague = console_client(SLUG)
    colleague.post(
        f"/console/programs/{SLUG}/cohorts/{cohort.id}/lock",
        data={"locked": "yes", "version": cohort.version},
    )
    late = coordinator.post(
        f"/console/programs/{SLUG}/cohorts/{cohort.id}/lock",
        data={"locked": "no", "version": cohort.version},
        follow_redirects=True,
    )
    assert "please make your change again" in _flashes(late.text)
    assert _rows(demo, select(Cohort).where(Cohort.id == cohort.id))[0].locked


def test_approving_all_asks_once_then_creates_meetings_and_sends_invitations(
    demo, coordinator, zoom, mailbox
):
    _propose(coordinator)
    proposed = _rows(demo, select(Cohort).where(Cohort.status == CohortStatus.PROPOSED))
    asked = coordinator.post(f"/console/programs/{SLUG}/approve")
    assert f"Approve {len(proposed)} groups" in asked.text
    assert _rows(demo, select(func.count()).select_from(Meeting))[0] == 0

    done = coordinator.post(
        f"/console/programs/{SLUG}/approve", data={"confirm": "yes"}, follow_redirects=True
    )
    assert f"{len(proposed)} groups approved" in _flashes(done.text)
    run_once(demo)
    assert zoom.count("meeting_creates") == len(proposed)
    invited = {parseaddr(message["To"])[1] for message in mailbox.messages()}
    members = {member.email for cohort in proposed for member in _members(demo, cohort.id)}
    assert members <= invited


def test_every_approval_names_the_coordinator_who_approved_in_the_audit_log(demo, console_client):
    coordinator = console_client(SLUG, email="approver@example.org")
    _propose(coordinator)
    first, *others = _rows(demo, select(Cohort).where(Cohort.status == CohortStatus.PROPOSED))
    coordinator.post(f"/console/programs/{SLUG}/cohorts/{first.id}/approve", data={"override": "yes"})
    coordinator.post(f"/console/programs/{SLUG}/approve", data={"confirm": "yes"})

    approvals = _rows(
        demo,
        select(AuditEvent.subject_id, AuditEvent.actor, Coordinator.email)
        .outerjoin(Coordinator, Coordinator.id == AuditEvent.coordinator_id)
        .where(AuditEvent.action == "cohort.approved"),
    )
    assert sorted(approvals) == sorted(
        (str(cohort.id), "approver@example.org", "approver@example.org") for cohort in [first, *others]
    )


def test_the_export_lists_every_member_without_email_addresses(demo, coordinator):
    _propose(coordinator)
    export = coordinator.get(f"/console/programs/{SLUG}/cohorts.csv")
    assert export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.text)))
    placed = _rows(demo, select(func.count()).select_from(CohortMember))[0]
    assert len(rows) == placed > 0
    assert "@" not in export.text


def test_posting_without_the_form_token_is_refused(demo, coordinator):
    demo.config["WTF_CSRF_ENABLED"] = True
    assert coordinator.post(f"/console/programs/{SLUG}/propose").status_code == 400
    assert _rows(demo, select(func.count()).select_from(Cohort))[0] == 0


def test_the_export_never_lets_a_spreadsheet_run_a_name_as_a_formula(demo, coordinator):
    _propose(coordinator)
    member = _members(demo, _first_cohort(demo).id)[0]
    with demo.app_context():
        session = database.session()
        session.get(Participant, member.id).display_name = '=HYPERLINK("https://evil.example")'
        session.commit()
    rows = list(csv.DictReader(io.StringIO(coordinator.get(f"/console/programs/{SLUG}/cohorts.csv").text)))
    assert '\'=HYPERLINK("https://evil.example")' in {row["member"] for row in rows}
