"""Registering for a program and confirming one's email address (double opt-in).

Only verified registrants are matched. A second registration with an address already known keeps the new
answers in `pending_changes` until the link sent to that address is followed, and answers exactly as a first
registration would, so the form never reveals whether someone is registered. The link then shows what would
change and lets the address's owner make the change or keep their answers: anyone can type an address into
the form, so nobody's answers change unless they saw the change and chose it.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlmodel import Session, select

from app.database import utcnow
from app.inputs.fields import InvalidInput
from app.inputs.registration import ProgramChoices, Registration, validate_registration
from app.links import LinkError, read_token
from app.messages.kinds import MessageKind
from app.messages.queue import message_row, queue_messages
from app.models import Condition, Participant, ParticipantStatus, Program, Stage
from app.services.audit import record_event
from app.services.offers import ConditionOffer, ProgramTerms, offers_in
from app.services.text_consent import text_columns

_OFFER_ORDER = (Condition.position, Condition.id, Stage.position, Stage.id)

ANSWER_FIELDS = ("display_name", "role", "condition", "stage", "timezone", "languages", "availability")
ANSWER_FIELDS += ("accessibility_needs", "accessibility_note", "texts")
# The participant columns that hold those answers (`current_answers` reads them).
ANSWER_COLUMNS = ("display_name", "role", "condition_id", "stage_id", "timezone", "languages", "availability")
ANSWER_COLUMNS += ("accessibility_needs", "accessibility_note", "phone", "sms_consent_at")


@dataclass(frozen=True)
class Answers:
    """A registrant's answers as a person reads them: the condition and stage by name."""

    display_name: str
    role: str
    condition: str
    stage: str | None
    timezone: str
    languages: tuple[str, ...]
    availability: tuple[tuple[int, str, str], ...]
    accessibility_needs: tuple[str, ...]
    accessibility_note: str
    texts: tuple[str | None, bool]  # their mobile number, and whether they want texts at it


@dataclass(frozen=True)
class HeldChange:
    """What following a verification link would change in a known registrant's answers."""

    before: Answers
    after: Answers

    @property
    def fields(self) -> list[str]:
        return [name for name in ANSWER_FIELDS if getattr(self.before, name) != getattr(self.after, name)]


def find_program(session: Session, slug: str) -> Program | None:
    return session.exec(select(Program).where(Program.slug == slug)).first()


def list_conditions(session: Session, program: Program) -> list[ConditionOffer]:
    rows = session.exec(
        select(Condition, Stage)
        .outerjoin(Stage, Stage.condition_id == Condition.id)
        .where(Condition.program_id == program.id)
        .order_by(*_OFFER_ORDER)
    ).all()
    return _offers(rows)


def _offers(rows) -> list[ConditionOffer]:
    """Offers from (condition, stage or None) rows, ordered by condition and then stage."""
    conditions: dict[int, Condition] = {}
    stages: dict[int, list[Stage]] = {}
    for condition, stage in rows:
        conditions[condition.id] = condition
        stages.setdefault(condition.id, []).extend([stage] if stage is not None else [])
    return [ConditionOffer(condition, tuple(stages[key])) for key, condition in conditions.items()]


def _offer_for(offers: list[ConditionOffer], code: str) -> ConditionOffer:
    return next(offer for offer in offers if offer.condition.code == code)


def program_choices(program: Program | ProgramTerms, offers: list[ConditionOffer]) -> ProgramChoices:
    return ProgramChoices(
        conditions={offer.condition.code: tuple(stage.code for stage in offer.stages) for offer in offers},
        languages=tuple(program.languages),
        country=program.country,
    )


# The column that holds the answers a registration with a known address brings, until the link is followed.
HELD_CHANGES = "pending_changes"


def _find_by_email(session: Session, program: Program, email: str) -> Participant | None:
    return session.exec(
        select(Participant).where(Participant.program_id == program.id, Participant.email == email)
    ).first()


def apply_registration(
    program: Program | ProgramTerms,
    offers: list[ConditionOffer],
    participant: Participant,
    registration: Registration,
    *,
    locale: str,
) -> None:
    """Write a registration's answers onto a known registrant's row, once they confirmed the change."""
    texts = text_columns(registration.phone, registration.sms_consent, now=utcnow(), current=participant)
    for column, value in {**answer_columns(program, offers, registration, locale=locale), **texts}.items():
        setattr(participant, column, value)


