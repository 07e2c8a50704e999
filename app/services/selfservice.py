"""What a registrant can do through the signed link in their emails, without an account.

Each change is recorded in the audit log with the participant as the actor, which is how coordinators
learn that someone paused, left or asked to be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.database import utcnow
from app.inputs.phone import TextsChoice
from app.inputs.registration import Preferences
from app.links import LinkError, read_token
from app.messages.queue import cancel_messages
from app.models import Participant, ParticipantStatus, Program
from app.services.audit import record_event
from app.services.erasure import erase_participants
from app.services.leaving import release_place, take_off_calendars
from app.services.offers import ConditionOffer, OfferedCondition, OfferedStage, offers_in
from app.services.registration import find_stage_id, list_conditions
from app.services.text_consent import follow_pending_texts, text_columns

# Only someone still taking part can pause; a withdrawn registrant stays withdrawn.
PAUSABLE = (ParticipantStatus.PENDING_VERIFICATION, ParticipantStatus.VERIFIED)


def find_participant_by_link(session: Session, program: Program, purpose: str, token: str) -> Participant:
    """The participant a signed link was made for; raises `LinkError` for a bad, old or foreign link."""
    payload = read_token(purpose, token)
    participant = session.get(Participant, payload.get("participant"))
    if participant is None or participant.program_id != program.id:
        raise LinkError("This link is not valid.")
    return participant


@dataclass(frozen=True)
class ManagePage:
    """What a registrant's own page shows of their answers: their condition (with its stages, to choose
    another) and their stage, named in the page's language. Their group and its meetings:
    `app.services.my_meetup`."""

    condition: OfferedCondition
    stage: OfferedStage | None
    offer: ConditionOffer


def describe_registration(
    session: Session, program: Program, participant: Participant, locale: str
) -> ManagePage:
    offers = offers_in(list_conditions(session, program), locale, program.default_locale)
    offer = next(offer for offer in offers if offer.condition.id == participant.condition_id)
    stage = next((stage for stage in offer.stages if stage.id == participant.stage_id), None)
    return ManagePage(offer.condition, stage, offer)


def change_preferences(session: Session, participant: Participant, preferences: Preferences) -> None:
    participant.stage_id = find_stage_id(session, participant.condition_id, preferences.stage)
    for column, value in preferences.as_columns().items():
        setattr(participant, column, value)
    _save(session, participant, "participant_changed_answers")


def change_texts(session: Session, participant: Participant, choice: TextsChoice) -> None:
    """Add, change or remove their mobile number, or give or take back consent to texts at it (see
    `app.services.text_consent`); texts still waiting follow the choice."""
    old_phone = participant.phone
    columns = text_columns(choice.phone, choice.sms_consent, now=utcnow(), current=participant)
    for column, value in columns.items():
        setattr(participant, column, value)
    follow_pending_texts(session, participant, old_phone=old_phone)
    texts = "on" if participant.sms_consent_at is not None else "off"
    _save(session, participant, "participant_changed_texts", texts=texts)


def pause_participant(session: Session, participant: Participant) -> None:
    """Not matched into new groups until resumed; a place already given is kept. Answers a question about
    missed meetings (`app.services.absence`)."""
    if participant.status in PAUSABLE:
        participant.status = ParticipantStatus.PAUSED
    participant.absence_answered_at = utcnow()
    _save(session, participant, "participant_paused")


def resume_participant(session: Session, participant: Participant) -> None:
    """Back to being matched; answers a question about missed meetings too."""
    participant.absence_answered_at = utcnow()
    if participant.status == ParticipantStatus.PAUSED:
        participant.status = (
            ParticipantStatus.VERIFIED if participant.verified_at else ParticipantStatus.PENDING_VERIFICATION
        )
    _save(session, participant, "participant_resumed")


def unsubscribe_participant(session: Session, participant: Participant) -> None:
    """The one-click unsubscribe of the List-Unsubscribe header: no more emails, so no more matching."""
    if participant.status in PAUSABLE:
        participant.status = ParticipantStatus.PAUSED
    cancel_messages(session, participant_id=participant.id)
    _save(session, participant, "participant_unsubscribed")


def withdraw_participant(session: Session, participant: Participant) -> None:
    """Leave the program: the group place goes back to the coordinator, the group's meetings leave the
    person's calendar, and nothing else is sent."""
    now = utcnow()
    cohort_id = release_place(session, participant, now=now)
    if cohort_id is not None:
        take_off_calendars(session, participant, cohort_id, now=now)
    participant.status = ParticipantStatus.WITHDRAWN
    participant.pending_changes = None
    _save(session, participant, "participant_withdrew", cohort_id=cohort_id)


def erase_participant(session: Session, participant: Participant) -> None:
    """Forget the person, as `app.services.erasure` says; their group place goes back to the coordinator."""
    erase_participants(session, [participant], actor="participant", now=utcnow())


def _save(session: Session, participant: Participant, action: str, **detail: Any) -> None:
    participant.updated_at = utcnow()
    session.add(participant)
    record_event(
        session,
        action,
        actor="participant",
        program_id=participant.program_id,
        subject=("participant", participant.id),
        **{name: value for name, value in detail.items() if value is not None},
    )
    session.flush()
