"""The documented commands (docs/interfaces.md), end to end on the demo: match, approve, and the worker
carrying it all out."""

import re
from collections import defaultdict

import pytest
from sqlmodel import delete, func, select

from app import database
from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    HostDebrief,
    MarkedAttendance,
    Meeting,
    MessageStatus,
    OutboundMessage,
    Participant,
    ZoomUser,
)


def _count(app, statement) -> int:
    with app.app_context():
        return database.session().exec(statement).one()


def test_match_then_approve_then_worker_on_the_demo(app, runner, zoom, mailbox):
    assert runner.invoke(args=["demo", "seed", "--registrants", "250"]).exit_code == 0
    matched = runner.invoke(args=["match", "run", "demo"])
    assert matched.exit_code == 0, matched.output
    # The 250, and the five of the group that met yesterday, kept as it is.
    assert "255 registrants" in matched.output and "placed in" in matched.output
    proposed = _count(
        app, select(func.count()).select_from(Cohort).where(Cohort.status == CohortStatus.PROPOSED)
    )
    assert proposed >= 10

    approved = runner.invoke(args=["cohorts", "approve", "demo", "--all"])
    assert approved.exit_code == 0, approved.output
    assert _count(app, select(func.count()).select_from(Meeting)) == proposed + 1  # and the demo's past one
    queued = _count(app, select(func.count()).select_from(OutboundMessage))
    placed = _count(
        app, select(func.count()).select_from(Participant).where(Participant.waitlist_reason.is_(None))
    )
    assert queued >= 4 * placed

    worked = runner.invoke(args=["worker", "--once"])
    assert worked.exit_code == 0, worked.output
    assert "zoom:" in worked.output and "mail:" in worked.output
    assert zoom.count("meeting_creates") == proposed
    assert zoom.count("token_requests") == 1
    sent = _count(
        app,
        select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == MessageStatus.SENT),
    )
    assert sent == len(mailbox.messages()) >= placed


def test_rerunning_the_matcher_keeps_approved_cohorts(app, runner, zoom):
    runner.invoke(args=["demo", "seed", "--registrants", "120"])
    runner.invoke(args=["match", "run", "demo"])
    runner.invoke(args=["cohorts", "approve", "demo", "--all"])
    before = _count(app, select(func.count()).select_from(Cohort))
    again = runner.invoke(args=["match", "run", "demo"])
    assert again.exit_code == 0, again.output
    assert _count(app, select(func.count()).select_from(Cohort)) == before


def test_proposing_again_on_an_unchanged_program_changes_nothing(app, runner):
    runner.invoke(args=["demo", "seed", "--registrants", "120"])
    runner.invoke(args=["match", "run", "demo"])
    before = _proposals(app)
    cohorts, members, standings = before
    assert cohorts and members and any(reason for _, reason, _ in standings)

    again = runner.invoke(args=["match", "run", "demo"])
    assert again.exit_code == 0, again.output
    assert f"{len(cohorts)} cohorts (0 new" in again.output
    assert _proposals(app) == before


def _proposals(app) -> tuple[list, list, list]:
    """Every proposed cohort, every place in one, and every registrant's waitlist reason and its detail."""
    with app.app_context():
        session = database.session()
        return (
            session.exec(
                select(Cohort.id, Cohort.slot, Cohort.host_id, Cohort.version).order_by(Cohort.id)
            ).all(),
            session.exec(
                select(CohortMember.cohort_id, CohortMember.participant_id).order_by("participant_id")
            ).all(),
            session.exec(
                select(Participant.id, Participant.waitlist_reason, Participant.waitlist_detail).order_by(
                    Participant.id
                )
            ).all(),
        )


def test_people_unsure_of_their_stage_are_placed_with_people_who_know_theirs(app, runner):
    runner.invoke(args=["demo", "seed", "--registrants", "60"])
    with app.app_context():
        session = database.session()
        for person in session.exec(select(Participant).where(Participant.id % 2 == 1)):
            person.stage_id = None
        session.commit()
    result = runner.invoke(args=["match", "run", "demo"])
    assert result.exit_code == 0, result.output
    assert "stage unknown" not in result.output
    with app.app_context():
        members = database.session().exec(
            select(CohortMember.cohort_id, Participant.stage_id).join(
                Participant, Participant.id == CohortMember.participant_id
            )
        )
        unsure = defaultdict(set)  # cohort -> whether each of its members is unsure of their stage
        for cohort_id, stage_id in members:
            unsure[cohort_id].add(stage_id is None)
    assert {True, False} in unsure.values()


