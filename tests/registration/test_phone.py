"""A mobile number and consent to texts wherever a registrant gives or changes them: the sign-up form, the
JSON API, registering again, and their own page. Numbers are read as people write them in the program's
country and kept in E.164; consent to texts is a choice of its own, kept with its time."""

from __future__ import annotations

import re
from datetime import timedelta

import phonenumbers
import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.messages.queue import queue_message
from app.models import MessageStatus, OutboundMessage, Participant, Program

E164 = re.compile(r"^\+[1-9]\d{1,14}$")  # ITU-T E.164, as Twilio's `To` takes it

# (program's country, as typed, the number in E.164)
WRITTEN = [
    ("US", "(201) 555-0123", "+12015550123"),
    ("US", "201.555.0123", "+12015550123"),
    ("US", "1 201 555 0123", "+12015550123"),
    ("US", "+34 612 34 56 78", "+34612345678"),
    ("ES", "612 34 56 78", "+34612345678"),
    ("ES", "0034 612345678", "+34612345678"),
    ("ES", "+1 (201) 555-0123", "+12015550123"),
    ("GB", "07400 123456", "+447400123456"),
    ("MX", "55 1234 5678", "+525512345678"),
]
# (program's country, as typed, words of the message in English, and in Spanish)
REFUSED = {
    "landline": ("ES", "912 34 56 78", "looks like a landline", "Parece un número de teléfono fijo"),
    "too-short": ("US", "201 555", "This number is too short", "Este número es demasiado corto"),
    "no-area-code": ("US", "555 1234", "Enter the whole mobile number", "número de móvil completo"),
    "too-long": ("US", "+1 201 555 0123 4567", "too many digits", "demasiadas cifras"),
    "unknown-country-code": ("US", "+999 123 456", "country code after the “+”", "código de país"),
    "words": ("US", "call me maybe", "Enter a mobile number, such as (201) 555-0123", "por ejemplo (201)"),
    "not-in-use": ("US", "(555) 123-4567", "not a phone number in use", "no es un número de teléfono"),
    "toll-free": ("US", "1-800-555-0100", "cannot get texts", "no puede recibir SMS"),
    "extension": ("US", "201 555 0123 ext. 4", "without an extension", "sin extensión"),
    "national-in-the-wrong-country": ("US", "612 34 56 78", "too short", "demasiado corto"),
}


@pytest.fixture
def program_in(kit):
    """Set the demo program's country (and anything else about it)."""

    def change(country: str = "US", **values) -> None:
        with kit.app.app_context():
            session = database.session()
            program = session.exec(select(Program).where(Program.slug == "demo")).one()
            program.country = country
            for name, value in values.items():
                setattr(program, name, value)
            session.commit()

    return change


def _read_back(stored: str, expected: str) -> None:
    """The stored number, read by `phonenumbers` alone: E.164, and a real number that can get texts."""
    assert E164.match(stored) and stored == expected
    number = phonenumbers.parse(stored, None)
    assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == stored
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def _only(kit) -> Participant:
    [participant] = kit.participants()
    return participant


# Registering ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("country", "typed", "e164"), WRITTEN)
def test_the_api_reads_numbers_as_written_in_the_programs_country(kit, program_in, country, typed, e164):
    program_in(country)
    before = utcnow()
    response = kit.client.post(kit.api, json=kit.body(phone=typed, sms_consent=True))
    assert response.status_code == 201, response.json
    participant = _only(kit)
    _read_back(participant.phone, e164)
    assert before <= participant.sms_consent_at <= utcnow()
    assert participant.sms_opted_out_at is None


@pytest.mark.parametrize(("country", "typed", "e164"), WRITTEN)
def test_the_form_reads_numbers_as_written_in_the_programs_country(kit, program_in, country, typed, e164):
    program_in(country)
    response = kit.post_form(kit.page, kit.form(phone=typed, sms_consent="yes"))
    assert response.status_code == 303
    participant = _only(kit)
    _read_back(participant.phone, e164)
    assert participant.sms_consent_at is not None


@pytest.mark.parametrize(("country", "typed", "english", "spanish"), REFUSED.values(), ids=list(REFUSED))
def test_the_api_refuses_a_number_that_cannot_get_texts_naming_the_field(
    kit, program_in, country, typed, english, spanish
):
    program_in(country)
    response = kit.client.post(kit.api, json=kit.body(phone=typed, sms_consent=True))
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["phone"] and english in response.json["errors"]["phone"]
    spanish_answer = kit.client.post(
        kit.api, json=kit.body(phone=typed), headers={"Accept-Language": "es"}
    ).json
    assert spanish in spanish_answer["errors"]["phone"]
    assert kit.participants() == []


