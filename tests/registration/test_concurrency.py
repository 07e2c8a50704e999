"""Many people pressing "register" at the same moment, over real HTTP, on both databases."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from sqlmodel import func, select

from app import database
from app.models import OutboundMessage, Participant

ATTEMPTS = 8


def _post_all(url: str, bodies: list[dict]) -> list[int]:
    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(lambda body: requests.post(url, json=body, timeout=30).status_code, bodies))


def test_the_same_address_registered_at_once_ends_in_one_registration(app, kit, server):
    statuses = _post_all(server + kit.api, [kit.body(display_name=f"River {n}") for n in range(ATTEMPTS)])
    assert statuses == [201] * ATTEMPTS
    with app.app_context():
        session = database.session()
        assert session.exec(select(func.count()).select_from(Participant)).one() == 1
        recipients = session.exec(select(OutboundMessage.participant_id)).all()
    assert len(set(recipients)) == 1  # every confirmation goes to the one registration


def test_different_addresses_registered_at_once_are_all_kept(app, kit, server):
    bodies = [kit.body(email=f"person-{n}@example.org") for n in range(ATTEMPTS)]
    assert _post_all(server + kit.api, bodies) == [201] * ATTEMPTS
    with app.app_context():
        assert database.session().exec(select(func.count()).select_from(Participant)).one() == ATTEMPTS
