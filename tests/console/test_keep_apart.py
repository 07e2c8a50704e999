"""Keep-apart requests: a member asks from their own page, or a coordinator records it from the group's page,
and the next match does not group the two again; the other person is never told."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from app import database
from app.links import make_token
from app.models import AuditEvent, Cohort, CohortMember, CohortStatus, OutboundMessage, Participant

SPANISH_HEADING = "Alguien con quien prefiere no volver a reunirse"


@pytest.fixture
def grouped(app, runner, demo):
    """The demo with registrants matched by `flask match run`, and its first group approved: its id and
    two of its members (the one who asks, the other)."""
    assert runner.invoke(args=["demo", "seed", "--registrants", "40"]).exit_code == 0
    matched = runner.invoke(args=["match", "run", "demo"])
    assert matched.exit_code == 0, matched.output
    with app.app_context():
        session = database.session()
        proposed = select(Cohort.id).where(
            Cohort.status == CohortStatus.PROPOSED
        )  # not the demo's past group
        cohort_id = session.exec(proposed.order_by(Cohort.id)).first()
        asker, other = session.exec(
            select(CohortMember.participant_id)
            .where(CohortMember.cohort_id == cohort_id)
            .order_by(CohortMember.participant_id)
        ).all()[:2]
    approved = runner.invoke(args=["cohorts", "approve", "demo", "--cohort", str(cohort_id)])
    assert approved.exit_code == 0, approved.output
    return cohort_id, asker, other


def _person(app, participant_id: int) -> Participant:
    with app.app_context():
        return database.session().get(Participant, participant_id)


@pytest.fixture
def manage_path(app):
    """The path of a registrant's own page, as their emails link it."""

    def path(participant_id: int) -> str:
        with app.app_context():
            return f"/p/demo/manage/{make_token('manage', {'participant': participant_id})}"

    return path


def _messages_to(app, participant_id: int) -> int:
    with app.app_context():
        return (
            database.session()
            .exec(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.participant_id == participant_id)
            )
            .one()
        )


def _cohort_of(app, participant_id: int) -> int | None:
    with app.app_context():
        return (
            database.session()
            .exec(select(CohortMember.cohort_id).where(CohortMember.participant_id == participant_id))
            .first()
        )


def _rematch(app, runner, console_client, cohort_id: int) -> None:
    """Cancel the group from the console, then propose groups again with `flask match run`."""
    console = console_client("demo")
    cancelled = console.post(f"/console/programs/demo/cohorts/{cohort_id}/cancel", data={"confirm": "yes"})
    assert cancelled.status_code == 302
    matched = runner.invoke(args=["match", "run", "demo"])
    assert matched.exit_code == 0, matched.output


def test_a_member_asks_from_their_page_and_the_next_match_keeps_them_apart(
    app, client, manage_path, runner, console_client, grouped
):
    cohort_id, asker, other = grouped
    asker_name, other_name = _person(app, asker).display_name, _person(app, other).display_name
    page = client.get(manage_path(asker)).get_data(as_text=True)
    assert "Someone you would rather not meet again" in page and f">{other_name}</option>" in page
    other_page_before = client.get(manage_path(other)).get_data(as_text=True)
    told_before = _messages_to(app, other)

    response = client.post(f"{manage_path(asker)}/keep-apart", data={"member": other})
    assert response.status_code == 303
    page = client.get(manage_path(asker)).get_data(as_text=True)
    assert "We will not put you in a group with this person again." in page
    assert "You asked us not to put you in a group again with:" in page
    assert f'name="member" value="{other}"><input type="hidden" name="withdraw" value="yes">' in page

    # The other person's page is as it was, still offering the asker, and nothing was sent to them.
    other_page = client.get(manage_path(other)).get_data(as_text=True)
    assert "You asked us" not in other_page and f">{asker_name}</option>" in other_page
    assert other_page.count(asker_name) == other_page_before.count(asker_name)
    assert _messages_to(app, other) == told_before
    assert _person(app, other).avoid == []

    _rematch(app, runner, console_client, cohort_id)
    assert _cohort_of(app, asker) is None or _cohort_of(app, asker) != _cohort_of(app, other)


