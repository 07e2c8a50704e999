"""Double opt-in: nobody is matched before following the emailed link; a known address is never revealed."""

import json
import re

import pytest
from sqlmodel import select

from app import database
from app.messages.kinds import MessageKind
from app.models import AuditEvent, Participant, Program, Stage

# A signed token: base64url parts joined by dots, the last (the signature) long.
SIGNED_TOKEN = re.compile(r"[\w-]+\.[\w-]+\.[\w-]{20,}")


def test_registering_queues_a_verification_email_with_an_absolute_link(kit):
    response = kit.post_form(kit.page, kit.form())
    assert response.status_code == 303
    assert kit.client.get(response.location).text.count("Check your email") >= 1
    [message] = kit.messages(MessageKind.VERIFY_EMAIL)
    assert message.recipient == "river@example.org"
    links = kit.emailed_links(message)
    for page in ("verify", "manage", "unsubscribe"):
        assert any(link.startswith(f"http://localhost/p/demo/{page}/") for link in links), (page, links)
    [participant] = kit.participants()
    assert participant.status == "pending_verification"
    assert participant.consent_version == "1" and participant.consented_at is not None


@pytest.mark.parametrize("address", ["new", "known"])
def test_the_queued_email_keeps_no_working_link_and_the_email_sent_carries_one(kit, address):
    """Signed links live in emails only: the outbox row says what to link to, the email as sent links it."""
    if address == "known":
        kit.register_and_verify()
    assert kit.client.post(kit.api, json=kit.body(display_name="Riv")).status_code == 201
    stored = json.dumps(kit.messages(MessageKind.VERIFY_EMAIL)[-1].context)
    assert "/verify/" not in stored and not SIGNED_TOKEN.search(stored), stored
    confirmed = kit.post_form(kit.latest_link(), {"answers": "change"})
    assert confirmed.status_code == 200
    [participant] = kit.participants()
    assert (participant.status, participant.display_name) == ("verified", "Riv")


def test_following_the_link_asks_for_a_press_then_verifies(kit):
    kit.client.post(kit.api, json=kit.body())
    link = kit.latest_link()
    assert "Yes, confirm" in kit.client.get(link).text
    assert kit.participants()[0].status == "pending_verification"  # opening the link alone changes nothing
    confirmed = kit.post_form(link, {})
    assert "You are confirmed" in confirmed.text
    participant = kit.participants()[0]
    assert participant.status == "verified" and participant.verified_at is not None


def test_registering_again_answers_the_same_and_keeps_one_registration(kit):
    first = kit.client.post(kit.api, json=kit.body())
    again = kit.client.post(kit.api, json=kit.body(display_name="Riv", languages=["en"]))
    assert (first.status_code, first.json) == (again.status_code, again.json)
    [participant] = kit.participants()
    assert participant.display_name == "River"  # nothing changes before the new link is followed
    assert len(kit.messages(MessageKind.VERIFY_EMAIL)) == 2


def test_new_answers_apply_only_once_the_new_link_is_followed(kit):
    participant = kit.register_and_verify()
    again = {**kit.body(display_name="Riv", languages=["en"]), "stage": None}
    assert kit.client.post(kit.api, json=again).status_code == 201
    assert kit.participant(participant.id).display_name == "River"
    kit.post_form(kit.latest_link(), {})
    updated = kit.participant(participant.id)
    assert (updated.display_name, updated.stage_id, updated.languages) == ("Riv", None, ["en"])
    assert updated.status == "verified" and updated.pending_changes is None


def _a_stranger_registers_again_with_rivers_address(kit) -> Participant:
    participant = kit.register_and_verify()
    stranger = kit.body(
        display_name="Intruder", stage="relapsed", languages=["en"], accessibility_needs=None,
        availability=[{"weekday": 5, "start": "09:00", "end": "12:00"}],
    )  # fmt: skip
    assert kit.client.post(kit.api, json=stranger).status_code == 201
    return participant


def test_a_known_address_is_told_which_answers_would_change_but_not_to_what(kit):
    _a_stranger_registers_again_with_rivers_address(kit)
    assert kit.changes_named_in_the_email() == [
        "the name others see", "your stage", "your languages", "the times you can meet",
        "what would make it easier to take part",
    ]  # fmt: skip
    email = kit.emailed_text(kit.messages(MessageKind.VERIFY_EMAIL)[-1])
    assert "Intruder" not in email and "Relapsed" not in email


