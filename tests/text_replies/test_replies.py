"""What a person's text does, in English and in Spanish: STOP and its synonyms stop every text to the number,
START lifts that, HELP says who we are, "can't come" to a reminder answers the meeting as the email link
does, and anything else waits for the coordinator. Each text counts once, however often Twilio posts it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.models import (
    Answer,
    AuditEvent,
    Meeting,
    MeetingAnswer,
    MessageStatus,
    OutboundMessage,
    Participant,
    Program,
    TextReply,
)
from app.services.text_answers import reply_locale
from integrations.sms import fits_one_segment
from integrations.sms.emulator_delivery import read_replies

from .conftest import TextsKit, message_sid

HELP_EN = "Patient Café: reminders of your meet-ups. Questions: cafe@example.org. Reply STOP to stop them."
HELP_ES = (
    "Patient Café: recordatorios de sus encuentros. Preguntas: cafe@example.org. "
    "Responda STOP para no recibirlos."
)
SERVICE_HELP_ES = (
    "Peer Meet-ups: mensajes sobre encuentros de apoyo entre pacientes. Responda STOP para no recibirlos."
)


def replies(answer) -> tuple[str, ...]:
    """The texts the webhook's TwiML sends back, read as Twilio reads them."""
    assert answer.status_code == 200
    texts, problem = read_replies(answer.text, answer.headers["Content-Type"])
    assert problem is None
    return texts


def kept(kit: TextsKit) -> list[tuple[int | None, str]]:
    return [(reply.participant_id, reply.meaning) for reply in kit.rows(TextReply)]


# STOP


@pytest.mark.parametrize("body", ["STOP", "stop", "Unsubscribe", "CANCEL", "End", "QUIT", "STOPALL"])
def test_twilios_own_stop_words_stop_every_text_and_twilio_answers_them(kit: TextsKit, body):
    pending, _ = kit.sent_text("Ana", status=MessageStatus.PENDING)
    assert replies(kit.text_from(kit.phones["Ana"], body)) == ()
    assert kit.person("Ana").sms_opted_out_at is not None
    assert kit.row(OutboundMessage, pending).status == MessageStatus.CANCELLED
    assert kept(kit) == [(kit.people["Ana"], "stop")]
    assert kit.person("Ben").sms_opted_out_at is None


@pytest.mark.parametrize(
    ("name", "body", "confirmation"),
    [
        (
            "Ana",
            "Please stop texting me",
            "You will get no more texts from us. Reply START to get them again.",
        ),
        (
            "Ana",
            "no more texts, thanks",
            "You will get no more texts from us. Reply START to get them again.",
        ),
        ("Carmen", "PARAR", "Ya no le enviaremos mensajes. Responda START para volver a recibirlos."),
        ("Carmen", "Alto", "Ya no le enviaremos mensajes. Responda START para volver a recibirlos."),
        (
            "Carmen",
            "No más mensajes por favor",
            "Ya no le enviaremos mensajes. Responda START para volver a recibirlos.",
        ),
        ("Carmen", "Quiero darme de baja", None),  # not an opt-out phrase: for the coordinator
    ],
)
def test_stop_in_other_words_stops_texts_and_we_confirm_it_in_their_language(
    kit: TextsKit, name, body, confirmation
):
    """Twilio answers only its own single words; for the others the confirmation is ours."""
    answer = replies(kit.text_from(kit.phones[name], body))
    if confirmation is None:
        assert answer == () and kit.person(name).sms_opted_out_at is None
        return
    assert answer == (confirmation,)
    assert kit.person(name).sms_opted_out_at is not None
    assert kept(kit) == [(kit.people[name], "stop")]


def test_stop_stops_every_registrant_with_that_number(kit: TextsKit):
    mum = kit.same_number("Ana", "Mum")
    kit.text_from(kit.phones["Ana"], "STOP")
    assert kit.person("Ana").sms_opted_out_at is not None
    assert kit.row(Participant, mum).sms_opted_out_at is not None
    actions = {
        event.subject_id for event in kit.rows(AuditEvent, AuditEvent.action == "participant_stopped_texts")
    }
    assert actions == {str(kit.people["Ana"]), str(mum)}


# START