@pytest.mark.parametrize(("country", "typed", "english", "spanish"), REFUSED.values(), ids=list(REFUSED))
def test_the_form_shows_the_numbers_problem_next_to_it_and_keeps_every_answer(
    kit, program_in, country, typed, english, spanish
):
    program_in(country)
    response = kit.post_form(kit.page, kit.form(phone=typed, sms_consent="yes"))
    assert response.status_code == 422
    page = response.text
    assert 'href="#field-phone"' in page and 'id="error-phone"' in page and english in page
    assert 'aria-invalid="true" aria-describedby="hint-phone error-phone"' in page
    assert f'value="{typed}"' in page  # what was typed, to correct it
    assert 'value="River"' in page and 'value="cll" checked' in page and 'value="1-evening" checked' in page
    assert 'name="sms_consent" value="yes" checked' in page
    kit.client.get("/p/demo?lang=es")
    assert spanish in kit.post_form(kit.page, kit.form(phone=typed)).text
    assert kit.participants() == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_asking_for_texts_without_a_number_is_refused_at_the_number(kit, language):
    words = {"en": "Enter your mobile number to get text reminders.", "es": "Escriba su número de móvil"}
    headers = {"Accept-Language": language}
    answer = kit.client.post(kit.api, json=kit.body(sms_consent=True), headers=headers)
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["phone"]
    assert words[language] in answer.json["errors"]["phone"]
    kit.client.get(f"/p/demo?lang={language}")
    page = kit.post_form(kit.page, kit.form(phone="  ", sms_consent="yes"))
    assert page.status_code == 422 and 'id="error-phone"' in page.text and words[language] in page.text
    assert kit.participants() == []


def test_a_number_without_consent_is_kept_but_never_to_be_texted(kit):
    assert kit.client.post(kit.api, json=kit.body(phone="+1 201 555 0123")).status_code == 201
    participant = _only(kit)
    assert participant.phone == "+12015550123" and participant.sms_consent_at is None


def test_no_number_is_no_number(kit):
    assert kit.client.post(kit.api, json=kit.body(phone=None, sms_consent=False)).status_code == 201
    assert kit.post_form(kit.page, kit.form(email="sol@example.org", phone="")).status_code == 303
    assert [(p.phone, p.sms_consent_at) for p in kit.participants()] == [(None, None), (None, None)]


@pytest.mark.parametrize("value", ["yes", 1, "true", None])
def test_the_api_takes_only_true_or_false_for_texts(kit, value):
    body = {**kit.body(phone="+12015550123"), "sms_consent": value}
    response = kit.client.post(kit.api, json=body)
    if value is None:  # null: not asked for
        assert response.status_code == 201 and _only(kit).sms_consent_at is None
    else:
        assert response.status_code == 422 and list(response.json["errors"]) == ["sms_consent"]


def test_the_form_asks_for_a_mobile_number_as_phones_expect_and_says_what_texts_are(kit, program_in):
    program_in("ES")
    page = kit.client.get(kit.page).text
    field = re.search(r"<input id=\"field-phone\"[^>]*>", page).group(0)
    for attribute in ('type="tel"', 'autocomplete="tel"', 'inputmode="tel"', 'name="phone"'):
        assert attribute in field
    assert "For example 612 34 56 78." in page  # a mobile number of the program's country
    assert "Send me text reminders" in page
    assert "never say what condition you live with" in page and "Reply STOP" in page
    spanish = kit.client.get("/p/demo?lang=es").text
    assert "Enviarme recordatorios por SMS" in spanish and "Responda STOP" in spanish


def test_a_program_that_sends_no_texts_asks_for_no_number(kit, program_in):
    program_in("US", texts_enabled=False)
    page = kit.client.get(kit.page).text
    assert 'name="phone"' not in page and "Send me text reminders" not in page
    assert kit.client.get("/api/v1/programs/demo").json["texts_enabled"] is False


def test_a_form_sent_just_before_texts_were_switched_off_shows_its_numbers_problem(kit, program_in):
    program_in("US", texts_enabled=False)
    response = kit.post_form(kit.page, kit.form(phone="", sms_consent="yes"))
    assert response.status_code == 422
    assert 'href="#field-phone"' in response.text and '<input id="field-phone"' in response.text


