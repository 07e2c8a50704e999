"""Migration 0008 on a database with data in it: each program's one Zoom user becomes the first user of its
pool, its meetings stay with that user, nothing that refers to a program is lost, and going back down
restores the program's Zoom user."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from app.cli.db import alembic_config, upgrade_database
from app.database import build_engine

from .conftest import insert_condition, insert_program


def _at_0007_with_a_meeting(url: str) -> None:
    upgrade_database(url, "0007")
    engine = build_engine(url)
    with engine.begin() as connection:
        program_id = insert_program(connection)
        program = sa.Table("program", sa.MetaData(), autoload_with=connection)
        connection.execute(program.update().values(zoom_user="meetings@example.org"))
        connection.execute(program.insert().values(_copy(connection, program, program_id, slug="no-zoom")))
        condition_id = insert_condition(connection, program_id)
        cohort = sa.Table("cohort", sa.MetaData(), autoload_with=connection)
        cohort_id = connection.execute(
            cohort.insert().values(
                program_id=program_id, condition_id=condition_id, language="en", slot=14, role="patient",
                status="approved", version=1, locked=False, created_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]  # fmt: skip
        meeting = sa.Table("meeting", sa.MetaData(), autoload_with=connection)
        connection.execute(
            meeting.insert().values(
                cohort_id=cohort_id, number=1, starts_at=datetime(2027, 1, 4, 14, tzinfo=UTC),
                duration_minutes=60, status="scheduled", calendar_uid="uid@test", calendar_sequence=0,
                created_at=datetime.now(UTC),
            )
        )  # fmt: skip
    engine.dispose()


def _copy(connection, table, row_id: int, **changes) -> dict:
    row = connection.execute(sa.select(table).where(table.c.id == row_id)).mappings().one()
    return {**{key: value for key, value in row.items() if key != "id"}, "zoom_user": "", **changes}


def _read(url: str, query: str) -> list[tuple]:
    engine = build_engine(url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(sa.text(query))]
    engine.dispose()
    return rows


def test_the_programs_zoom_user_becomes_its_pool_and_keeps_its_meetings(empty_database):
    _at_0007_with_a_meeting(empty_database)
    upgrade_database(empty_database)
    pool = _read(empty_database, 'SELECT program.slug, zoomuser."user", concurrent, active FROM zoomuser '
                                 "JOIN program ON program.id = zoomuser.program_id")  # fmt: skip
    assert pool == [("demo", "meetings@example.org", 1, True)]  # a program without one gets no pool
    assert _read(empty_database, "SELECT zoom_user FROM meeting") == [("meetings@example.org",)]
    # Rebuilding `program` without its column on SQLite must not cascade to the rows that refer to it.
    assert _read(empty_database, "SELECT count(*) FROM condition") == [(1,)]


def test_downgrade_gives_the_program_its_zoom_user_back(empty_database):
    _at_0007_with_a_meeting(empty_database)
    upgrade_database(empty_database)
    command.downgrade(alembic_config(empty_database), "0007")
    rows = _read(empty_database, "SELECT slug, zoom_user FROM program ORDER BY slug")
    assert rows == [("demo", "meetings@example.org"), ("no-zoom", "")]
