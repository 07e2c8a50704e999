"""Texts go out through Twilio (the SMS emulator, over real HTTP): once each, at the sending number's pace
even with two workers at once, again after Twilio turned them away, never twice when an answer was lost,
and never again to someone who replied STOP."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.messages.senders import build_text_sender
from app.messages.text_dispatch import dispatch_due_texts
from app.models import MessageStatus, OutboundMessage, Participant
from app.worker.runner import run_text_work

from .conftest import MOBILE, agree_to_texts, came, daytime_zone, proposed_group, texts

MAGIC_OPTED_OUT = "+15005550004"  # Twilio's test number that answers 21610


def _reminders_due(app, phones=(MOBILE,), *, timezone=None):
    """An approved group whose first members have these numbers; (their reminders' ids, when they are due)."""
    with app.app_context():
        session = database.session()
        now = utcnow()
        group = proposed_group(session, now=now)
        texted = [agree_to_texts(member, phone) for member, phone in zip(group.members, phones, strict=False)]
        meeting = group.approve(session, now=now)
        due = texts(session, kind=MessageKind.REMINDER)[0].send_at
        for member in texted:
            member.timezone = timezone or daytime_zone(due)
        session.commit()
        return [row.id for row in texts(session, kind=MessageKind.REMINDER)], due, meeting.id


def _row(app, message_id: int) -> OutboundMessage:
    with app.app_context():
        return database.session().get(OutboundMessage, message_id)


def _sent_by_emulator(sms) -> list[dict]:
    return [message for message in sms.messages() if message.get("direction") == "outbound-api"]


def _statuses(sms) -> list[int]:
    return [entry["status"] for entry in sms.recorded_requests()["log"] if entry["method"] == "POST"]


def test_a_due_text_is_sent_once_and_twilios_answer_is_recorded(texting_app, sms):
    [reminder], due, _ = _reminders_due(texting_app)

    assert run_text_work(texting_app, due)["sent"] == 1
    assert not run_text_work(texting_app, due + timedelta(minutes=1))  # nothing left to send

    [sent] = _sent_by_emulator(sms)
    row = _row(texting_app, reminder)
    assert sent["to"] == MOBILE
    assert row.status == MessageStatus.SENT and row.provider_id == sent["sid"]
    assert (row.segments, row.delivery_status, row.price_unit) == (1, "queued", "USD")
    assert "tried" not in row.context
    assert sent["status_callback"] == "http://localhost/webhooks/sms"
    assert "/t/" in sent["body"] and "STOP" in sent["body"]


def test_the_worker_sends_texts_in_its_rounds_beside_emails(texting_app, sms):
    from app.worker.runner import run_due_work

    _, due, _ = _reminders_due(texting_app)
    done = run_due_work(texting_app, due)
    assert done["text"]["sent"] == 1
    assert len(_sent_by_emulator(sms)) == 1


def test_a_text_turned_away_with_429_goes_after_the_pause_twilio_asked_for(texting_app, sms):
    _, due, _ = _reminders_due(texting_app)
    sms.fail_next(429, retry_after="1")

    assert run_text_work(texting_app, due)["sent"] == 1
    assert _statuses(sms) == [429, 201]
    assert len(_sent_by_emulator(sms)) == 1


def test_a_text_twilio_keeps_turning_away_goes_back_to_the_queue_and_is_sent_later(texting_app, sms):
    [reminder], due, _ = _reminders_due(texting_app)
    sms.fail_next(503, count=4)  # every try the client makes in one go

    assert run_text_work(texting_app, due)["retrying"] == 1
    row = _row(texting_app, reminder)
    assert row.status == MessageStatus.PENDING and row.send_at > due and "503" in row.last_error
    assert run_text_work(texting_app, row.send_at)["sent"] == 1
    assert len(_sent_by_emulator(sms)) == 1


def test_a_text_whose_answer_was_lost_is_looked_for_and_not_sent_again(texting_app, sms):
    texting_app.extensions["text_sender"] = build_text_sender(texting_app.config["SETTINGS"], timeout=0.5)
    [reminder], due, _ = _reminders_due(texting_app)
    sms.delay_next(1.5)  # Twilio takes the text but its answer comes after the client stopped waiting

    assert run_text_work(texting_app, due)["retrying"] == 1
    [sent] = _sent_by_emulator(sms)
    assert _row(texting_app, reminder).status == MessageStatus.PENDING

    later = _row(texting_app, reminder).send_at
    assert run_text_work(texting_app, later)["sent"] == 1
    assert len(_sent_by_emulator(sms)) == 1
    assert _row(texting_app, reminder).provider_id == sent["sid"]


def test_a_text_whose_outcome_was_unknown_and_that_never_arrived_is_sent_then(texting_app, sms):
    [reminder], due, _ = _reminders_due(texting_app)
    sms.fail_next(500)  # Twilio may or may not have taken it; here it did not

    assert run_text_work(texting_app, due)["retrying"] == 1
    assert _sent_by_emulator(sms) == []
    assert run_text_work(texting_app, _row(texting_app, reminder).send_at)["sent"] == 1
    assert len(_sent_by_emulator(sms)) == 1


@pytest.mark.parametrize("stopped_how", ["magic number", "replied STOP"])
def test_a_number_that_replied_stop_is_marked_opted_out_and_its_text_cancelled(texting_app, sms, stopped_how):
    phone = MAGIC_OPTED_OUT if stopped_how == "magic number" else MOBILE
    [reminder], due, _ = _reminders_due(texting_app, (phone,))
    if stopped_how == "replied STOP":
        sms.reply(MOBILE, "STOP")  # Twilio's own opt-out handling, before our records know of it

    assert run_text_work(texting_app, due)["cancelled"] == 1
    row = _row(texting_app, reminder)
    assert row.status == MessageStatus.CANCELLED and "21610" in row.last_error
    with texting_app.app_context():
        person = database.session().get(Participant, row.participant_id)
        assert person.sms_opted_out_at is not None
    assert _sent_by_emulator(sms) == []


def test_another_refusal_fails_the_text_with_twilios_words(texting_app, sms):
    [reminder], due, _ = _reminders_due(texting_app, ("+15005550009",))  # not a mobile number

    assert run_text_work(texting_app, due)["failed"] == 1
    row = _row(texting_app, reminder)
    assert row.status == MessageStatus.FAILED and "21614" in row.last_error
    assert "not a valid mobile number" in row.last_error


def test_two_workers_at_once_never_send_faster_than_the_number_may(texting_app, sms):
    phones = [f"+1201555013{digit}" for digit in range(4)]
    ids, due, _ = _reminders_due(texting_app, phones)
    assert len(ids) == 4
    sender = texting_app.extensions["text_sender"]
    outcomes = []

    def work(name: str) -> None:
        with (
            texting_app.app_context(),
            Session(texting_app.extensions["engine"], expire_on_commit=False) as session,
        ):
            outcomes.append(dispatch_due_texts(session, sender, now=due, worker=name, batch_size=1))

    workers = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sum(outcome["sent"] for outcome in outcomes) == 4
    assert all(outcome["sent"] for outcome in outcomes)  # both took part
    assert (
        _statuses(sms) == [201] * 4
    )  # the emulator refuses (429) any text sooner than a second after the last
    assert sorted(message["to"] for message in _sent_by_emulator(sms)) == phones


def _at_night(app, message_id: int, moment) -> None:
    """Their clock says 23:00 at `moment`."""
    with app.app_context():
        session = database.session()
        person = session.get(Participant, session.get(OutboundMessage, message_id).participant_id)
        person.timezone = daytime_zone(moment, hour=23)
        session.commit()


def test_a_text_due_in_their_night_waits_for_eight_in_their_morning(texting_app, sms):
    *_, meeting_id = _reminders_due(texting_app)
    with texting_app.app_context():
        session = database.session()
        [survey] = texts(session, kind=MessageKind.SURVEY)
        came(session, meeting_id, survey.participant_id)
        session.commit()
    _at_night(texting_app, survey.id, survey.send_at)

    assert (
        run_text_work(texting_app, survey.send_at)["waiting for the morning"] == 1
    )  # (the reminder: too late)
    morning = _row(texting_app, survey.id).send_at
    assert morning == survey.send_at + timedelta(hours=9)
    assert _sent_by_emulator(sms) == []
    assert run_text_work(texting_app, morning)["sent"] == 1


def test_a_text_whose_moment_passes_in_their_night_is_skipped(texting_app, sms):
    [reminder], due, _ = _reminders_due(texting_app)
    _at_night(texting_app, reminder, due)  # the meeting starts before their morning

    assert run_text_work(texting_app, due) == {"skipped": 1}
    assert "night" in _row(texting_app, reminder).last_error
    assert _sent_by_emulator(sms) == []


def test_without_twilio_texts_are_cancelled_saying_why(texting_app, sms):
    texting_app.extensions["text_sender"] = None
    [reminder], due, _ = _reminders_due(texting_app)

    assert run_text_work(texting_app, due)["cancelled"] == 1
    assert "no Twilio keys" in _row(texting_app, reminder).last_error


def test_a_person_who_withdrew_consent_gets_no_text(texting_app, sms):
    [reminder], due, _ = _reminders_due(texting_app)
    with texting_app.app_context():
        session = database.session()
        person = session.get(Participant, _row(texting_app, reminder).participant_id)
        person.sms_consent_at = None
        session.commit()

    assert run_text_work(texting_app, due)["cancelled"] == 1
    assert _sent_by_emulator(sms) == []


def test_a_text_whose_answer_was_lost_counts_as_sent_even_if_it_is_no_longer_wanted(texting_app, sms):
    texting_app.extensions["text_sender"] = build_text_sender(texting_app.config["SETTINGS"], timeout=0.5)
    [reminder], due, _ = _reminders_due(texting_app)
    sms.delay_next(1.5)
    run_text_work(texting_app, due)
    with texting_app.app_context():
        session = database.session()
        session.get(Participant, _row(texting_app, reminder).participant_id).sms_consent_at = None
        session.commit()

    assert run_text_work(texting_app, _row(texting_app, reminder).send_at)["sent"] == 1  # it had gone
    assert len(_sent_by_emulator(sms)) == 1


def test_a_text_that_cannot_reach_twilio_goes_back_to_the_queue(database_url, tmp_path, sms):
    from app import create_app

    from ..conftest import free_port, make_settings

    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = make_settings(database_url, tmp_path / "instance", TWILIO_API_BASE_URL=nowhere)
    app = create_app({"TESTING": True, "SETTINGS": settings})
    try:
        [reminder], due, _ = _reminders_due(app)
        assert run_text_work(app, due)["retrying"] == 1
        row = _row(app, reminder)
        assert row.status == MessageStatus.PENDING and row.send_at == due + timedelta(minutes=1)
        assert "tried" not in row.context  # nothing went, so nothing is looked for next time
    finally:
        app.extensions["engine"].dispose()