@pytest.mark.parametrize(
    ("name", "stop", "start"),
    [
        ("Ana", "STOP", "START"),
        ("Ana", "stop", "unstop"),
        ("Ana", "Quit", "Yes"),
        ("Carmen", "PARAR", "START"),
    ],
)
def test_start_lifts_the_opt_out_and_keeps_the_consent_as_it_was(kit: TextsKit, name, stop, start):
    """START is Twilio's word in every language (it lifts Twilio's own block too)."""
    consent = kit.person(name).sms_consent_at
    kit.text_from(kit.phones[name], stop)
    assert kit.person(name).sms_opted_out_at is not None
    assert replies(kit.text_from(kit.phones[name], start)) == ()  # Twilio answers START itself
    person = kit.person(name)
    assert person.sms_opted_out_at is None and person.sms_consent_at == consent
    assert [meaning for _, meaning in kept(kit)] == ["stop", "start"]
    assert kit.rows(AuditEvent, AuditEvent.action == "participant_started_texts")[0].subject_id == str(
        person.id
    )


# HELP


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        (
            "Ana",
            "HELP",
            HELP_EN,
        ),
        (
            "Ana",
            "info",
            HELP_EN,
        ),
        (
            "Carmen",
            "AYUDA",
            HELP_ES,
        ),
        (
            "Carmen",
            "Información",
            HELP_ES,
        ),
    ],
)
def test_help_says_who_we_are_and_how_to_stop_in_their_language_in_one_segment(
    kit: TextsKit, name, body, expected
):
    [answer] = replies(kit.text_from(kit.phones[name], body))
    assert answer == expected
    assert "Cancer" not in answer  # the neutral title, never the name that says the illness
    assert fits_one_segment(answer)
    assert kept(kit) == [(kit.people[name], "help")]


def test_help_never_names_an_illness_even_from_a_program_with_no_neutral_title(kit: TextsKit):
    with kit.app.app_context():
        session = database.session()
        program = session.exec(select(Program).where(Program.slug == "demo")).one()
        program.name, program.neutral_title = "Lung cancer circle", ""
        session.add(program)
        session.commit()

    [answer] = replies(kit.text_from(kit.phones["Ana"], "HELP"))

    assert answer.startswith("Peer meet-up: reminders of your meet-ups.") and "cancer" not in answer.lower()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("HELP", "Peer Meet-ups: texts about peer support meet-ups. Reply STOP to stop them."),
        (
            "ayuda",
            SERVICE_HELP_ES,
        ),
    ],
)
def test_help_from_a_number_we_do_not_know_says_only_what_the_service_is(kit: TextsKit, body, expected):
    assert replies(kit.text_from("+15550199999", body)) == (expected,)
    [reply] = kit.rows(TextReply)
    assert (reply.program_id, reply.participant_id, reply.from_number) == (None, None, "+15550199999")


# Can't come


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("Ana", "NO"),
        ("Ana", "Sorry, I can't make it"),
        ("Carmen", "no"),
        ("Carmen", "Lo siento, no podré ir"),
    ],
)
def test_cant_come_to_a_reminder_records_the_answer_the_email_link_records(kit: TextsKit, name, body):
    kit.sent_text(name)
    [answer] = replies(kit.text_from(kit.phones[name], body))
    [recorded] = kit.rows(MeetingAnswer)
    assert (recorded.participant_id, recorded.meeting_id, recorded.answer) == (
        kit.people[name],
        kit.meeting_id,
        Answer.NOT_COMING,
    )
    assert kept(kit) == [(kit.people[name], "not_coming")]
    assert kit.rows(TextReply)[0].meeting_id == kit.meeting_id
    # The host hears of it, as with the email link.
    assert [m.kind for m in kit.rows(OutboundMessage, OutboundMessage.kind == MessageKind.MEMBER_ANSWER)] == [
        MessageKind.MEMBER_ANSWER
    ]
    link = answer.split()[-1]
    assert link.startswith("http://localhost/p/demo/manage/")
    page = kit.client.get(link.removeprefix("http://localhost")).text
    # Their page says what they answered, and offers "I'll be there" to change their mind.
    assert "I can't come this time" in page or "No puedo ir esta vez" in page
    assert "/p/demo/meeting/" in page and "/coming" in page
    if name == "Carmen":
        assert answer.startswith("Gracias: anotamos que no puede venir el ")
    else:
        assert answer.startswith("Thank you: we noted you can't come on Monday ")


