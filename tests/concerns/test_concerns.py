"""Concerns raised privately by members (from their own page or their survey) and hosts (from their host
page), and the coordinators' queue: new, acknowledged, resolved, with notes, each change in the activity log;
in English and in Spanish."""

from __future__ import annotations

import pytest

from app.messages.kinds import MessageKind
from app.models import AuditEvent, Concern, MessageStatus

from .conftest import COORDINATOR, CSRF

WORDS = {
    "en": {
        "link": "Something worried you? Tell the coordinators privately",
        "form": "Tell us about a concern",
        "sent": "The program’s coordinators have your concern",
        "missing": "Tell us what concerns you.",
    },
    "es": {
        "link": "¿Algo le preocupó? Cuénteselo en privado a los coordinadores",
        "form": "Cuéntenos una inquietud",
        "sent": "Los coordinadores del programa tienen su inquietud",
        "missing": "Cuéntenos qué le preocupa.",
    },
}
WORRY = "Member 0.2 made jokes about my prognosis and I did not feel safe."


def _concern_form(kit, page_path: str, locale: str) -> str:
    """The concern form's address, as the member reaches it from the page at `page_path`."""
    page = kit.client.get(page_path)
    assert page.status_code == 200 and WORDS[locale]["link"] in page.text
    href = page.text.split(WORDS[locale]["link"])[0].rsplit('href="', 1)[1].split('"')[0]
    form = kit.client.get(href)
    assert form.status_code == 200 and WORDS[locale]["form"] in form.text
    assert "Member 0.2" in form.text and "Member 0.0" not in form.text  # the others, never oneself
    return href


def _raise(kit, href: str, locale: str, about) -> None:
    empty = kit.post(href, {"concern": "  ", "about": ""})
    assert empty.status_code == 422 and WORDS[locale]["missing"] in empty.text
    sent = kit.post(href, {"concern": WORRY, "about": str(about.id)})
    assert sent.status_code == 200 and WORDS[locale]["sent"] in sent.text


@pytest.mark.parametrize("locale", ["en", "es"])
def test_a_member_raises_a_concern_from_their_meeting_page(make_kit, coordinator, locale):
    kit = make_kit(locale)
    manage = kit.first_link(kit.emails_to(0), "/p/demo/manage/")
    kit.end_meeting()

    _raise(kit, _concern_form(kit, manage, locale), locale, kit.member(2))

    [concern] = kit.rows(Concern)
    assert (concern.reporter, concern.participant_id, concern.host_id) == ("member", kit.members[0], None)
    assert (concern.about_id, concern.meeting_id, concern.body) == (kit.members[2], kit.meeting_id, WORRY)
    _reaches_the_queue_and_not_the_group(kit, coordinator, concern)


@pytest.mark.parametrize("locale", ["en", "es"])
def test_a_member_raises_a_concern_from_their_survey(make_kit, coordinator, locale):
    kit = make_kit(locale)
    kit.attended(0, 1, 2, 3)
    survey_time = kit.survey_time()
    kit.end_meeting()
    kit.run_worker(survey_time)
    link = kit.first_link(kit.emails_to(0), "/s/")

    _raise(kit, _concern_form(kit, link, locale), locale, kit.member(2))

    [concern] = kit.rows(Concern)
    assert (concern.participant_id, concern.meeting_id, concern.about_id) == (
        kit.members[0], kit.meeting_id, kit.members[2]
    )  # fmt: skip
    _reaches_the_queue_and_not_the_group(kit, coordinator, concern)


def test_a_host_raises_a_concern_from_their_host_page(kit, coordinator):
    page = kit.client.get(_host_page(kit)).text
    href = page.split("or raise a concern")[0].rsplit('href="', 1)[1].split('"')[0]
    assert "Member 0.2" in kit.client.get(href).text

    sent = kit.post(href, {"concern": WORRY, "about": str(kit.members[2])})

    assert sent.status_code == 200 and "Concern sent" in sent.text and "Cancer Patient Café" in sent.text
    [concern] = kit.rows(Concern)
    assert (concern.reporter, concern.host_id, concern.about_id, concern.meeting_id) == (
        "host", kit.host().id, kit.members[2], None
    )  # fmt: skip
    _reaches_the_queue_and_not_the_group(kit, coordinator, concern)


