"""Migration 0020 counts the survey answers given so far into each program's tallies, as the app counts the
answers it writes from then on, and indexes the meetings held; going back down drops the tallies and the
index, and keeps the answers."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlmodel import SQLModel

from app.cli.db import alembic_config, upgrade_database
from app.database import build_engine
from app.models import Cohort, Meeting

from .conftest import insert_condition, insert_program

ANSWERS = [
    {"feeling": 4, "less_alone": "yes", "comments": "Thank you all, it helped me a great deal."},
    {"feeling": 4, "less_alone": " ", "comments": "谢谢"},
    {"feeling": None},
]


def _insert(connection: sa.Connection, row: SQLModel) -> int:
    """`row` as the schema of the moment knows it."""
    table = sa.Table(row.__tablename__, sa.MetaData(), autoload_with=connection)
    values = {column.name: getattr(row, column.name) for column in table.columns if column.name != "id"}
    return connection.execute(table.insert().values(values)).inserted_primary_key[0]


def _answered_at_0019(url: str) -> None:
    upgrade_database(url, "0019")
    engine = build_engine(url)
    with engine.begin() as connection:
        program_id = insert_program(connection)
        cohort = Cohort(program_id=program_id, condition_id=insert_condition(connection, program_id),
                        language="en", slot=17)  # fmt: skip
        starts = datetime(2026, 3, 2, 17, tzinfo=UTC)
        meeting_id = _insert(
            connection, Meeting(cohort_id=_insert(connection, cohort), starts_at=starts, calendar_uid="m")
        )
        responses = sa.Table("surveyresponse", sa.MetaData(), autoload_with=connection)
        for number, answers in enumerate(ANSWERS):
            connection.execute(
                responses.insert().values(meeting_id=meeting_id, response_key=f"k{number}", anonymous=True,
                                          answers=answers, submitted_at=starts)
            )  # fmt: skip
    engine.dispose()


def _tallies(url: str) -> list[tuple]:
    engine = build_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT question_key, answer, responses FROM surveytally")).all()
    engine.dispose()
    return sorted(tuple(row) for row in rows)


def _meeting_indexes(url: str) -> set[str]:
    engine = build_engine(url)
    with engine.connect() as connection:
        names = {index["name"] for index in sa.inspect(connection).get_indexes("meeting")}
    engine.dispose()
    return names


def test_the_answers_given_before_are_counted_once(empty_database):
    _answered_at_0019(empty_database)
    upgrade_database(empty_database, "0020")
    assert _tallies(empty_database) == [
        ("", "", 3),  # the responses
        ("comments", "", 1),  # written words, counted without them
        ("comments", '"谢谢"', 1),
        ("feeling", "4", 2),
        ("less_alone", '"yes"', 1),
    ]
    assert _meeting_indexes(empty_database) >= {"ix_meeting_held"}
    command.downgrade(alembic_config(empty_database), "0019")
    assert "ix_meeting_held" not in _meeting_indexes(empty_database)
    engine = build_engine(empty_database)
    with engine.connect() as connection:
        assert "surveytally" not in sa.inspect(connection).get_table_names()
        assert connection.execute(sa.text("SELECT count(*) FROM surveyresponse")).scalar() == 3
    engine.dispose()
