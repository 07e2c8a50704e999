"""Migration 0005 on a database with data in it: every account gets its own session token, and programs
still holding the old "tú" wording of the default Spanish questions get the "usted" one. On SQLite and on
PostgreSQL (in a schema of its own, so the suite's shared schema is left alone)."""

from __future__ import annotations

import copy

import sqlalchemy as sa
from alembic import command

from app.cli.db import alembic_config, upgrade_database
from app.database import build_engine
from app.models import DEFAULT_SURVEY_QUESTIONS

from .conftest import insert_program

OLD_SPANISH = {
    "feeling": "¿Cómo te sentiste en la conversación?",
    "less_alone": "¿Te sientes menos solo o sola después de hablar con el grupo?",
    "host_helped": "¿Te ayudó la persona anfitriona?",
    "meet_again": "¿Te gustaría volver a reunirte con el mismo grupo dentro de un mes?",
    "comments": "¿Hay algo más que quieras contarnos?",
}
REWORDED_BY_COORDINATOR = "¿Qué tal estuvo la charla? Díganos con confianza."

coordinator = sa.table(
    "coordinator",
    sa.column("id", sa.Integer()),
    sa.column("email", sa.String()),
    sa.column("password_hash", sa.String()),
    sa.column("is_admin", sa.Boolean()),
    sa.column("active", sa.Boolean()),
    sa.column("failed_logins", sa.Integer()),
    sa.column("created_at", sa.DateTime()),
    sa.column("session_token", sa.String()),
)
program = sa.table("program", sa.column("id", sa.Integer()), sa.column("survey_questions", sa.JSON()))


def _at_0004_with_data(url: str) -> None:
    """The schema as 0004 left it, with two accounts and the demo program in the old Spanish wording (but
    one question its coordinator reworded)."""
    upgrade_database(url, "0004")
    engine = build_engine(url)
    with engine.begin() as connection:
        program_id = insert_program(connection)
    questions = copy.deepcopy(DEFAULT_SURVEY_QUESTIONS)
    for question in questions:
        question["text"]["es"] = OLD_SPANISH[question["key"]]
    questions[-1]["text"]["es"] = REWORDED_BY_COORDINATOR
    with engine.begin() as connection:
        connection.execute(
            program.update().where(program.c.id == program_id).values(survey_questions=questions)
        )
        for email in ("kim@example.org", "lou@example.org"):
            connection.execute(
                coordinator.insert().values(
                    email=email, password_hash="x", is_admin=False, active=True, failed_logins=0,
                    created_at=sa.func.now(),
                )
            )  # fmt: skip
    engine.dispose()


def _read(url: str) -> tuple[list[str | None], dict[str, str]]:
    engine = build_engine(url)
    with engine.connect() as connection:
        columns = [column["name"] for column in sa.inspect(connection).get_columns("coordinator")]
        tokens = (
            list(connection.execute(sa.select(coordinator.c.session_token)).scalars())
            if "session_token" in columns
            else []
        )
        [questions] = connection.execute(sa.select(program.c.survey_questions)).scalars()
    engine.dispose()
    return tokens, {question["key"]: question["text"]["es"] for question in questions}


def test_upgrade_gives_each_account_a_token_and_rewords_the_old_spanish(empty_database):
    _at_0004_with_data(empty_database)

    upgrade_database(empty_database)

    tokens, spanish = _read(empty_database)
    assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(token) >= 40 for token in tokens)
    expected = {question["key"]: question["text"]["es"] for question in DEFAULT_SURVEY_QUESTIONS}
    assert spanish == {**expected, "comments": REWORDED_BY_COORDINATOR}


def test_downgrade_restores_0004(empty_database):
    _at_0004_with_data(empty_database)
    upgrade_database(empty_database)

    command.downgrade(alembic_config(empty_database), "0004")

    tokens, spanish = _read(empty_database)
    assert tokens == []
    assert spanish == {**OLD_SPANISH, "comments": REWORDED_BY_COORDINATOR}
