"""What a text says: the program as others may see it, the meeting's time in the reader's own zone, a short
link that leads to their page, how to stop; in English or Spanish ("usted"), never a condition, and always
one segment, even for a long name on a long address."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from app.database import utcnow
from app.inputs.neutral_title import DIAGNOSIS_WORDS, GENERIC_TITLE
from app.messages.kinds import KINDS, Channel, MessageKind
from app.messages.queue import meeting_message_row, queue_messages, text_row
from app.messages.text_building import build_text
from app.models import Condition, OutboundMessage
from integrations.sms import segment_text
from integrations.sms.segments import Encoding

from ..conftest import make_settings
from .conftest import MOBILE, agree_to_texts, came, proposed_group, texts

TEXTED = [kind for kind, entry in KINDS.items() if Channel.SMS in entry.channels]
# GSM 03.38 as the standard tables it (see ../shared/twilio/NOTES.md), written out here rather than taken from
# our segment counter, so the counter is not the only judge of its own answer. Each character of the extension
# table costs two of a segment's 160 septets.
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "\f^{}\\[~]|€"
LONG_ADDRESS = "https://meetups.riverside-university-hospital.example.org"
LONG_NAME = (
    "Riverside University Hospital Patients' and Families' Peer Support Meet-ups of the Northern Region"
)


@pytest.fixture
def long_address_app(database_url, tmp_path):
    from app import create_app

    settings = make_settings(database_url, tmp_path / "instance", BASE_URL=LONG_ADDRESS)
    flask_app = create_app({"TESTING": True, "SETTINGS": settings})
    yield flask_app
    flask_app.extensions["engine"].dispose()


def _texts_of_every_kind(session, *, locale="en", timezone="America/New_York", name=None) -> dict:
    """Each texted kind, built for one member of an approved demo group."""
    now = utcnow()
    group = proposed_group(session, now=now)
    member = agree_to_texts(group.members[0])
    member.locale, member.timezone = locale, timezone
    if name is not None:
        group.program.neutral_title = name
    meeting = group.approve(session, now=now)
    came(session, meeting.id, member.id)
    rows = [
        text_row(
            meeting_message_row(
                kind, group.program, meeting, now=now, recipient=member.email, locale=locale,
                participant_id=member.id, dedupe_key=f"{kind}:test", context=_context(meeting),
            ),
            MOBILE,
        )
        for kind in TEXTED
    ]  # fmt: skip
    queue_messages(session, rows)
    session.flush()
    built = {}
    for kind in TEXTED:
        row = session.exec(
            select(OutboundMessage).where(OutboundMessage.dedupe_key == f"{kind}:test:sms")
        ).one()
        built[kind] = build_text(session, row)
    return {"texts": built, "meeting": meeting, "member": member, "program": group.program}


def _context(meeting) -> dict:
    return {"previous_starts_at": meeting.starts_at.isoformat(), "previous_sequence": 0}


@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_text_fits_one_gsm_segment_with_a_long_name_on_a_long_address(long_address_app, locale):
    from app import database

    with long_address_app.app_context():
        built = _texts_of_every_kind(database.session(), locale=locale, name=LONG_NAME)

    for kind, text in built["texts"].items():
        segmentation = segment_text(text)
        assert segmentation.segments == 1, f"{kind}: {text!r}"
        assert segmentation.encoding == Encoding.GSM_7, f"{kind}: {text!r}"
        assert set(text) <= set(GSM_BASIC + GSM_EXTENSION), f"{kind}: {text!r}"
        assert sum(2 if char in GSM_EXTENSION else 1 for char in text) <= 160, f"{kind}: {text!r}"
        assert f"{LONG_ADDRESS}/t/" in text and "STOP" in text
        assert text.startswith("Riverside")  # as much of the name as there is room for


def test_english_texts_say_when_in_the_readers_own_zone_and_how_to_answer(db_session):
    built = _texts_of_every_kind(db_session, locale="en", timezone="America/New_York")
    local = built["meeting"].starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    clock = f"{local:%-I:%M} {'AM' if local.hour < 12 else 'PM'}"
    texts = built["texts"]

    assert texts[MessageKind.REMINDER].startswith(
        f"Patient Café: your meet-up is {local:%a} {local.day} {local:%b}"
    )
    assert clock in texts[MessageKind.REMINDER] and "Can't come? Reply NO." in texts[MessageKind.REMINDER]
    assert "has moved to" in texts[MessageKind.MEETING_CHANGED]
    assert "is cancelled" in texts[MessageKind.MEETING_CANCELLED]
    assert "How was it?" in texts[MessageKind.SURVEY]


def test_spanish_texts_speak_as_usted(db_session):
    built = _texts_of_every_kind(db_session, locale="es", timezone="Europe/Madrid")
    local = built["meeting"].starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Madrid"))
    texts = built["texts"]

    assert f"{local:%H:%M}" in texts[MessageKind.REMINDER]
    assert "¿No puede venir? Responda NO." in texts[MessageKind.REMINDER]
    assert "su encuentro ahora es el" in texts[MessageKind.MEETING_CHANGED]
    assert "se ha cancelado" in texts[MessageKind.MEETING_CANCELLED]
    assert "Cuéntenos" in texts[MessageKind.SURVEY]
    assert all("Baja: STOP" in text for text in texts.values())


def test_no_text_names_a_condition_even_when_the_program_has_no_neutral_title(db_session):
    built = _texts_of_every_kind(db_session, name="")
    conditions = db_session.exec(select(Condition.name)).all()

    for text in built["texts"].values():
        words = text.casefold()
        assert text.startswith(f"{GENERIC_TITLE}:")
        assert not any(word.casefold() in words for word in (*DIAGNOSIS_WORDS, *conditions))


def test_a_text_of_a_kind_that_goes_by_email_only_is_never_built(db_session):
    from app.messages.sources import NotDeliverable

    built = _texts_of_every_kind(db_session)
    row = OutboundMessage(
        kind=MessageKind.PREPARATION_TIPS, channel=Channel.SMS, program_id=built["program"].id,
        participant_id=built["member"].id, meeting_id=built["meeting"].id, recipient=MOBILE,
        send_at=datetime.now(), dedupe_key="tips:sms",
    )  # fmt: skip
    with pytest.raises(NotDeliverable):
        build_text(db_session, row)


def test_someone_who_said_they_cannot_come_gets_no_reminder_or_survey_by_text(db_session):
    from app.messages.sources import NotNeeded
    from app.models import Answer
    from app.services.meeting_answers import record_answer

    now = utcnow()
    group = proposed_group(db_session, now=now)
    member = agree_to_texts(group.members[0])
    meeting = group.approve(db_session, now=now)
    record_answer(db_session, meeting, member, Answer.NOT_COMING, now=now)

    for kind in (MessageKind.REMINDER, MessageKind.SURVEY):
        [row] = texts(db_session, kind=kind)
        with pytest.raises(NotNeeded, match=r"could not come|cannot come"):
            build_text(db_session, row)
