"""The whole way over real HTTP: the app served on a port of its own, the SMS emulator as Twilio, a reminder
sent through it with the webhook as its StatusCallback, its delivery reports posted back, and people's
replies posted from the emulator's control API, signed as Twilio signs them."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from sqlmodel import select
from werkzeug.serving import make_server

from app import create_app, database
from app.database import utcnow
from app.models import Answer, CohortMember, MeetingAnswer, OutboundMessage, Participant, TextReply
from app.settings import EMULATOR_TWILIO_ACCOUNT_SID, EMULATOR_TWILIO_AUTH_TOKEN, EMULATOR_TWILIO_FROM_NUMBER
from app.worker.runner import run_text_work
from integrations.sms import TwilioClient
from integrations.sms.emulator import EmulatorConfig, RunningEmulator, start_in_thread
from integrations.sms.emulator_control import EmulatorControl

from ..conftest import free_port
from ..text_sending.conftest import daytime_zone
from .conftest import WEBHOOK, TextsKit, build_group


@pytest.fixture(scope="module")
def running_sms_emulator() -> Iterator[RunningEmulator]:
    """The emulator with the account the app uses when no Twilio keys are given."""
    config = EmulatorConfig(
        account_sid=EMULATOR_TWILIO_ACCOUNT_SID,
        auth_token=EMULATOR_TWILIO_AUTH_TOKEN,
        from_numbers=(EMULATOR_TWILIO_FROM_NUMBER,),
        auto_deliver=False,
        sender_rate=0,
    )
    with start_in_thread(config) as running:
        yield running


@pytest.fixture
def site(database_url, tmp_path, settings_for, running_sms_emulator) -> Iterator[tuple[object, str]]:
    """The app served over HTTP at its BASE_URL, texting through the emulator; the app and its address."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = settings_for(
        database_url, tmp_path / "instance", BASE_URL=base_url, TWILIO_API_BASE_URL=running_sms_emulator.url
    )
    app = create_app({"TESTING": True, "SETTINGS": settings})
    http = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield app, base_url
    http.shutdown()
    thread.join()
    app.extensions["engine"].dispose()


@pytest.fixture
def phone(running_sms_emulator, site) -> EmulatorControl:
    control = EmulatorControl(running_sms_emulator.url)
    control.reset()
    control.configure(inbound_url=site[1] + WEBHOOK, auto_deliver=False, sender_rate=0)
    return control


def test_a_reminder_is_delivered_and_a_reply_answers_the_meeting_end_to_end(site, phone):
    app, base_url = site
    kit = TextsKit(app, app.test_client(), *build_group(app))
    ana = kit.phones["Ana"]

    # The reminder goes out through the emulator, as the sender sends it, and is recorded with its sid.
    twilio = TwilioClient(
        EMULATOR_TWILIO_ACCOUNT_SID, EMULATOR_TWILIO_AUTH_TOKEN,
        from_number=EMULATOR_TWILIO_FROM_NUMBER, api_base_url=phone.api_base_url,
    )  # fmt: skip
    sent = twilio.send_message(
        ana, "Your group meets soon. Reply NO if you can't come.", status_callback=base_url + WEBHOOK
    )
    message_id, _ = kit.sent_text("Ana", sid=sent.sid)

    # Its delivery reports reach the app, signed, and move it on.
    reports = [phone.advance(sent.sid) for _ in range(3)]
    assert reports == [
        {"status": status, "receiver_status": 200} for status in ("queued", "sent", "delivered")
    ]
    assert kit.row(OutboundMessage, message_id).delivery_status == "delivered"

    # Ana answers NO from her phone: the answer is recorded and she is told how to change her mind.
    answered = phone.reply(ana, "NO")
    assert answered["status"] == 200 and answered["twiml_error"] is None
    [confirmation] = answered["replies"]
    assert confirmation.startswith("Thank you: we noted you can't come on Monday ")
    assert f"{base_url}/p/demo/manage/" in confirmation
    [recorded] = kit.rows(MeetingAnswer)
    assert (recorded.participant_id, recorded.answer) == (kit.people["Ana"], Answer.NOT_COMING)

    # STOP: Twilio answers it and blocks the number; the app follows and adds nothing.
    stopped = phone.reply(ana, "STOP")
    assert stopped["status"] == 200 and stopped["replies"] == []
    assert kit.person("Ana").sms_opted_out_at is not None
    assert ana in phone.recorded_requests()["opted_out"]

    # AYUDA from a number no one registered: the app says what the service is, in Spanish.
    helped = phone.reply("+15550199999", "AYUDA")
    assert helped["replies"] == [
        "Peer Meet-ups: mensajes sobre encuentros de apoyo entre pacientes. Responda STOP para no recibirlos."
    ]
    assert [reply.meaning for reply in kit.rows(TextReply)] == ["not_coming", "stop", "help"]

    # The development mail page shows every text beside caught mail, with the way to the phone page.
    page = kit.client.get("/dev/mail/").text
    assert f"{phone.url}/phone" in page
    assert "Reply NO if you can&#39;t come." in page and "AYUDA" in page


