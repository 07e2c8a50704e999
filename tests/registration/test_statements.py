"""How many SQL statements a registration costs: each is a round trip to the database, and round trips were
most of a registration's time under load (benchmarks/load.py measures the rate itself)."""

from contextlib import contextmanager

import pytest
from sqlmodel import func, select

from app import database
from app.models import OutboundMessage, Participant

from ..statements import statements_sent

# Look up the program with its conditions, write the participant, queue the verification email.
MAX_STATEMENTS = 3


@contextmanager
def statements_run(app):
    """The SQL statements the app sends to its database meanwhile."""
    with app.app_context():
        engine = database.engine()
    with statements_sent(engine) as sent:
        yield sent


@pytest.mark.parametrize("through", ["api", "form"])
@pytest.mark.parametrize("address", ["new", "known"])
def test_a_registration_takes_at_most_three_statements_whether_or_not_the_address_is_known(
    kit, address, through
):
    if address == "known":
        assert kit.client.post(kit.api, json=kit.body(display_name="Rio")).status_code == 201
    token = kit.csrf_token(kit.page)
    with statements_run(kit.app) as sent:
        if through == "api":
            response = kit.client.post(kit.api, json=kit.body())
        else:
            response = kit.client.post(kit.page, data={**kit.form(), "csrf_token": token})
    assert response.status_code == (201 if through == "api" else 303)
    assert len(sent) <= MAX_STATEMENTS, "\n".join(sent)
    with kit.app.app_context():
        session = database.session()
        assert session.exec(select(func.count()).select_from(Participant)).one() == 1
        queued = session.exec(select(func.count()).select_from(OutboundMessage)).one()
    assert queued == (2 if address == "known" else 1)
