"""Places a member's absence frees in a meeting, offered to people still waiting for a group.

When a member says more than a day ahead that they cannot come, up to three waiting people who fit the group
(its condition, language, stages, time, avoid requests and size limit, as the coordinator's backfill judges)
are offered a place. The first to accept joins the group for good, invited as if a coordinator had moved
them; once the places freed are taken, the others are told. Someone who changes their answer back to "I'll
be there" closes the place again, unless it was taken already (the group stays within its size limit
either way, since the absent member keeps their place).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, select

from app.messages.kinds import MessageKind
from app.messages.queue import queue_meeting_message
from app.models import (
    Answer,
    Cohort,
    CohortStatus,
    Meeting,
    MeetingAnswer,
    MeetingStatus,
    Participant,
    Program,
    SeatOffer,
    SeatOfferStatus,
)
from app.services.adjustments import AdjustmentError
from app.services.adjustments.backfill import backfill_candidates
from app.services.adjustments.moves import move_member
from app.services.audit import record_event
from app.services.locks import hold
from app.services.waiting import has_a_place

OFFERS_PER_PLACE = 3


class Acceptance(StrEnum):
    """What became of someone's "yes, I'd like that place"."""

    JOINED = "joined"
    TAKEN = "taken"  # someone else was first, or the place closed again
    CLOSED = "closed"  # the meeting started or was cancelled
    ALREADY_PLACED = "already_placed"  # they are in a group already


def places_open(session: Session, meeting: Meeting) -> int:
    """Places freed by members not coming, less those already taken by people who accepted an offer."""
    return _count(session, MeetingAnswer, MeetingAnswer.answer == Answer.NOT_COMING, meeting) - _count(
        session, SeatOffer, SeatOffer.status == SeatOfferStatus.ACCEPTED, meeting
    )


def offer_freed_place(
    session: Session, program: Program, meeting: Meeting, *, now: datetime
) -> list[SeatOffer]:
    """Offer the places open in `meeting` to waiting people who fit its group and were not offered one yet."""
    cohort = session.get(Cohort, meeting.cohort_id)
    if cohort.status != CohortStatus.APPROVED or places_open(session, meeting) <= 0:
        return []
    offered = set(session.exec(select(SeatOffer.participant_id).where(SeatOffer.meeting_id == meeting.id)))
    offers = []
    for person in backfill_candidates(session, cohort, now=now, limit=OFFERS_PER_PLACE, excluding=offered):
        offer = SeatOffer(meeting_id=meeting.id, participant_id=person.id, offered_at=now)
        session.add(offer)
        session.flush()
        _queue(session, MessageKind.SEAT_OFFERED, program, meeting, person, offer, now=now)
        offers.append(offer)
    return offers


def accept_offer(session: Session, offer: SeatOffer, *, now: datetime) -> Acceptance:
    """Give the place to the one accepting, if it is still open and they still fit the group."""
    meeting = session.get(Meeting, offer.meeting_id)
    cohort = session.get(Cohort, meeting.cohort_id)
    hold(session, cohort)  # of two people accepting at once, the second sees the first's place taken
    session.refresh(offer)
    if offer.status == SeatOfferStatus.ACCEPTED:
        return Acceptance.JOINED
    if meeting.status == MeetingStatus.CANCELLED or meeting.starts_at <= now:
        return Acceptance.CLOSED
    person = session.get(Participant, offer.participant_id)
    if has_a_place(session, person):
        return _close(session, offer, Acceptance.ALREADY_PLACED, now)
    if offer.status != SeatOfferStatus.OPEN or places_open(session, meeting) <= 0:
        return _close(session, offer, Acceptance.TAKEN, now)
    try:
        move_member(session, person, cohort, actor="participant", now=now)
    except AdjustmentError:  # they no longer fit (changed their times, or the group changed)
        return _close(session, offer, Acceptance.TAKEN, now)
    offer.status, offer.answered_at = SeatOfferStatus.ACCEPTED, now
    session.add(offer)
    record_event(
        session, "participant_took_offered_place", actor="participant", program_id=cohort.program_id,
        subject=("participant", person.id), cohort_id=cohort.id, meeting_id=meeting.id,
    )  # fmt: skip
    close_offers_if_filled(session, meeting, now=now)
    return Acceptance.JOINED


def close_offers_if_filled(session: Session, meeting: Meeting, *, now: datetime) -> None:
    """Once no place is open, tell everyone still holding an offer for the meeting that it is taken."""
    if places_open(session, meeting) > 0:
        return
    program = session.get(Program, session.get(Cohort, meeting.cohort_id).program_id)
    open_offers = session.exec(
        select(SeatOffer).where(SeatOffer.meeting_id == meeting.id, SeatOffer.status == SeatOfferStatus.OPEN)
    ).all()
    for offer in open_offers:
        offer.status, offer.answered_at = SeatOfferStatus.TAKEN, now
        session.add(offer)
        person = session.get(Participant, offer.participant_id)
        _queue(session, MessageKind.SEAT_TAKEN, program, meeting, person, offer, now=now)


def _close(session: Session, offer: SeatOffer, outcome: Acceptance, now: datetime) -> Acceptance:
    offer.status, offer.answered_at = SeatOfferStatus.TAKEN, now
    session.add(offer)
    return outcome


def _queue(
    session: Session,
    kind: MessageKind,
    program: Program,
    meeting: Meeting,
    person: Participant,
    offer,
    *,
    now,
) -> None:
    if person.email:
        queue_meeting_message(
            session, kind, program, meeting, now=now, recipient=person.email, locale=person.locale,
            dedupe_key=f"{kind}-{offer.id}", participant_id=person.id,
        )  # fmt: skip


def _count(session: Session, model, condition, meeting: Meeting) -> int:
    return session.exec(
        select(func.count()).select_from(model).where(model.meeting_id == meeting.id, condition)
    ).one()