def test_the_mail_page_says_so_when_the_sms_emulator_is_not_running(client):
    page = client.get("/dev/mail/").text
    assert "The SMS emulator does not answer" in page


def _demo_reminder_texted(app) -> tuple[str, int]:
    """The demo seeded with mobile numbers, matched and approved, `flask demo remind` for a group with someone
    who takes texts, and the worker's round: that person's number and id."""
    runner = app.test_cli_runner()
    for command in (["demo", "seed", "--registrants", "60"], ["match", "run", "demo"], ["cohorts", "approve",
                    "demo", "--all"]):  # fmt: skip
        assert runner.invoke(args=command).exit_code == 0
    with app.app_context():
        session = database.session()
        person, group = session.exec(
            select(Participant, CohortMember.cohort_id)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(Participant.phone.is_not(None), Participant.sms_consent_at.is_not(None))
        ).first()
        person.timezone = daytime_zone(utcnow())  # a reader for whom it is day: no waiting for the morning
        session.add(person)
        session.commit()
        number, person_id = person.phone, person.id
    answer = runner.invoke(args=["demo", "remind", "--group", str(group)])
    assert answer.exit_code == 0 and "go with the worker's next round" in answer.output
    assert run_text_work(app)["sent"] >= 1
    return number, person_id


def test_the_demo_texts_a_reminder_and_takes_a_no_by_text(site, phone):
    """As a developer tries it, with NO answered from the phone."""
    app, base_url = site
    number, person_id = _demo_reminder_texted(app)

    [reminder] = [text for text in phone.messages() if text["to"] == number]
    # In the person's language: "Can't come? Reply NO." or "¿No puede venir? Responda NO."
    assert re.search(r"(Reply|Responda) NO\.", reminder["body"]) and f"{base_url}/t/" in reminder["body"]
    [confirmation] = phone.reply(number, "NO")["replies"]
    assert f"{base_url}/p/demo/manage/" in confirmation
    with app.app_context():
        [recorded] = database.session().exec(select(MeetingAnswer)).all()
        assert (recorded.participant_id, recorded.answer) == (person_id, Answer.NOT_COMING)


def _price_asks(phone, sid: str) -> int:
    return sum(
        1
        for call in phone.recorded_requests()["log"]
        if call["method"] == "GET" and call["path"].endswith(f"/Messages/{sid}.json")
    )


def test_a_text_s_price_is_asked_once_when_its_delivery_is_known(site, phone):
    app, _ = site
    number, _ = _demo_reminder_texted(app)
    [reminder] = [text for text in phone.messages() if text["to"] == number]
    with app.app_context():
        [row] = database.session().exec(
            select(OutboundMessage).where(OutboundMessage.provider_id == reminder["sid"])
        )
        assert row.price is None  # Twilio's answer to a new text has none

    run_text_work(app)
    assert _price_asks(phone, reminder["sid"]) == 0  # not before its delivery is known
    for _ in range(3):
        phone.advance(reminder["sid"])  # queued, sent, delivered: each report reaches the app
    phone.fail_next(503, count=4)  # Twilio does not answer the first time the worker asks
    run_text_work(app)
    run_text_work(app)
    run_text_work(app)

    priced = next(text for text in phone.messages() if text["sid"] == reminder["sid"])
    with app.app_context():
        row = database.session().get(OutboundMessage, row.id)
        assert (row.delivery_status, row.price, row.price_unit) == ("delivered", priced["price"], "USD")
        assert row.price_asked_at is not None
    assert _price_asks(phone, reminder["sid"]) == 4 + 1  # the four refused, then once, and never again


def test_the_demo_says_what_to_do_when_no_group_is_approved_yet(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0

    answer = runner.invoke(args=["demo", "remind"])

    assert answer.exit_code == 1 and "approve one on the console first" in answer.output
