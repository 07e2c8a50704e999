"""`flask demo samples`: one example of every message in every language reaches the mail catcher, where a
coordinator trying the service out reads their wording."""

from __future__ import annotations

import pytest

from emails.i18n import LANGUAGES
from emails.samples import KINDS

from ..emails.wire import check_travelled, raw_messages, read_with_postal_mime


# What is checked is the messages' wording on the wire, written the same from either database.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_kind_of_message_arrives_in_every_language(app, mailbox):
    result = app.test_cli_runner().invoke(args=["demo", "samples", "--to", "preview@example.org"])

    assert result.exit_code == 0, result.output
    raws = raw_messages(mailbox.directory)
    assert len(raws) == len(KINDS) * len(LANGUAGES)
    for raw in raws:
        check_travelled(raw)
    subjects = {read_with_postal_mime(raw)["subject"] for raw in raws}
    assert len(subjects) == len(raws)  # each kind says what it is about, in each language
    assert {
        "Hay un lugar libre en un grupo: ¿le gustaría ocuparlo?",
        "Todavía no hemos encontrado un grupo para usted",
    } < subjects
