"""What the migration tests share: an empty database of their own, and rows as an older schema knew them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from app.models import Program

from ..conftest import administer


@pytest.fixture(params=("sqlite", "postgresql"))
def empty_database(request, tmp_path) -> Iterator[str]:
    """The URL of a database with nothing in it: a schema of its own in the run's PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrating.db'}"
        return
    run_database = request.getfixturevalue("postgres_url")
    schema = f"migration_{uuid.uuid4().hex[:12]}"
    administer(run_database, f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in run_database else "?"
    yield f"{run_database}{separator}options=-csearch_path%3D{schema}"
    administer(run_database, f'DROP SCHEMA "{schema}" CASCADE')


def insert_program(connection: sa.Connection) -> int:
    """A program as the schema of the moment knows it: the model's defaults, for the columns both have (a
    column the model has since dropped takes its server default)."""
    table = sa.Table("program", sa.MetaData(), autoload_with=connection)
    model = Program(
        slug="demo", name="Patient Café", organisation="Synthetic", contact_email="c@example.org",
        languages=["en", "es"],
    )  # fmt: skip
    kept = set(Program.model_fields) - {"id"}
    values = {column.name: getattr(model, column.name) for column in table.columns if column.name in kept}
    return connection.execute(table.insert().values(values)).inserted_primary_key[0]


def insert_condition(connection: sa.Connection, program_id: int) -> int:
    """A condition of the program, as every schema so far knows it."""
    condition = sa.Table("condition", sa.MetaData(), autoload_with=connection)
    return connection.execute(
        condition.insert().values(program_id=program_id, code="cll", name="CLL", position=0)
    ).inserted_primary_key[0]