def test_a_coordinator_records_it_from_the_group_page_and_the_next_match_keeps_them_apart(
    app, runner, console_client, grouped
):
    cohort_id, asker, other = grouped
    console = console_client("demo")
    page = console.get(f"/console/programs/demo/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Keep two members apart" in page
    recorded = console.post(
        f"/console/programs/demo/cohorts/{cohort_id}/keep-apart",
        data={"participant_id": asker, "other_id": other},
        follow_redirects=True,
    )
    page = recorded.get_data(as_text=True)
    assert f"{_person(app, asker).display_name} will not be grouped again with" in page
    assert "asked not to be in a group with" in page  # the group's rules now show it
    assert _person(app, asker).avoid == [other] and _person(app, other).avoid == []
    with app.app_context():
        event = (
            database.session()
            .exec(select(AuditEvent).where(AuditEvent.action == "participant.keep_apart"))
            .one()
        )
        assert event.actor.startswith("coordinator-") and event.detail["members"] == [asker, other]

    _rematch(app, runner, console_client, cohort_id)
    assert _cohort_of(app, asker) is None or _cohort_of(app, asker) != _cohort_of(app, other)


def test_only_a_member_of_ones_own_group_may_be_named(app, client, manage_path, console_client, grouped):
    cohort_id, asker, _other = grouped
    with app.app_context():
        members = select(CohortMember.participant_id).where(CohortMember.cohort_id == cohort_id)
        stranger = (
            database.session().exec(select(Participant.id).where(Participant.id.not_in(members))).first()
        )
    assert stranger is not None
    assert client.post(f"{manage_path(asker)}/keep-apart", data={"member": stranger}).status_code == 400
    assert client.post(f"{manage_path(asker)}/keep-apart", data={"member": asker}).status_code == 400
    console = console_client("demo")
    refused = console.post(
        f"/console/programs/demo/cohorts/{cohort_id}/keep-apart",
        data={"participant_id": stranger, "other_id": asker},
        follow_redirects=True,
    )
    assert "That person is not in this group." in refused.get_data(as_text=True)
    assert _person(app, asker).avoid == [] and _person(app, stranger).avoid == []


def test_the_request_is_refused_without_the_pages_csrf_token(app, client, manage_path, grouped):
    app.config["WTF_CSRF_ENABLED"] = True
    _cohort_id, asker, other = grouped
    assert client.post(f"{manage_path(asker)}/keep-apart", data={"member": other}).status_code == 400
    assert _person(app, asker).avoid == []


def test_the_page_asks_in_spanish(app, client, manage_path, grouped):
    _cohort_id, asker, _other = grouped
    page = client.get(manage_path(asker), headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert SPANISH_HEADING in page and "Enviar mi solicitud" in page


WITHDRAWN = {
    "en": ("Withdraw my request", "Your request is withdrawn. You may be in a group with this person again."),
    "es": (
        "Retirar mi solicitud",
        "Su solicitud se ha retirado. Puede volver a estar en un grupo con esta persona.",
    ),
}


def _keep_apart_events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(database.session().exec(select(AuditEvent).where(AuditEvent.action == action)).all())


@pytest.mark.parametrize("locale", ["en", "es"])
def test_a_member_withdraws_their_request_privately(app, client, manage_path, grouped, locale):
    _cohort_id, asker, other = grouped
    with app.app_context():
        session = database.session()
        session.get(Participant, asker).locale = locale
        session.commit()
    assert client.post(f"{manage_path(asker)}/keep-apart", data={"member": other}).status_code == 303
    button, withdrawn = WITHDRAWN[locale]
    other_name = _person(app, other).display_name
    assert button in client.get(manage_path(asker)).text
    told_before = _messages_to(app, other)

    response = client.post(
        f"{manage_path(asker)}/keep-apart", data={"member": other, "withdraw": "yes"}, follow_redirects=True
    )

    assert response.status_code == 200 and withdrawn in response.text
    assert f'<html lang="{locale}">' in response.text and button not in response.text
    assert f">{other_name}</option>" in response.text  # the asker may ask again
    assert _person(app, asker).avoid == [] and _messages_to(app, other) == told_before
    [event] = _keep_apart_events(app, "participant.keep_apart_withdrawn")
    assert (event.actor, event.coordinator_id, event.detail["members"]) == (
        "participant",
        None,
        [asker, other],
    )
    again = client.post(f"{manage_path(asker)}/keep-apart", data={"member": other, "withdraw": "yes"})
    assert again.status_code == 400  # nothing left to withdraw


def test_a_coordinator_removes_a_request_from_the_group_page(app, console_client, grouped):
    cohort_id, asker, other = grouped
    console = console_client("demo")
    group_page = f"/console/programs/demo/cohorts/{cohort_id}"
    recorded = {"participant_id": asker, "other_id": other}
    console.post(f"{group_page}/keep-apart", data=recorded)
    asker_name, other_name = _person(app, asker).display_name, _person(app, other).display_name
    assert f"{asker_name} asked not to be grouped again with {other_name}." in console.get(group_page).text

    removed = console.post(f"{group_page}/keep-apart/remove", data=recorded, follow_redirects=True)

    assert f"{asker_name}&#39;s request not to meet {other_name} again is removed." in removed.text
    assert "asked not to be grouped again with" not in removed.text
    assert _person(app, asker).avoid == []
    [event] = _keep_apart_events(app, "participant.keep_apart_withdrawn")
    assert event.actor.startswith("coordinator-") and event.coordinator_id is not None
    assert event.detail["members"] == [asker, other]
    refused = console.post(f"{group_page}/keep-apart/remove", data=recorded, follow_redirects=True)
    assert "There is no such request." in refused.text
