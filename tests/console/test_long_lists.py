"""The waitlist and meetings pages of a large program: read page by page, in a fixed number of statements."""

from __future__ import annotations

import re
from contextlib import contextmanager
from html import unescape

import pytest
from sqlalchemy import event

from app import database
from app.demo import seed_demo

# Each test grows a program to hundreds of registrants and matches and approves it: the slow tier.
pytestmark = pytest.mark.slow

WAITLIST = "/console/programs/demo/waitlist"
MEETINGS = "/console/programs/demo/meetings"


@pytest.fixture
def grow(app, runner):
    """Top the demo program up to `registrants`, match them and approve every group proposed."""

    def grow_to(registrants: int) -> None:
        with app.app_context():
            session = database.session()
            seed_demo(session, registrants=registrants)
            session.commit()
        for command in (["match", "run", "demo"], ["cohorts", "approve", "demo", "--all"]):
            assert runner.invoke(args=command).exit_code == 0

    return grow_to


@contextmanager
def counted_statements(app):
    counted = []
    engine = app.extensions["engine"]

    def count(*_):
        counted.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements(app, client, url: str) -> int:
    with counted_statements(app) as counted:
        assert client.get(url).status_code == 200
    return len(counted)


def _names(page: str) -> list[str]:
    return [unescape(name) for name in re.findall(r'<th scope="row">([^<]+)</th>', page)]


def _next(page: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', page)
    return unescape(found.group(1)) if found else None


def test_the_pages_run_as_many_statements_for_many_rows_as_for_few(app, grow, console_client):
    grow(120)
    client = console_client("demo")
    few = [_statements(app, client, url) for url in (WAITLIST, MEETINGS)]
    grow(480)
    assert [_statements(app, client, url) for url in (WAITLIST, MEETINGS)] == few


def test_next_links_list_everyone_waiting_once(app, grow, console_client):
    grow(480)
    client = console_client("demo")
    page = client.get(WAITLIST).get_data(as_text=True)
    total = int(re.search(r"(\d+) verified registrants\s+are not in a group", page).group(1))
    seen, url = _names(page), _next(page)
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += _names(page)
        url = _next(page)
    assert 50 < len(seen) == total
    assert len(set(seen)) == len(seen)


def test_a_name_search_finds_someone_beyond_the_first_page(app, grow, console_client):
    grow(300)
    client = console_client("demo")
    page = client.get(WAITLIST).get_data(as_text=True)
    later = client.get(_next(page)).get_data(as_text=True)
    name = _names(later)[-1]
    assert name not in _names(page)
    found = client.get(WAITLIST, query_string={"name": name.upper()}).get_data(as_text=True)
    assert name in _names(found)
