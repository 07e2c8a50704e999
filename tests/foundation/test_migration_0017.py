"""Migration 0017 on a database with data in it: a program's texts as they were become its main language's,
with no translations yet, so readers of its other languages see them; going back down keeps them."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import load_only
from sqlmodel import Session, select

from app.cli.db import alembic_config, upgrade_database
from app.content import Worded, worded
from app.database import build_engine
from app.models import Condition, Program, Stage

from .conftest import insert_condition, insert_program


def _at_0014_with_texts(url: str) -> None:
    upgrade_database(url, "0014")
    engine = build_engine(url)
    with engine.begin() as connection:
        program_id = insert_program(connection)
        program = sa.Table("program", sa.MetaData(), autoload_with=connection)
        connection.execute(program.update().values(description="Small talks between patients."))
        condition_id = insert_condition(connection, program_id)
        stage = sa.Table("stage", sa.MetaData(), autoload_with=connection)
        connection.execute(
            stage.insert().values(
                condition_id=condition_id,
                code="wait",
                name="Watch and wait",
                hint="Not treated yet.",
                position=0,
            )
        )
    engine.dispose()


def _texts(url: str) -> list[tuple[str, ...]]:
    engine = build_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT program.description, condition.name, stage.name, stage.hint FROM program"
                " JOIN condition ON condition.program_id = program.id"
                " JOIN stage ON stage.condition_id = condition.id"
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_today_s_texts_become_the_main_language_s_and_survive_going_back_down(empty_database):
    _at_0014_with_texts(empty_database)
    before = _texts(empty_database)
    assert before == [("Small talks between patients.", "CLL", "Watch and wait", "Not treated yet.")]

    upgrade_database(empty_database, "0017")
    assert _texts(empty_database) == before
    engine = build_engine(empty_database)
    with Session(engine) as session:
        # Only the columns 0017 knows: later migrations add others to the model.
        texts = load_only(
            Program.description, Program.translations, Program.preparation_tips, Program.default_locale
        )
        program = session.exec(select(Program).options(texts)).one()
        condition, stage = session.exec(select(Condition)).one(), session.exec(select(Stage)).one()
        assert (program.translations, condition.translations, stage.translations) == ({}, {}, {})
        assert program.preparation_tips == "" and program.default_locale == "en"
        # A Spanish reader sees the texts there were, in the main language, and is told so.
        assert worded(program, "description", "es", "en") == Worded("Small talks between patients.", "en")
        assert worded(stage, "hint", "es", "en") == Worded("Not treated yet.", "en")
    engine.dispose()

    command.downgrade(alembic_config(empty_database), "0014")
    assert _texts(empty_database) == before