def answer_columns(
    program: Program | ProgramTerms, offers: list[ConditionOffer], registration: Registration, *, locale: str
) -> dict[str, Any]:
    """A registration's answers and consent, as participant columns."""
    offer = _offer_for(offers, registration.condition)
    stage = offer.stage_named(registration.stage)
    now = utcnow()
    return {
        "email": registration.email,
        "display_name": registration.display_name,
        "role": registration.role,
        "condition_id": offer.condition.id,
        "stage_id": stage.id if stage is not None else None,
        "accessibility_needs": list(registration.accessibility_needs),
        "accessibility_note": registration.accessibility_note,
        "locale": locale,
        "consent_version": program.privacy_notice_version,
        "consented_at": now,
        "updated_at": now,
        **registration.as_columns(),
        **text_columns(registration.phone, registration.sms_consent, now=now),
    }


def find_stage_id(session: Session, condition_id: int, code: str | None) -> int | None:
    if code is None:
        return None
    return session.exec(select(Stage.id).where(Stage.condition_id == condition_id, Stage.code == code)).one()


def verify_participant(session: Session, program: Program, token: str) -> Participant:
    """Follow a verification link: confirm the address, and apply the answers that link was sent for.

    A link for answers that were replaced by a later registration still confirms the address, but only the
    newest link applies held answers, so an older email can never undo a newer choice.
    """
    participant, pending = _held_for(session, program, token)
    if pending:
        _apply_pending_changes(session, program, participant, pending)
    if pending or participant.status == ParticipantStatus.PENDING_VERIFICATION:
        # Registering again is asking to take part again, so a paused or withdrawn registrant is back in.
        participant.status = ParticipantStatus.VERIFIED
        participant.verified_at = utcnow()
        record_event(
            session,
            "participant_verified",
            actor="participant",
            program_id=program.id,
            subject=("participant", participant.id),
        )
    session.add(participant)
    session.flush()
    return participant


def find_held_change(session: Session, program: Program, token: str, locale: str) -> HeldChange | None:
    """The change this verification link would make, the condition and stage named in `locale`, or None
    when it would only confirm the address (no answers held for it, a newer registration replaced them, they
    no longer fit the program, or they are the same answers)."""
    participant, pending = _held_for(session, program, token)
    if not pending:
        return None
    offers = offers_in(list_conditions(session, program), locale, program.default_locale)
    return _held_change(program, offers, participant, pending)


def _held_change(
    program: Program | ProgramTerms,
    offers: list[ConditionOffer],
    participant: Participant,
    pending: dict[str, Any],
) -> HeldChange | None:
    registration = _still_valid(program, offers, pending)
    if registration is None:
        return None
    offer = _offer_for(offers, registration.condition)
    stage = offer.stage_named(registration.stage)
    after = Answers(
        display_name=registration.display_name,
        role=registration.role,
        condition=offer.condition.name,
        stage=stage.name if stage is not None else None,
        timezone=registration.timezone,
        languages=registration.languages,
        availability=tuple((w.weekday, w.start, w.end) for w in registration.availability),
        accessibility_needs=registration.accessibility_needs,
        accessibility_note=registration.accessibility_note,
        texts=(registration.phone, registration.sms_consent),
    )
    change = HeldChange(current_answers(participant, offers), after)
    return change if change.fields else None


def current_answers(participant: Participant, offers: list[ConditionOffer]) -> Answers:
    """A registrant's answers now, the condition and stage named as `offers` (their program's) name them."""
    offer = next(offer for offer in offers if offer.condition.id == participant.condition_id)
    stage = next((stage for stage in offer.stages if stage.id == participant.stage_id), None)
    return Answers(
        display_name=participant.display_name,
        role=participant.role,
        condition=offer.condition.name,
        stage=stage.name if stage is not None else None,
        timezone=participant.timezone,
        languages=tuple(participant.languages),
        availability=tuple((w["weekday"], w["start"], w["end"]) for w in participant.availability),
        accessibility_needs=tuple(participant.accessibility_needs),
        accessibility_note=participant.accessibility_note,
        texts=(participant.phone, participant.sms_consent_at is not None),
    )


