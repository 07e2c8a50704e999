"""`flask db`: Alembic migrations for the database named by DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import with_appcontext

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


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
    command.downgrade(alembic_config(current_app.config["SETTINGS"].database_url), revision)


@db.command(help="Write a new migration from the difference between the models and the database.")
@click.option("-m", "--message", required=True)
@with_appcontext
def revision(message: str) -> None:
    command.revision(
        alembic_config(current_app.config["SETTINGS"].database_url), message=message, autogenerate=True
    )


@db.command(help="Show the revision the database is at.")
@with_appcontext
def current() -> None:
    command.current(alembic_config(current_app.config["SETTINGS"].database_url))
