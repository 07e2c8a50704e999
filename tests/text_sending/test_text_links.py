"""The short link in a text: `/t/<code>` leads on to the person's own page (or, from the survey's text, to
the survey), and a wrong or made-up code is the friendly "page not found"."""

from __future__ import annotations

import pytest

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.messages.text_links import text_link, text_link_code

from .conftest import agree_to_texts, proposed_group, texts


@pytest.fixture
def text_rows(app):
    """The reminder and survey texts of a member of an approved group, by kind: (id, code)."""
    with app.app_context():
        session = database.session()
        group = proposed_group(session)
        agree_to_texts(group.members[0])
        group.approve(session, now=utcnow())
        return {row.kind: (row.id, text_link_code(row.id)) for row in texts(session)}


def test_a_texts_link_leads_to_the_persons_own_page(app, client, text_rows):
    _, code = text_rows[MessageKind.REMINDER]

    answer = client.get(f"/t/{code}")

    assert answer.status_code == 303
    assert "/p/demo/manage/" in answer.location
    page = client.get(answer.location)
    assert page.status_code == 200


def test_the_survey_texts_link_leads_to_the_survey(client, text_rows):
    _, code = text_rows[MessageKind.SURVEY]

    answer = client.get(f"/t/{code}")

    assert answer.status_code == 303 and "/s/" in answer.location


def test_the_link_is_short(app, text_rows):
    message_id, code = text_rows[MessageKind.REMINDER]
    with app.test_request_context():
        assert text_link(message_id) == f"http://localhost/t/{code}"
    assert len(code) <= 16


@pytest.mark.parametrize("wrong", ["nope", "1AAAAAAAAAA", "", "zzzzzzzzzzzzzzzzzzzzzzzzzz", "../../etc"])
def test_a_wrong_code_is_a_friendly_not_found(client, text_rows, wrong):
    answer = client.get(f"/t/{wrong}")

    assert answer.status_code == 404
    assert "The link may be old or mistyped." in answer.text


def test_a_code_changed_by_one_character_is_refused(client, text_rows):
    _, code = text_rows[MessageKind.REMINDER]
    changed = code[:-1] + ("A" if code[-1] != "A" else "B")

    assert client.get(f"/t/{changed}").status_code == 404


def test_an_emails_row_has_no_short_link(app, client, text_rows):
    message_id, _ = text_rows[MessageKind.REMINDER]
    with app.app_context():
        email_code = text_link_code(message_id - 1)  # the email queued just before its text

    assert client.get(f"/t/{email_code}").status_code == 404
