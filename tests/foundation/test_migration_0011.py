"""Migration 0011 adds the indexes the console's pages of a large program read from, on SQLite and
PostgreSQL, keeps the registrants it indexes, and going back down drops exactly those indexes."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from app.cli.db import alembic_config, upgrade_database
from app.database import build_engine

from .conftest import insert_condition, insert_program

ADDED = {
    "ix_participant_waiting": ["program_id", "status", "verified_at", "id"],
    "ix_participant_reason": ["program_id", "status", "waitlist_reason", "verified_at", "id"],
    "ix_participant_zones": ["program_id", "condition_id", "timezone"],
    "ix_participant_registered": ["program_id", "created_at"],
}


def _at_0010_with_a_registrant(url: str) -> None:
    upgrade_database(url, "0010")
    engine = build_engine(url)
    with engine.begin() as connection:
        program_id = insert_program(connection)
        condition_id = insert_condition(connection, program_id)
        participant = sa.Table("participant", sa.MetaData(), autoload_with=connection)
        now = datetime.now(UTC)
        connection.execute(
            participant.insert().values(
                program_id=program_id, email="ana@example.org", display_name="Ana", role="patient",
                condition_id=condition_id, timezone="Europe/Madrid", languages=["es"], availability=[],
                accessibility_needs=[], accessibility_note="", avoid=[], locale="es", consent_version="1",
                consented_at=now, status="verified", verified_at=now, created_at=now, updated_at=now,
                suggested_slots=[],
            )
        )  # fmt: skip
    engine.dispose()


def _indexes(url: str) -> dict[str, list[str]]:
    engine = build_engine(url)
    with engine.connect() as connection:
        indexes = sa.inspect(connection).get_indexes("participant")
        found = {index["name"]: index["column_names"] for index in indexes}
        assert connection.execute(sa.text("SELECT display_name FROM participant")).all() == [("Ana",)]
    engine.dispose()
    return found


def test_the_console_indexes_come_with_0011_and_go_with_it(empty_database):
    _at_0010_with_a_registrant(empty_database)
    before = _indexes(empty_database)
    assert not ADDED.keys() & before.keys()
    upgrade_database(empty_database, "0011")
    assert _indexes(empty_database) == {**before, **ADDED}
    command.downgrade(alembic_config(empty_database), "0010")
    assert _indexes(empty_database) == before
    upgrade_database(empty_database, "0011")
    assert _indexes(empty_database) == {**before, **ADDED}