def test_the_program_facts_say_which_country_numbers_are_read_in(kit, program_in):
    program_in("ES")
    facts = kit.client.get("/api/v1/programs/demo").json
    assert (facts["country"], facts["texts_enabled"]) == ("ES", True)


# Registering again with a known address ------------------------------------------------------------------


def test_a_number_given_by_registering_again_is_shown_before_it_applies(kit):
    participant = kit.register_and_verify()
    assert (
        kit.client.post(kit.api, json=kit.body(phone="+34 612 34 56 78", sms_consent=True)).status_code == 201
    )
    assert kit.changes_named_in_the_email() == ["your mobile number and text reminders"]
    page = kit.client.get(kit.latest_link()).text
    assert "Mobile number and text reminders" in page
    assert "No mobile number" in page and "+34 612 34 56 78, with text reminders" in page
    assert kit.participant(participant.id).phone is None  # nothing before the choice
    kit.post_form(kit.latest_link(), {"answers": "change"})
    after = kit.participant(participant.id)
    assert after.phone == "+34612345678" and after.sms_consent_at is not None


def test_registering_again_with_the_same_number_keeps_its_consent_time_and_its_stop(kit):
    participant = kit.register_and_verify(phone="+34612345678", sms_consent=True)
    consented = kit.participant(participant.id).sms_consent_at
    stopped = _reply_stop(kit, participant.id)
    again = kit.body(phone="+34 612 345 678", sms_consent=True, display_name="Riv")
    assert kit.client.post(kit.api, json=again).status_code == 201
    kit.post_form(kit.latest_link(), {"answers": "change"})
    after = kit.participant(participant.id)
    assert after.display_name == "Riv"
    assert (after.sms_consent_at, after.sms_opted_out_at) == (consented, stopped)


def test_registering_again_without_the_box_ticked_ends_texts(kit):
    participant = kit.register_and_verify(phone="+34612345678", sms_consent=True)
    assert kit.client.post(kit.api, json=kit.body(phone="+34612345678")).status_code == 201
    assert kit.changes_named_in_the_email() == ["your mobile number and text reminders"]
    assert "+34 612 34 56 78, without texts" in kit.client.get(kit.latest_link()).text
    kit.post_form(kit.latest_link(), {"answers": "change"})
    after = kit.participant(participant.id)
    assert after.phone == "+34612345678" and after.sms_consent_at is None


def _reply_stop(kit, participant_id: int):
    """What a STOP reply leaves on the registrant's row."""
    with kit.app.app_context():
        session = database.session()
        participant = session.get(Participant, participant_id)
        participant.sms_opted_out_at = utcnow() - timedelta(days=1)
        session.commit()
        return participant.sms_opted_out_at


# Their own page ------------------------------------------------------------------------------------------


@pytest.fixture
def texted(kit):
    """A verified registrant with a number and texts on, a text waiting for them, and their page."""
    participant = kit.register_and_verify(phone="+12015550123", sms_consent=True)
    with kit.app.app_context():
        session = database.session()
        text = queue_message(
            session, kind=MessageKind.REMINDER, program_id=participant.program_id,
            recipient=participant.phone, participant_id=participant.id, send_at=utcnow(),
            dedupe_key=f"text-reminder:{participant.id}",
        )  # fmt: skip
        text.channel = "sms"
        session.commit()
        text_id = text.id
    return participant, kit.signed_path(kit.manage, "manage", participant.id), text_id


def _text(kit, text_id: int) -> OutboundMessage:
    with kit.app.app_context():
        return database.session().get(OutboundMessage, text_id)


def test_the_page_shows_the_number_and_that_texts_are_on(kit, texted):
    _participant, manage, _text_id = texted
    page = kit.client.get(manage).text
    assert "We text reminders to +1 201-555-0123." in page
    assert 'value="+1 201-555-0123"' in page and 'name="sms_consent" value="yes" checked' in page
    assert "Remove my number and stop all texts" in page


