"""`flask db`: Alembic migrations for the database named by DATABASE_URL.

Alembic is imported when a migration runs, not with the app: it brings Mako and Pygments, which every web
worker and every other command would otherwise load at start for nothing.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    alembic_commands().upgrade(alembic_config(url), revision)


def alembic_commands() -> ModuleType:
    """`alembic.command`, imported on first use (see above)."""
    from alembic import command

    return command


@click.group(help="Create and migrate the database.")
def db() -> None:
    pass


@db.command(help="Create the database or bring it up to the newest schema.")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    upgrade_database(current_app.config["SETTINGS"].database_url, revision)
    click.echo("Database is up to date.")


@db.command(help="Step the schema back to REVISION.")
@click.argument("revision")
@with_appcontext
def downgrade(revision: str) -> None:
    alembic_commands().downgrade(alembic_config(current_app.config["SETTINGS"].database_url), revision)


@db.command(help="Write a new migration from the difference between the models and the database.")
@click.option("-m", "--message", required=True)
@with_appcontext
def revision(message: str) -> None:
    alembic_commands().revision(
        alembic_config(current_app.config["SETTINGS"].database_url), message=message, autogenerate=True
    )


@db.command(help="Show the revision the database is at.")
@with_appcontext
def current() -> None:
    alembic_commands().current(alembic_config(current_app.config["SETTINGS"].database_url))
