"""The console's pages of a large program: lists read page by page, and every page in a fixed number of
statements however many registrants and groups there are."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.demo import seed_demo
from app.models import Cohort, CohortMember, CohortStatus, Condition, Participant, ParticipantStatus
from app.services.adjustments.moves import move_member
from app.services.destinations import OFFERED
from app.services.matcher_bridge import matcher_registrant
from app.services.scheduling import program_week_start
from app.services.waitlist_overview import NOT_MATCHED, WaitlistFilters, count_by_reason, describe_waitlist

from ..statements import statements_sent

PROGRAM = "/console/programs/demo"
WAITLIST = f"{PROGRAM}/waitlist"
MEETINGS = f"{PROGRAM}/meetings"
REPORT = f"{PROGRAM}/report"
# Growing a program to hundreds of registrants and matching and approving it: the slow tier.
GROWS = pytest.mark.slow


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


def _statements(app, client, url: str) -> int:
    with statements_sent(app.extensions["engine"]) as sent:
        assert client.get(url).status_code == 200
    return len(sent)


def _names(page: str) -> list[str]:
    return [unescape(name) for name in re.findall(r'<th scope="row">([^<]+)</th>', page)]


def _next(page: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', page)
    return unescape(found.group(1)) if found else None


def _open_a_place(app) -> str:
    """Move one member of the first group to the waitlist; the address of that group's page."""
    with app.app_context():
        session = database.session()
        cohort = session.exec(select(Cohort).order_by(Cohort.id)).first()
        member = session.exec(
            select(Participant)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(CohortMember.cohort_id == cohort.id)
        ).first()
        move_member(session, member, None, actor="test", now=utcnow())
        session.commit()
        return f"{PROGRAM}/cohorts/{cohort.id}"


@GROWS
def test_the_pages_run_as_many_statements_for_many_rows_as_for_few(app, grow, console_client):
    grow(120)
    client = console_client("demo")
    cohort = _open_a_place(app)
    pages = (PROGRAM, f"{PROGRAM}?name=a", cohort, WAITLIST, MEETINGS, REPORT)
    few = [_statements(app, client, url) for url in pages]
    assert re.search(r"waiting (person fits|people fit) this group", client.get(cohort).text)
    grow(480)
    assert [_statements(app, client, url) for url in pages] == few


@GROWS
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


@GROWS
def test_a_name_search_finds_someone_beyond_the_first_page(app, grow, console_client):
    grow(300)
    client = console_client("demo")
    page = client.get(WAITLIST).get_data(as_text=True)
    later = client.get(_next(page)).get_data(as_text=True)
    name = _names(later)[-1]
    assert name not in _names(page)
    found = client.get(WAITLIST, query_string={"name": name.upper()}).get_data(as_text=True)
    assert name in _names(found)


@pytest.fixture
def groups(app) -> dict[int, tuple[str, str]]:
    """Sixty groups of one registrant each, of two conditions, every fifth one cancelled; by id, the group's
    member and status."""
    with app.app_context():
        session = database.session()
        seed_demo(session, registrants=60)
        conditions = session.exec(select(Condition.id).order_by(Condition.position)).all()
        made = {}
        for number, person in enumerate(session.exec(select(Participant).order_by(Participant.id)).all()):
            status = CohortStatus.CANCELLED if number % 5 == 4 else CohortStatus.PROPOSED
            cohort = Cohort(
                program_id=person.program_id, condition_id=conditions[number % 2], language="en",
                slot=number % 168, status=status,
            )  # fmt: skip
            session.add(cohort)
            session.flush()
            session.add(CohortMember(cohort_id=cohort.id, participant_id=person.id))
            made[cohort.id] = (person.display_name, status)
        session.commit()
        return made


def _groups(page: str) -> list[int]:
    return [int(number) for number in re.findall(r">Group (\d+)</a></th>", page)]


def test_next_and_previous_links_list_every_group_once(groups, console_client):
    client = console_client("demo")
    first = client.get(PROGRAM).text
    assert "60 groups." in first
    seen, url, pages = _groups(first), _next(first), [first]
    while url:
        pages.append(client.get(url).text)
        seen += _groups(pages[-1])
        url = _next(pages[-1])
    assert seen == sorted(groups) and len(pages) == 2
    previous = re.search(r'<a href="([^"]+)" rel="prev">', pages[-1])
    assert _groups(client.get(unescape(previous.group(1))).text) == _groups(first)


def test_a_group_is_found_by_its_members_name_or_its_number(groups, console_client):
    client = console_client("demo")
    last = max(groups)
    assert last not in _groups(client.get(PROGRAM).text)
    name = groups[last][0]
    by_name = client.get(PROGRAM, query_string={"name": name.upper()}).text
    assert _groups(by_name) == [last] and "1 group matches this search." in by_name
    assert _groups(client.get(PROGRAM, query_string={"name": str(last)}).text) == [last]
    nobody = client.get(PROGRAM, query_string={"name": "nobody by this name"}).text
    assert _groups(nobody) == [] and "No groups yet that match this search." in nobody