def _reaches_the_queue_and_not_the_group(kit, coordinator, concern) -> None:
    kit.run_worker()
    [email] = kit.emails_to_address(COORDINATOR)
    assert WORRY.split(" ")[0] not in email.as_string() and "prognosis" not in email.as_string()
    assert len(kit.messages(MessageKind.CONCERN_RAISED)) == 1
    assert "(1 new)" in coordinator.get("/console/programs/demo").text
    assert WORRY in coordinator.get("/console/programs/demo/concerns").text
    for number in range(4):  # no member's own page says anything of it
        assert (
            "prognosis" not in kit.client.get(kit.first_link(kit.emails_to(number), "/p/demo/manage/")).text
        )


def test_the_queue_moves_a_concern_on_with_notes_and_every_change_is_audited(
    kit, coordinator, console_client
):
    href = _host_concern_form(kit)
    kit.post(href, {"concern": WORRY, "about": ""})
    [concern] = kit.rows(Concern)
    queue = coordinator.get("/console/programs/demo/concerns")
    token = CSRF.search(queue.text).group(1)
    action = f"/console/programs/demo/concerns/{concern.id}"

    assert (
        coordinator.post(action, data={"status": "acknowledged", "note": "x"}).status_code == 400
    )  # no CSRF
    acknowledged = coordinator.post(
        action, data={"csrf_token": token, "status": "acknowledged", "note": "Called the host."},
        follow_redirects=True,
    )  # fmt: skip
    assert "The concern is acknowledged." in acknowledged.text and "(1 new)" not in acknowledged.text
    coordinator.post(action, data={"csrf_token": token, "status": "resolved", "note": "Spoke to Member 0.2."})
    assert coordinator.post(action, data={"csrf_token": token, "status": "lost"}).status_code == 302

    [concern] = kit.rows(Concern)
    assert concern.status == "resolved" and concern.changed_at is not None
    assert [(step["status"], step["by"], step["note"]) for step in concern.history] == [
        ("acknowledged", COORDINATOR, "Called the host."),
        ("resolved", COORDINATOR, "Spoke to Member 0.2."),
    ]
    events = kit.rows(AuditEvent, subject_type="concern")
    assert [(event.action, event.actor) for event in events] == [
        ("concern.raised", "host"),
        ("concern.acknowledged", COORDINATOR),
        ("concern.resolved", COORDINATOR),
    ]
    assert events[2].detail == {"previous": "acknowledged", "noted": True}
    page = coordinator.get("/console/programs/demo/concerns").text
    assert "Resolved by concerns-coordinator@example.org: Spoke to Member 0.2." in page
    assert kit.rows(AuditEvent, action="console.viewed_concerns")

    stranger = console_client()  # a coordinator of no program here
    assert stranger.get("/console/programs/demo/concerns").status_code in (403, 404)


def test_a_concern_link_changed_by_hand_is_refused(kit):
    href = _host_concern_form(kit)

    assert kit.client.get(href[:-4] + "abcd").status_code == 400
    assert kit.client.post(href, data={"concern": WORRY}).status_code == 400  # no CSRF token
    assert kit.rows(Concern) == []
    assert [m for m in kit.messages(MessageKind.CONCERN_RAISED) if m.status != MessageStatus.CANCELLED] == []


def _host_page(kit) -> str:
    """The host page's link in the host's briefing."""
    links = kit.links(kit.emails_to_address(kit.host().email), "/host/")
    return next(link for link in links if "/start/" not in link and "unsubscribe" not in link)


def _host_concern_form(kit) -> str:
    page = kit.client.get(_host_page(kit)).text
    return page.split("or raise a concern")[0].rsplit('href="', 1)[1].split('"')[0]