def keep_answers(session: Session, program: Program, token: str) -> Participant:
    """The address's owner turned the held change down: drop it, and leave everything else as it was."""
    participant, pending = _held_for(session, program, token)
    if pending:
        participant.pending_changes = None
        session.add(participant)
        record_event(
            session,
            "participant_kept_answers",
            actor="participant",
            program_id=program.id,
            subject=("participant", participant.id),
        )
        session.flush()
    return participant


def _held_for(session: Session, program: Program, token: str) -> tuple[Participant, dict[str, Any] | None]:
    """The link's registrant, and the answers held for this very link (None if there are none, or newer)."""
    payload = read_token("verify", token)
    participant = session.get(Participant, payload.get("participant"))
    if participant is None or participant.program_id != program.id or participant.email is None:
        raise LinkError("This link is not valid.")
    return participant, _held(participant, payload.get("nonce"))


def _held(participant: Participant, nonce: str | None) -> dict[str, Any] | None:
    """The answers held for the link with `nonce`; None if there are none, or newer ones replaced them."""
    pending = participant.pending_changes or {}
    return pending if nonce is not None and pending.get("nonce") == nonce else None


def changed_answers(
    session: Session, program: Program, participant: Participant, nonce: str | None
) -> list[str]:
    """The answers the verification link with `nonce` would change (`ANSWER_FIELDS`), for its email."""
    pending = _held(participant, nonce)
    if not pending:
        return []
    change = _held_change(program, list_conditions(session, program), participant, pending)
    return list(change.fields) if change else []


def _still_valid(
    program: Program | ProgramTerms, offers: list[ConditionOffer], pending: dict[str, Any]
) -> Registration | None:
    try:
        return validate_registration(pending["answers"], program_choices(program, offers))
    except InvalidInput:
        return None  # the program changed its conditions since; the registrant keeps their earlier answers


def _apply_pending_changes(
    session: Session, program: Program, participant: Participant, pending: dict[str, Any]
) -> None:
    participant.pending_changes = None
    offers = list_conditions(session, program)
    registration = _still_valid(program, offers, pending)
    if registration is not None:
        apply_registration(program, offers, participant, registration, locale=pending["locale"])


def send_new_link(session: Session, program: Program, email: str) -> None:
    """Email a fresh link to a known address; say nothing either way, so addresses cannot be probed."""
    participant = _find_by_email(session, program, email)
    if participant is None:
        return
    pending = participant.pending_changes or {}
    if participant.status == ParticipantStatus.PENDING_VERIFICATION or pending:
        context = {"nonce": pending.get("nonce")}
        _queue_email(session, program, participant, MessageKind.VERIFY_EMAIL, participant.locale, context)
        return
    _queue_email(session, program, participant, MessageKind.MANAGE_LINK, participant.locale, {})


def _queue_email(
    session: Session,
    program: Program | ProgramTerms,
    participant: Participant,
    kind: MessageKind,
    locale: str,
    extra: dict[str, Any],
) -> None:
    row = link_email_row(kind, program, participant.email, locale, extra)
    queue_messages(session, [{**row, "participant_id": participant.id}])


def link_email_row(
    kind: MessageKind, program: Program | ProgramTerms, recipient: str, locale: str, context: dict[str, Any]
) -> dict[str, Any]:
    """An email with a link for a registrant, due now, as `queue_messages` takes it (its `participant_id`
    still to set). Every request gets its own email: the rate limit, not deduplication, stops floods."""
    return message_row(
        kind=kind,
        program_id=program.id,
        recipient=recipient,
        dedupe_key=f"{kind}:{secrets.token_urlsafe(16)}",
        send_at=utcnow(),
        locale=locale,
        # Only what the email cannot find out when it is built: its name, links and recipient are looked
        # up then (app.messages.sources), as for every other email.
        context=context,
    )


def registration_reference(participant_id: int) -> str:
    """The id the API hands out: stable for a registration, but unordered, so it cannot tell a caller
    whether an address was registered before (a row number would, by being older than the newest)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"registration:{participant_id}".encode(), "sha256").hexdigest()[:24]
