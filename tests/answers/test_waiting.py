"""People left waiting are told so once a month, why in plain words, with the times that would place them; one
click adds such a time; and when a place opens for them their invitation says so."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import Cohort, CohortMember, Participant
from app.services.approval import approve_each_cohort
from app.services.proposals import propose_cohorts
from app.services.scheduling import program_week_start
from matching.availability import utc_slots

WAITING = "We have not found a group for you yet"
INVITATION = "You are invited to a small group conversation"
TUESDAY_EVENING = 24 + 23  # Tuesday 23:00 UTC: Tuesday 6 or 7 pm in New York


def _approve(kit, make_cohorts) -> None:
    [cohort_id] = make_cohorts(1, size=4, slot=20)
    with kit.app.app_context():
        session = database.session()
        approve_each_cohort(session, [session.get(Cohort, cohort_id)], actor="test", now=utcnow())
        session.commit()


def test_approving_groups_tells_those_left_waiting_once_with_times_that_would_place_them(kit, make_cohorts):
    [person] = kit.add_waiting(1, waitlist_reason="no_common_time", suggested_slots=[TUESDAY_EVENING])
    [elsewhere] = kit.add_waiting(1, waitlist_reason="too_few_people", locale="es")

    _approve(kit, make_cohorts)
    kit.run_worker()
    _approve(kit, make_cohorts)
    kit.run_worker()

    [told] = kit.emails_to_address(kit.person(person).email, WAITING)
    text = told.get_body(preferencelist=("plain",)).get_content()
    assert "We could not find a time when you and enough other people are all free." in text
    assert "Yes, add Tuesday" in text and "PM (Eastern Time)" in text
    [spanish] = kit.emails_to_address(
        kit.person(elsewhere).email, "Todavía no hemos encontrado un grupo para usted"
    )
    assert "usted" in spanish.get_body(preferencelist=("plain",)).get_content()


def test_one_click_adds_the_suggested_time_to_the_person_s_own_times(kit, make_cohorts):
    [person] = kit.add_waiting(1, waitlist_reason="no_common_time", suggested_slots=[TUESDAY_EVENING])
    _approve(kit, make_cohorts)
    kit.run_worker()
    [told] = kit.emails_to_address(kit.person(person).email, WAITING)
    [add] = kit.links(told, "/add-time/")

    asked = kit.client.get(add)
    added = kit.post(add, {})

    assert asked.status_code == 200 and "Could you also make Tuesday" in asked.text
    assert added.status_code == 200 and "this time is added" in added.text
    after = kit.person(person)
    week = program_week_start(kit.program(), utcnow().date())
    assert TUESDAY_EVENING in utc_slots(after.availability, after.timezone, week)
    assert after.availability[0]["weekday"] == 0  # the times they had are kept
    assert after.suggested_slots == []


def test_someone_waiting_long_without_groups_formed_hears_from_us_once_a_month(kit):
    [person] = kit.add_waiting(1, verified_at=utcnow() - timedelta(days=15))
    [recent] = kit.add_waiting(1, verified_at=utcnow() - timedelta(days=2), locale="es")

    kit.run_worker()
    kit.run_worker(utcnow() + timedelta(days=20))
    kit.run_worker(utcnow() + timedelta(days=31))

    told = kit.emails_to_address(kit.person(person).email, WAITING)
    assert len(told) == 2  # now, and a month later; not in between
    assert (
        "We have not formed new groups since you signed up"
        in told[0].get_body(preferencelist=("plain",)).get_content()
    )
    assert len(kit.emails_to_address(kit.person(recent).email)) == 1  # told once it had waited 14 days


def test_a_place_opening_for_someone_told_they_wait_says_so(kit, make_cohorts):
    [person] = kit.add_waiting(1, waitlist_reason="no_room")
    _approve(kit, make_cohorts)
    kit.run_worker()
    [invitation] = kit.emails_to(0, INVITATION)
    kit.post(kit.link(invitation, "/not_coming"), {})
    kit.run_worker()
    [offer] = kit.emails_to_address(
        kit.person(person).email, "A place in a group is free: would you like it?"
    )

    kit.post(kit.links(offer, "/place/")[0], {})
    kit.run_worker()

    [placed] = kit.emails_to_address(kit.person(person).email, INVITATION)
    assert "A place opened for you!" in placed.get_body(preferencelist=("plain",)).get_content()
    assert kit.rows(Participant, id=person)[0].waiting_told_at is not None


def test_the_match_suggests_a_time_and_adding_it_places_the_person_in_that_group(kit):
    free_on_monday = kit.add_waiting(5)
    [person] = kit.add_waiting(
        1, availability=[{"weekday": 2, "start": "09:00", "end": "11:00"}], locale="es"
    )
    with kit.app.app_context():
        session = database.session()
        program = session.get(type(kit.program()), kit.program().id)
        propose_cohorts(session, program, today=utcnow().date())
        [cohort] = [c for c in session.exec(select(Cohort)).all() if c.status == "proposed"]
        approve_each_cohort(session, [cohort], actor="test", now=utcnow())
        session.commit()
        slot = cohort.slot
    kit.run_worker()

    assert kit.person(person).suggested_slots[0] == slot
    [told] = kit.emails_to_address(
        kit.person(person).email, "Todavía no hemos encontrado un grupo para usted"
    )
    add = kit.links(told, "/add-time/")[0]
    added = kit.post(add, {})
    kit.run_worker()

    assert added.status_code == 200 and "Se ha unido a un grupo" in added.text
    members = {row.participant_id for row in kit.rows(CohortMember, cohort_id=cohort.id)}
    assert members == {*free_on_monday, person}
    [invitation] = kit.emails_to_address(
        kit.person(person).email, "Le invitamos a una conversación en grupo pequeño"
    )
    assert (
        "¡Se ha abierto un lugar para usted!" in invitation.get_body(preferencelist=("plain",)).get_content()
    )
