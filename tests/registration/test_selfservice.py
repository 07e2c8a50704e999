"""Self-service through the signed links in every email: see, change, pause, leave, delete, unsubscribe."""

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.demo import seed_demo
from app.messages.kinds import MessageKind
from app.messages.queue import queue_message
from app.models import AuditEvent, Cohort, CohortMember, CohortStatus, OutboundMessage, Participant


@pytest.fixture
def member(kit):
    """A verified registrant placed in an approved group with two synthetic others, with a reminder queued."""
    participant = kit.register_and_verify()
    with kit.app.app_context():
        session = database.session()
        program = seed_demo(session, registrants=2)
        others = session.exec(select(Participant).where(Participant.email.like("demo-participant-%"))).all()
        cohort = Cohort(
            program_id=program.id, condition_id=participant.condition_id, language="es", slot=40,
            status=CohortStatus.APPROVED,
        )  # fmt: skip
        session.add(cohort)
        session.flush()
        for person in [participant, *others]:
            session.add(CohortMember(cohort_id=cohort.id, participant_id=person.id))
        queue_message(
            session,
            kind=MessageKind.REMINDER,
            program_id=program.id,
            recipient=participant.email,
            participant_id=participant.id,
            dedupe_key=f"reminder:{participant.id}",
            send_at=utcnow(),
        )
        session.commit()
        names = [person.display_name for person in others]
    return participant, kit.signed_path(kit.manage, "manage", participant.id), names


def _actions(kit) -> list[str]:
    with kit.app.app_context():
        return list(database.session().exec(select(AuditEvent.action).order_by(AuditEvent.id)).all())


def _place_and_reminder(kit, participant):
    with kit.app.app_context():
        session = database.session()
        place = session.exec(
            select(CohortMember).where(CohortMember.participant_id == participant.id)
        ).first()
        reminder = session.exec(
            select(OutboundMessage).where(OutboundMessage.kind == MessageKind.REMINDER)
        ).one()
        return place, reminder


def test_manage_page_shows_the_group_by_display_names_only(kit, member):
    _participant, manage, names = member
    page = kit.client.get(manage).text
    assert "River" in page and "river@example.org" in page  # your own details
    for name in names:
        assert name in page
    assert "demo-participant-" not in page  # never the others' addresses


def test_changing_availability_languages_and_stage(kit, member):
    participant, manage, _names = member
    form = {
        "stage-cll": "in-treatment",
        "timezone": "America/Bogota",
        "languages": ["en"],
        "availability": ["5-morning"],
    }
    response = kit.post_form(f"{manage}/preferences", form, token_from=manage, follow_redirects=True)
    assert "Your answers are saved." in response.text
    changed = kit.participant(participant.id)
    assert changed.timezone == "America/Bogota" and changed.languages == ["en"]
    assert changed.availability == [{"weekday": 5, "start": "09:00", "end": "12:00"}]
    assert "participant_changed_answers" in _actions(kit)


def test_a_bad_change_is_explained_and_nothing_is_saved(kit, member):
    participant, manage, _names = member
    form = {"stage-cll": "metastatic", "timezone": "Europe/Madrid", "languages": ["es"], "availability": []}
    response = kit.post_form(f"{manage}/preferences", form, token_from=manage)
    assert response.status_code == 422
    assert 'href="#field-availability"' in response.text and 'href="#field-stage-cll"' in response.text
    assert kit.participant(participant.id).availability == participant.availability


def test_pausing_and_resuming(kit, member):
    participant, manage, _names = member
    paused = kit.post_form(f"{manage}/pause", {}, token_from=manage, follow_redirects=True)
    assert "Your registration is paused." in paused.text
    assert kit.participant(participant.id).status == "paused"
    kit.post_form(f"{manage}/resume", {}, token_from=manage)
    assert kit.participant(participant.id).status == "verified"
    assert _actions(kit)[-2:] == ["participant_paused", "participant_resumed"]


def test_withdrawing_asks_first_then_releases_the_place_and_cancels_messages(kit, member):
    participant, manage, _names = member
    question = kit.client.get(f"{manage}/withdraw")
    assert "Leave the program?" in question.text
    assert kit.participant(participant.id).status == "verified"
    done = kit.post_form(f"{manage}/withdraw", {})
    assert "You have left the program" in done.text
    place, reminder = _place_and_reminder(kit, participant)
    assert place is None and reminder.status == "cancelled"
    assert kit.participant(participant.id).status == "withdrawn"
    assert _actions(kit)[-1] == "participant_withdrew"


