"""The concerns queue of a program with many concerns: a page at a time, newest first, with "Previous" and
"Next", and narrowed to one state (new, acknowledged, resolved) as the other long console lists are."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import Concern, ConcernStatus, Host, Reporter

QUEUE = "/console/programs/demo/concerns"
STATES = (ConcernStatus.NEW, ConcernStatus.ACKNOWLEDGED, ConcernStatus.RESOLVED)


def _raise(app, program, count: int) -> None:
    """`count` concerns from a host, an hour apart, newest numbered 0; in turn new, acknowledged, resolved."""
    with app.app_context():
        session = database.session()
        host = session.exec(select(Host).where(Host.program_id == program.id)).first()
        now = utcnow()
        session.add_all(
            Concern(
                program_id=program.id, reporter=Reporter.HOST, host_id=host.id, status=STATES[number % 3],
                body=f"Worry number {number}.", raised_at=now - timedelta(hours=number),
            )
            for number in range(count)
        )  # fmt: skip
        session.commit()


def _worries(page: str) -> list[int]:
    return [int(number) for number in re.findall(r"Worry number (\d+)\.", page)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return unescape(found.group(1)) if found else None


def test_the_queue_comes_a_page_at_a_time_newest_first(app, demo, console_client):
    _raise(app, demo, 70)
    coordinator = console_client("demo")

    first = coordinator.get(QUEUE).text
    assert _worries(first) == list(range(50)) and _link(first, "prev") is None
    second = coordinator.get(_link(first, "next")).text
    assert _worries(second) == list(range(50, 70)) and _link(second, "next") is None
    assert _worries(coordinator.get(_link(second, "prev")).text) == list(range(50))


def test_the_queue_shows_one_state_with_its_count_and_keeps_it_from_page_to_page(app, demo, console_client):
    _raise(app, demo, 160)  # 54 new, 53 acknowledged, 53 resolved
    coordinator = console_client("demo")

    everything = coordinator.get(QUEUE).text
    assert "New (54)" in everything and "Acknowledged (53)" in everything and "Resolved (53)" in everything
    resolved = coordinator.get(f"{QUEUE}?state=resolved").text
    assert (
        _worries(resolved) == list(range(2, 150, 3))
        and '<strong aria-current="page">Resolved (53)' in resolved
    )
    rest = coordinator.get(_link(resolved, "next")).text
    assert "state=resolved" in _link(resolved, "next")
    assert _worries(rest) == list(range(152, 160, 3))
    assert _worries(coordinator.get(f"{QUEUE}?state=nonsense").text) == list(range(50))  # not a state: all


def test_a_state_with_no_concern_says_so(app, demo, console_client):
    _raise(app, demo, 2)  # one new, one acknowledged
    page = console_client("demo").get(f"{QUEUE}?state=resolved").text
    assert "No concern is resolved." in page and _worries(page) == []