def test_removing_the_number_ends_every_text(kit, texted):
    participant, manage, text_id = texted
    _reply_stop(kit, participant.id)
    done = kit.post_form(f"{manage}/texts", {"remove": "yes"}, token_from=manage, follow_redirects=True)
    assert "Your mobile number and text reminders are saved." in done.text
    assert "You have not given a mobile number, so we do not text you." in done.text
    after = kit.participant(participant.id)
    assert (after.phone, after.sms_consent_at, after.sms_opted_out_at) == (None, None, None)
    assert _text(kit, text_id).status == MessageStatus.CANCELLED
    with kit.app.app_context():
        from app.models import AuditEvent

        event = (
            database.session()
            .exec(select(AuditEvent).where(AuditEvent.action == "participant_changed_texts"))
            .one()
        )
    assert event.detail == {"texts": "off"} and "201" not in str(event.detail)


def test_unticking_consent_keeps_the_number_and_ends_texts(kit, texted):
    participant, manage, text_id = texted
    kit.post_form(f"{manage}/texts", {"phone": "+1 201-555-0123"}, token_from=manage)
    after = kit.participant(participant.id)
    assert after.phone == "+12015550123" and after.sms_consent_at is None
    assert _text(kit, text_id).status == MessageStatus.CANCELLED
    assert "as you have not asked for text reminders" in kit.client.get(manage).text


def test_a_new_number_gets_a_consent_of_its_own_and_leaves_an_old_stop_behind(kit, texted):
    participant, manage, text_id = texted
    _reply_stop(kit, participant.id)
    assert "You replied STOP" in kit.client.get(manage).text
    before = utcnow()
    form = {"phone": "(202) 555-0198", "sms_consent": "yes"}
    kit.post_form(f"{manage}/texts", form, token_from=manage)
    after = kit.participant(participant.id)
    _read_back(after.phone, "+12025550198")
    assert after.sms_consent_at >= before and after.sms_opted_out_at is None
    assert _text(kit, text_id).recipient == "+12025550198"  # the waiting text goes to the new number
    assert "We text reminders to +1 202-555-0198." in kit.client.get(manage).text


def test_a_new_number_without_the_box_ticked_gets_no_texts(kit, texted):
    participant, manage, _text_id = texted
    kit.post_form(f"{manage}/texts", {"phone": "(202) 555-0198"}, token_from=manage)
    after = kit.participant(participant.id)
    assert after.phone == "+12025550198" and after.sms_consent_at is None


def test_the_same_number_keeps_its_consent_time_and_its_stop(kit, texted):
    participant, manage, _text_id = texted
    stopped = _reply_stop(kit, participant.id)
    consented = kit.participant(participant.id).sms_consent_at
    kit.post_form(f"{manage}/texts", {"phone": "201 555 0123", "sms_consent": "yes"}, token_from=manage)
    after = kit.participant(participant.id)
    assert (after.sms_consent_at, after.sms_opted_out_at) == (consented, stopped)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_bad_number_on_the_page_is_explained_and_nothing_changes(kit, texted, language):
    participant, manage, text_id = texted
    words = {"en": "looks like a landline", "es": "Parece un número de teléfono fijo"}
    kit.client.get(f"{manage}?lang={language}")
    response = kit.post_form(
        f"{manage}/texts", {"phone": "+34 912 34 56 78", "sms_consent": "yes"}, token_from=manage
    )
    assert response.status_code == 422
    assert 'href="#field-phone"' in response.text and words[language] in response.text
    assert 'value="+34 912 34 56 78"' in response.text
    after = kit.participant(participant.id)
    assert after.phone == "+12015550123" and after.sms_consent_at == participant.sms_consent_at
    assert _text(kit, text_id).status == MessageStatus.PENDING


def test_someone_without_a_number_adds_one(kit):
    participant = kit.register_and_verify()
    manage = kit.signed_path(kit.manage, "manage", participant.id)
    kit.client.get(f"{manage}?lang=es")
    page = kit.client.get(manage).text
    assert "No nos ha dado un número de móvil" in page
    done = kit.post_form(
        f"{manage}/texts", {"phone": "201-555-0123", "sms_consent": "yes"}, token_from=manage,
        follow_redirects=True,
    )  # fmt: skip
    assert "Hemos guardado su número de móvil" in done.text
    assert "Enviamos los recordatorios por SMS al +1 201-555-0123." in done.text
    after = kit.participant(participant.id)
    assert after.phone == "+12015550123" and after.sms_consent_at is not None


def test_deleting_ones_data_deletes_the_number_consent_and_stop(kit, texted):
    participant, manage, _text_id = texted
    _reply_stop(kit, participant.id)
    kit.post_form(f"{manage}/delete", {})
    erased = kit.participant(participant.id)
    assert (erased.phone, erased.sms_consent_at, erased.sms_opted_out_at) == (None, None, None)