def test_deleting_erases_personal_data_and_keeps_anonymous_counts(kit, member):
    participant, manage, _names = member
    assert "This cannot be undone." in kit.client.get(f"{manage}/delete").text
    assert "Your information is deleted" in kit.post_form(f"{manage}/delete", {}).text
    erased = kit.participant(participant.id)
    assert erased.email is None and erased.display_name == "Deleted"
    assert erased.availability == [] and erased.accessibility_needs == []
    assert erased.status == "erased" and erased.erased_at is not None
    assert erased.condition_id == participant.condition_id  # still counted, anonymously
    place, reminder = _place_and_reminder(kit, participant)
    assert place is None and reminder.status == "cancelled" and reminder.recipient is None
    assert all(message.recipient is None for message in kit.messages() if message.participant_id == erased.id)
    assert "Your information is deleted" in kit.client.get(manage).text  # the link shows nothing any more


def test_one_click_unsubscribe_needs_no_form_token(kit, member):
    participant, _manage, _names = member
    link = kit.signed_path(kit.unsubscribe, "unsubscribe", participant.id)
    response = kit.client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "Emails stopped" in response.text
    _place, reminder = _place_and_reminder(kit, participant)
    assert reminder.status == "cancelled"
    assert kit.participant(participant.id).status == "paused"
    assert _actions(kit)[-1] == "participant_unsubscribed"


def test_unsubscribing_after_leaving_keeps_you_withdrawn(kit, member):
    participant, manage, _names = member
    kit.post_form(f"{manage}/withdraw", {})
    kit.client.post(kit.signed_path(kit.unsubscribe, "unsubscribe", participant.id))
    assert kit.participant(participant.id).status == "withdrawn"


def test_the_unsubscribe_link_opened_in_a_browser_asks_first(kit, member):
    participant, _manage, _names = member
    page = kit.client.get(kit.signed_path(kit.unsubscribe, "unsubscribe", participant.id))
    assert "Stop emails" in page.text
    assert kit.participant(participant.id).status == "verified"


@pytest.mark.parametrize("purpose", ["manage", "verify"])
def test_a_tampered_link_is_refused_kindly_with_a_way_to_get_a_new_one(kit, member, purpose):
    participant, manage, _names = member
    link = manage if purpose == "manage" else kit.signed_path("/p/demo/verify", "verify", participant.id)
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = kit.client.get(tampered)
    assert response.status_code == 400
    assert "This link does not work" in response.text and "Send me a new link" in response.text


def test_a_link_made_for_another_purpose_is_refused(kit, member):
    participant, _manage, _names = member
    unsubscribe_token = kit.signed_path(kit.unsubscribe, "unsubscribe", participant.id).rsplit("/", 1)[1]
    assert kit.client.get(f"{kit.manage}/{unsubscribe_token}").status_code == 400


def test_an_expired_link_says_so_and_a_new_one_can_be_asked_for(kit, member):
    participant, _manage, _names = member
    response = kit.client.get(kit.signed_path(kit.manage, "manage", participant.id, expired=True))
    assert response.status_code == 410 and "This link has expired" in response.text
    sent = kit.post_form("/p/demo/new-link", {"email": "River@Example.org"})
    assert "a new link is on its way" in sent.text
    assert kit.messages()[-1].kind == MessageKind.MANAGE_LINK
    assert kit.client.get(kit.latest_link("manage")).status_code == 200


def test_asking_for_a_link_for_an_unknown_address_looks_the_same(kit):
    known = kit.post_form("/p/demo/new-link", {"email": "nobody@example.org"})
    assert known.status_code == 200 and "a new link is on its way" in known.text
    assert kit.messages() == []


def test_an_unverified_registrant_asking_again_gets_a_new_verification_link(kit):
    kit.client.post(kit.api, json=kit.body())
    kit.post_form("/p/demo/new-link", {"email": "river@example.org"})
    assert [message.kind for message in kit.messages()] == [
        MessageKind.VERIFY_EMAIL,
        MessageKind.VERIFY_EMAIL,
    ]
    kit.post_form(kit.latest_link(), {})
    assert kit.participants()[0].status == "verified"