def test_with_one_number_for_two_registrants_a_reply_is_about_the_one_last_texted(kit: TextsKit):
    mum = kit.same_number("Ana", "Mum", in_the_group=True)
    kit.sent_text("Ana", sent_ago=timedelta(hours=3))
    kit.sent_text("Mum", sent_ago=timedelta(hours=1))
    kit.text_from(kit.phones["Ana"], "Thanks!")
    kit.text_from(kit.phones["Ana"], "NO")
    assert kept(kit) == [(mum, "other"), (mum, "not_coming")]
    [recorded] = kit.rows(MeetingAnswer)
    assert recorded.participant_id == mum


def test_cant_come_with_no_reminder_sent_is_a_text_for_the_coordinator(kit: TextsKit):
    assert replies(kit.text_from(kit.phones["Ana"], "NO")) == ()
    assert kit.rows(MeetingAnswer) == []
    assert kept(kit) == [(kit.people["Ana"], "other")]


def test_cant_come_to_an_email_reminder_or_another_text_is_a_text_for_the_coordinator(kit: TextsKit):
    kit.sent_text("Ana", kind=MessageKind.SURVEY)
    assert replies(kit.text_from(kit.phones["Ana"], "NO")) == ()
    assert kit.rows(MeetingAnswer) == []


def test_cant_come_after_the_meeting_started_is_a_text_for_the_coordinator(kit: TextsKit):
    kit.sent_text("Ana")
    with kit.app.app_context():
        session = database.session()
        meeting = session.get(Meeting, kit.meeting_id)
        meeting.starts_at = utcnow() - timedelta(minutes=5)
        session.add(meeting)
        session.commit()
    assert replies(kit.text_from(kit.phones["Ana"], "NO")) == ()
    assert kit.rows(MeetingAnswer) == []
    assert kept(kit) == [(kit.people["Ana"], "other")]


# Anything else


@pytest.mark.parametrize("body", ["Can I bring my husband?", "¿Puedo llevar a mi esposo?", "No puedo faltar"])
def test_anything_else_is_kept_for_the_coordinator_and_never_answered(kit: TextsKit, body):
    assert replies(kit.text_from(kit.phones["Carmen"], body)) == ()
    [reply] = kit.rows(TextReply)
    assert (reply.participant_id, reply.program_id, reply.body, reply.meaning, reply.seen_at) == (
        kit.people["Carmen"],
        kit.person("Carmen").program_id,
        body,
        "other",
        None,
    )


# Once per MessageSid


@pytest.mark.parametrize("body", ["HELP", "NO", "STOP"])
def test_a_webhook_delivered_twice_is_acted_on_once(kit: TextsKit, body):
    kit.sent_text("Ana")
    sid = message_sid()
    first = kit.text_from(kit.phones["Ana"], body, sid=sid)
    again = kit.text_from(kit.phones["Ana"], body, sid=sid)
    assert first.status_code == again.status_code == 200
    assert replies(again) == ()
    assert len(kit.rows(TextReply)) == 1
    assert len(kit.rows(MeetingAnswer)) == (1 if body == "NO" else 0)
    assert len(kit.rows(OutboundMessage, OutboundMessage.kind == MessageKind.MEMBER_ANSWER)) == (
        1 if body == "NO" else 0
    )
    assert len(kit.rows(AuditEvent, AuditEvent.action == "participant_stopped_texts")) == (
        1 if body == "STOP" else 0
    )


@pytest.mark.parametrize(
    ("body", "locale"),
    [
        ("HELP", "en"),
        ("Ayuda", "es"),
        ("Parar", "es"),
        ("AIDE", "fr"),
        ("Arrêter, merci", "fr"),
        ("Ajuda", "pt_BR"),
        ("Não quero mais mensagens", "pt_BR"),
        ("帮助", "zh_Hans"),
        ("退订", "zh_Hans"),
        ("👍", "en"),
    ],
)
def test_a_number_we_do_not_know_is_answered_in_the_language_it_wrote_in(body, locale):
    assert reply_locale(body, None) == locale
