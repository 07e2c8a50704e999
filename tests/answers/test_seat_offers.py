"""A member who cannot come more than a day ahead frees a place: people waiting who fit the group are offered
it, the first to accept joins, and the others are told it is taken."""

from __future__ import annotations

from app.models import CohortMember, SeatOffer, SeatOfferStatus

INVITATION = "You are invited to a small group conversation"
OFFER = "A place in a group is free: would you like it?"
TAKEN = "The place we offered you has been taken"


def _not_coming(kit, number: int) -> None:
    [invitation] = kit.emails_to(number, INVITATION)
    kit.post(kit.link(invitation, "/not_coming"), {})


def test_the_first_to_accept_joins_and_the_others_are_told_it_is_taken(kit):
    waiting = kit.add_waiting(4)
    kit.add_waiting(1, availability=[{"weekday": 2, "start": "06:00", "end": "18:00"}], locale="es")

    _not_coming(kit, 0)
    kit.run_worker()

    offered = [kit.emails_to_address(kit.person(pid).email, OFFER) for pid in waiting]
    assert [len(emails) for emails in offered] == [1, 1, 1, 0]  # three offers a place; never the unfit
    first, second = offered[0][0], offered[1][0]
    assert kit.client.get(kit.links(first, "/place/")[0]).status_code == 200  # opening the link takes nothing
    assert {offer.status for offer in kit.rows(SeatOffer)} == {SeatOfferStatus.OPEN}

    accepted = kit.post(kit.links(first, "/place/")[0], {})
    late = kit.post(kit.links(second, "/place/")[0], {})
    kit.run_worker()

    assert accepted.status_code == 200 and "The place is yours" in accepted.text
    assert late.status_code == 409 and "Someone else took this place first" in late.text
    members = {row.participant_id for row in kit.rows(CohortMember)}
    assert waiting[0] in members and waiting[1] not in members and kit.members[0] in members
    assert len(kit.emails_to_address(kit.person(waiting[0]).email, INVITATION)) == 1
    assert [len(kit.emails_to_address(kit.person(pid).email, TAKEN)) for pid in waiting[1:3]] == [1, 1]


def test_a_member_changing_back_to_coming_closes_the_place(kit):
    waiting = kit.add_waiting(2)
    [invitation] = kit.emails_to(1, INVITATION)
    kit.post(kit.link(invitation, "/not_coming"), {})
    kit.run_worker()
    [offer] = kit.emails_to_address(kit.person(waiting[0]).email, OFFER)

    kit.post(kit.link(invitation, "/coming"), {})
    too_late = kit.post(kit.links(offer, "/place/")[0], {})
    kit.run_worker()

    assert too_late.status_code == 409
    assert waiting[0] not in {row.participant_id for row in kit.rows(CohortMember)}
    assert [len(kit.emails_to_address(kit.person(pid).email, TAKEN)) for pid in waiting] == [1, 1]


def test_a_full_group_offers_no_place(kit):
    waiting = kit.add_waiting(8)
    kit.change(type(kit.program()), kit.program().id, max_size=4)

    _not_coming(kit, 2)
    kit.run_worker()

    assert kit.rows(SeatOffer) == []
    assert all(kit.emails_to_address(kit.person(pid).email, OFFER) == [] for pid in waiting)