def test_groups_are_filtered_by_status_and_condition(app, groups, console_client):
    client = console_client("demo")
    cancelled = client.get(PROGRAM, query_string={"status": "cancelled"}).text
    assert _groups(cancelled) == [key for key, (_, status) in groups.items() if status == "cancelled"]
    with app.app_context():
        second = database.session().exec(select(Condition.id).order_by(Condition.position)).all()[1]
    both = client.get(PROGRAM, query_string={"status": "proposed", "condition": second}).text
    expected = [key for n, (key, (_, status)) in enumerate(groups.items()) if n % 2 and status == "proposed"]
    assert _groups(both) == expected and f"{len(expected)} groups match this search." in both
    page = client.get(_next(client.get(PROGRAM, query_string={"condition": second}).text) or PROGRAM).text
    assert 'name="condition"' in page  # the filters stay on the page (the next link keeps them)


def test_a_name_search_lists_and_counts_every_group_with_the_name_page_by_page(app, groups, console_client):
    """The search finds a name anywhere in a member's name, in any case, and takes "_" and "%" as they are
    typed (a Samuel is not a "Sam_"); its total counts the groups on every page."""
    named = sorted(groups)[: len(groups) - 6]
    with app.app_context():
        session = database.session()
        for number, cohort_id in enumerate(sorted(groups)):
            member = session.exec(
                select(Participant)
                .join(CohortMember, CohortMember.participant_id == Participant.id)
                .where(CohortMember.cohort_id == cohort_id)
            ).one()
            member.display_name = f"Sam_{number}" if cohort_id in named else "Samuel"
        session.commit()
    client = console_client("demo")
    first = client.get(PROGRAM, query_string={"name": "SAM_"}).text
    second = client.get(_next(first)).text
    assert _groups(first) + _groups(second) == named and _next(second) is None
    assert all(f"{len(named)} groups match this search." in page for page in (first, second))
    nobody = client.get(PROGRAM, query_string={"name": "sam%"}).text
    assert _groups(nobody) == [] and "No groups yet that match this search." in nobody


REASONS = (None, "no_common_time", "too_few_people", "no_shared_language")


def _wait(app, registrants: int) -> None:
    """Top the demo program up to `registrants`, none of them in a group, waiting for one of REASONS."""
    with app.app_context():
        session = database.session()
        seed_demo(session, registrants=registrants)
        for person in session.exec(select(Participant).order_by(Participant.id)).all():
            person.waitlist_reason = REASONS[person.id % len(REASONS)]
            session.add(person)
        session.commit()


def test_the_waitlist_counts_each_reason_alike_on_one_page_or_many(app, groups):
    """The twelve members of cancelled groups and forty more wait: counted from the page when one page
    holds everyone the search finds, by the database otherwise, with the same figures."""
    _wait(app, 100)
    with app.app_context():
        session = database.session()
        program = seed_demo(session)
        second = session.exec(select(Condition.id).order_by(Condition.position)).all()[1]
        searches = [
            WaitlistFilters(),
            WaitlistFilters(condition_id=second),
            WaitlistFilters(name="1"),
            WaitlistFilters(name="1", condition_id=second),
            WaitlistFilters(name="nobody by this name"),
        ]
        pages = [describe_waitlist(session, program, each, today=utcnow().date()) for each in searches]
        for search, page in zip(searches, pages, strict=True):
            assert page.counts == count_by_reason(session, program, search)
        assert pages[0].counts == _waiting_one_by_one(session)
    assert sum(count for _, count in pages[0].counts) == 52 and pages[0].page.after
    assert any(page.counts and not page.page.after for page in pages)  # one page held everyone


def _waiting_one_by_one(session) -> list[tuple[str, int]]:
    """Each verified registrant in no group that is not cancelled, counted by reason, one by one."""
    placed = set(
        session.exec(
            select(CohortMember.participant_id)
            .join(Cohort, Cohort.id == CohortMember.cohort_id)
            .where(Cohort.status != CohortStatus.CANCELLED)
        ).all()
    )
    everyone = session.exec(select(Participant).where(Participant.status == ParticipantStatus.VERIFIED)).all()
    return sorted(Counter(p.waitlist_reason or NOT_MATCHED for p in everyone if p.id not in placed).items())


def test_the_waitlist_runs_as_many_statements_for_many_waiting_as_for_few(app, console_client):
    _wait(app, 60)
    client = console_client("demo")
    pages = (WAITLIST, f"{WAITLIST}?reason=no_common_time", f"{WAITLIST}?reason=unmatched&name=e")
    few = [_statements(app, client, url) for url in pages]
    _wait(app, 400)
    assert [_statements(app, client, url) for url in pages] == few


def test_each_person_waiting_is_offered_the_groups_that_could_take_them_fewest_members_first(app, groups):
    _wait(app, 100)
    with app.app_context():
        session = database.session()
        program = seed_demo(session)
        today = utcnow().date()
        waiting = describe_waitlist(session, program, WaitlistFilters(), today=today)
        live = session.exec(select(Cohort).where(Cohort.status != CohortStatus.CANCELLED)).all()
        sizes = {
            cohort.id: len(
                session.exec(select(CohortMember).where(CohortMember.cohort_id == cohort.id)).all()
            )
            for cohort in live
        }
        week = program_week_start(program, today)
        for person in waiting.page.rows:
            free = matcher_registrant(person, waiting.catalogue, week).availability
            could = [
                (sizes[cohort.id], cohort.id)
                for cohort in live
                if cohort.condition_id == person.condition_id and cohort.language in person.languages
                and cohort.role in (None, person.role) and cohort.slot in free
                and sizes[cohort.id] < program.max_size
            ]  # fmt: skip
            offered = [(group.size, group.cohort.id) for group in waiting.offers[person.id]]
            assert offered == sorted(could)[:OFFERED]
    assert any(waiting.offers.values())