def test_the_link_shows_the_change_side_by_side_and_changes_nothing_by_itself(kit):
    participant = _a_stranger_registers_again_with_rivers_address(kit)
    page = kit.client.get(kit.latest_link()).text
    rows = {
        cells[0]: cells[1:]
        for cells in (
            [
                re.sub(r"<[^>]+>|\s+", " ", re.sub(r"</?span[^>]*>", "", cell)).strip()  # spans are inline
                for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            ]
            for row in re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>")[1], re.S)
        )
    }
    assert rows == {
        "The name others will see": ["River", "Intruder"],
        "Stage": ["Watch and wait", "Relapsed"],
        "Languages": ["Español, English", "English"],
        "Times": ["Tuesday 17:00–21:00", "Saturday 09:00–12:00"],
        "What would make it easier to take part": ["Captions (subtitles)", "None"],
    }
    assert "Yes, make these changes" in page and "No, keep my answers as they are" in page
    unchanged = kit.participant(participant.id)
    assert (unchanged.display_name, unchanged.languages) == ("River", ["es", "en"])


def test_keeping_ones_answers_throws_the_new_ones_away_for_good(kit):
    participant = _a_stranger_registers_again_with_rivers_address(kit)
    link = kit.latest_link()
    kept = kit.post_form(link, {"answers": "keep"})
    assert "Your answers are unchanged" in kept.text
    after = kit.participant(participant.id)
    assert (after.display_name, after.pending_changes, after.status) == ("River", None, "verified")
    assert "Yes, make these changes" not in kit.client.get(link).text
    kit.post_form(link, {"answers": "change"})  # the same link, pressed later, applies nothing
    assert kit.participant(participant.id).display_name == "River"
    with kit.app.app_context():
        actions = database.session().exec(select(AuditEvent.action)).all()
    assert "participant_kept_answers" in actions


def test_making_the_change_applies_exactly_what_was_shown(kit):
    participant = _a_stranger_registers_again_with_rivers_address(kit)
    kit.post_form(kit.latest_link(), {"answers": "change"})
    after = kit.participant(participant.id)
    assert (after.display_name, after.languages, after.accessibility_needs) == ("Intruder", ["en"], [])


def test_the_same_answers_again_only_ask_to_confirm_the_address(kit):
    kit.register_and_verify()
    assert kit.client.post(kit.api, json=kit.body()).status_code == 201
    assert "would change" not in kit.emailed_text(kit.messages(MessageKind.VERIFY_EMAIL)[-1])
    assert "Yes, confirm" in kit.client.get(kit.latest_link()).text


def test_an_older_link_never_applies_newer_answers(kit):
    kit.client.post(kit.api, json=kit.body())
    first_link = kit.latest_link()
    kit.client.post(kit.api, json=kit.body(display_name="Someone else"))
    kit.post_form(first_link, {})
    participant = kit.participants()[0]
    assert participant.status == "verified"
    assert participant.display_name == "River"
    assert participant.pending_changes is not None


def test_registering_again_after_withdrawing_brings_you_back(kit):
    participant = kit.register_and_verify()
    manage = kit.signed_path(kit.manage, "manage", participant.id)
    kit.post_form(f"{manage}/withdraw", {})
    kit.client.post(kit.api, json=kit.body())
    kit.post_form(kit.latest_link(), {})
    assert kit.participant(participant.id).status == "verified"


def test_bots_filling_the_hidden_field_are_told_nothing_and_stored_nowhere(kit):
    response = kit.post_form(kit.page, kit.form(website="http://spam.example"))
    assert response.status_code == 303
    assert kit.participants() == [] and kit.messages() == []


def test_too_many_registrations_from_one_address_are_slowed_down(kit):
    kit.app.config["REGISTRATION_RATE_LIMIT"] = "3 per minute"
    statuses = [
        kit.client.post(kit.api, json=kit.body(email=f"p{n}@example.org")).status_code for n in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    refused = kit.post_form(kit.page, kit.form())  # the form shares the budget
    assert refused.status_code == 429
    # Both say when to try again: within the minute the budget is counted over.
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    answer = kit.client.post(kit.api, json=kit.body(email="p9@example.org"))
    assert answer.json["message"] and 0 < int(answer.headers["Retry-After"]) <= 60


def test_closed_registration_shows_a_kind_page_and_accepts_nothing(kit):
    with kit.app.app_context():
        session = database.session()
        program = session.exec(select(Program)).one()
        program.registration_open = False
        session.commit()
    page = kit.client.get(kit.page)
    assert page.status_code == 200 and "Sign-up is closed for now." in page.text
    assert "cafe@example.org" in page.text
    assert kit.client.post(kit.api, json=kit.body()).status_code == 409
    posted = kit.post_form(kit.page, kit.form(), token_from="/p/demo/new-link")
    assert posted.status_code == 409 and "Sign-up is closed for now." in posted.text
    assert "cafe@example.org" in posted.text
    assert kit.participants() == []


def test_verifying_is_recorded_for_the_coordinators(kit):
    participant = kit.register_and_verify()
    with kit.app.app_context():
        events = database.session().exec(select(AuditEvent.action, AuditEvent.subject_id)).all()
    assert ("participant_verified", str(participant.id)) in events


def test_the_stage_is_stored_as_the_program_stage_row(kit):
    participant = kit.register_and_verify(stage="relapsed")
    with kit.app.app_context():
        assert database.session().get(Stage, participant.stage_id).code == "relapsed"
