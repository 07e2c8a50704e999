"""Matching a program again reads its groups' members whatever their number, and a run writes its answer
with as many statements for many people as for few.

A statement carries at most 65,535 parameters on PostgreSQL, so a query that names every member of every
group by a parameter fails once a program has that many people in groups: a large program could then never be
matched again. The statements of a run must carry as many parameters for a large program as for a small one.
Nor may their number grow with the program's: a statement, or a batch of them, for every thousand people was
most of the time `flask match run` took beside the matcher's own.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from app.database import utcnow
from app.demo import seed_demo
from app.services.proposals import load_match_input, propose_cohorts


@contextmanager
def statements_run(session):
    """How many statements ran meanwhile (a list, as `[n]`); a statement run for many rows at once is one."""
    engine = session.get_bind()
    ran = [0]

    def count(*_arguments) -> None:
        ran[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", count)


@contextmanager
def most_parameters(session):
    """The largest number of parameters one statement carried meanwhile (a list, as `[n]`, when done)."""
    engine = session.get_bind()
    largest = [0]

    def count(_connection, _cursor, _statement, parameters, *_args) -> None:
        batch = parameters if isinstance(parameters, list) else [parameters]
        largest[0] = max([largest[0], *(len(row) for row in batch if row)])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield largest
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _parameters_to_match_again(session, registrants: int) -> tuple[int, int]:
    """How many are in groups after a first run, and the most parameters a statement of reading the program
    for a second run carried."""
    program = seed_demo(session, registrants=registrants)
    propose_cohorts(session, program, today=utcnow().date())
    session.commit()
    with most_parameters(session) as largest:
        found = load_match_input(session, program, today=utcnow().date())
    return sum(len(members) for members in found.members.values()), largest[0]


def test_reading_a_program_to_match_it_again_takes_as_many_parameters_for_many_groups_as_for_few(db_session):
    few_placed, few_parameters = _parameters_to_match_again(db_session, 30)
    many_placed, many_parameters = _parameters_to_match_again(db_session, 240)

    assert many_placed > 3 * few_placed > 0
    assert many_parameters == few_parameters


def _statements_to_match(session, registrants: int) -> tuple[int, int]:
    """How many a first run over `registrants` places, and how many statements it runs (then undone)."""
    program = seed_demo(session, registrants=registrants)
    session.commit()
    with statements_run(session) as ran:
        summary = propose_cohorts(session, program, today=utcnow().date())
    session.rollback()
    return summary.placed, ran[0]


def test_a_run_writes_its_groups_and_places_with_as_many_statements_for_many_people_as_for_few(db_session):
    few_placed, few_statements = _statements_to_match(db_session, 30)
    many_placed, many_statements = _statements_to_match(db_session, 240)

    assert many_placed > 5 * few_placed > 0
    assert many_statements == few_statements