def test_commands_explain_mistakes(runner):
    assert "no program 'nope'" in runner.invoke(args=["match", "run", "nope"]).output
    runner.invoke(args=["demo", "seed"])
    assert "Say which cohorts" in runner.invoke(args=["cohorts", "approve", "demo"]).output
    assert "not an ISO 8601" in runner.invoke(args=["worker", "--once", "--now", "tomorrow"]).output


def test_approving_approves_nothing_and_names_every_group_that_cannot_be(app, runner):
    runner.invoke(args=["demo", "seed", "--registrants", "120"])
    runner.invoke(args=["match", "run", "demo"])
    with app.app_context():
        session = database.session()
        session.exec(delete(ZoomUser))  # no Zoom user left to hold a meeting
        session.commit()
    proposed = _count(
        app, select(func.count()).select_from(Cohort).where(Cohort.status == CohortStatus.PROPOSED)
    )

    refused = runner.invoke(args=["cohorts", "approve", "demo", "--all"])

    assert refused.exit_code == 1
    assert refused.output.count("cannot meet then: The program has no Zoom user") == proposed > 1
    assert _count(app, select(func.count()).select_from(Meeting)) == 1  # the demo's past meeting alone
    assert (
        _count(app, select(func.count()).select_from(Cohort).where(Cohort.status == CohortStatus.PROPOSED))
        == proposed
    )


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAST_MEETING_WORDS = {
    "en": {"who": "Who came?", "zoom": "Zoom saw them join", "saved": "We have saved who came.",
           "debrief": "How did the conversation go?", "thanks": "The coordinators have your debrief."},
    "es": {"who": "¿Quién asistió?", "zoom": "Zoom registró su entrada",
           "saved": "Hemos guardado quién asistió.", "debrief": "¿Cómo fue la conversación?",
           "thanks": "Los coordinadores tienen su valoración."},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_demo_has_a_host_with_a_past_meeting_to_mark_and_a_debrief_to_answer(
    app, runner, mailbox, base_url, lang
):
    seeded = runner.invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    page_link, debrief_link = re.findall(rf"{base_url}(/host/\S+)", seeded.output)
    assert runner.invoke(args=["worker", "--once"]).exit_code == 0
    [debrief_email] = [
        m for m in mailbox.messages() if m["To"].addresses[0].addr_spec == "host-jonah@example.org"
    ]
    assert f"{base_url}/host/debrief/" in debrief_email.get_body(preferencelist=("plain",)).get_content()
    words, client = PAST_MEETING_WORDS[lang], app.test_client()

    page = client.get(f"{page_link}?lang={lang}").text
    assert words["who"] in page and page.count(words["zoom"]) == 3  # Zoom saw three of the five
    assert page.count(" checked") == 3 and all(name in page for name in ("Alma", "Dario", "Esme"))
    [action] = re.findall(r'action="(/host/[^"]+/attendance)"', page)
    present = re.findall(r'name="present" value="(\d+)"', page)[:4]  # the fourth came by phone
    saved = client.post(
        action, data={"csrf_token": CSRF.search(page).group(1), "present": present}, follow_redirects=True
    )
    assert saved.status_code == 200 and words["saved"] in saved.text
    assert _count(app, select(func.count()).where(MarkedAttendance.present)) == 4

    form = client.get(f"{debrief_link}?lang={lang}").text
    assert words["debrief"] in form
    answered = client.post(
        debrief_link, data={"csrf_token": CSRF.search(form).group(1), "mood": "well", "note": "A warm hour."}
    )
    assert answered.status_code == 200 and words["thanks"] in answered.text
    assert _count(app, select(func.count()).where(HostDebrief.note == "A warm hour.")) == 1


def test_seeding_the_demo_again_keeps_one_past_meeting(app, runner):
    for _ in range(2):
        assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    assert _count(app, select(func.count()).select_from(Meeting)) == 1
    assert _count(app, select(func.count()).select_from(OutboundMessage)) == 1  # the debrief, once
