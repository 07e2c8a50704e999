"""Migration 0019 indexes registrants' names for the console's name search: by their trigrams on PostgreSQL,
where the search can then be answered from the index, and plainly on SQLite; going back down drops it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from app.cli.db import alembic_config, upgrade_database
from app.database import build_engine

INDEX = "ix_participant_name_trigrams"
SEARCH = "SELECT id FROM participant WHERE display_name ILIKE '%' || :name || '%' ESCAPE '/'"


def _indexed(url: str) -> bool:
    engine = build_engine(url)
    with engine.connect() as connection:
        names = {index["name"] for index in sa.inspect(connection).get_indexes("participant")}
    engine.dispose()
    return INDEX in names


def test_the_name_index_comes_with_0019_and_goes_with_it(empty_database):
    upgrade_database(empty_database, "0018")
    assert not _indexed(empty_database)
    upgrade_database(empty_database, "0019")
    assert _indexed(empty_database)
    command.downgrade(alembic_config(empty_database), "0018")
    assert not _indexed(empty_database)
    upgrade_database(empty_database, "0019")
    assert _indexed(empty_database)


def test_postgresql_searches_a_name_from_its_trigrams(empty_database):
    if not empty_database.startswith("postgresql"):
        pytest.skip("SQLite has no trigram index")
    upgrade_database(empty_database, "0019")
    engine = build_engine(empty_database)
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a table this small is read whole
        plan = connection.execute(sa.text(f"EXPLAIN {SEARCH}"), {"name": "ana"}).scalars().all()
    engine.dispose()
    assert any(INDEX in line for line in plan), plan
