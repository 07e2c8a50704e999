"""Alembic's entry point; the URL and metadata come from `app.cli.db`, never from an ini file."""

from alembic import context
from sqlalchemy import DateTime
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import app.models  # noqa: F401  (registers every table)
from app.database import UTCDateTime, build_engine


def render_item(type_, obj, autogen_context):
    """Write our column types as the plain SQLAlchemy types they create, so migrations import neither app
    nor sqlmodel and keep working however the models change later."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def run_migrations() -> None:
    engine = build_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode rebuilds a table to change it; with foreign keys enforced, dropping the old copy
            # would delete every row that refers to it, and theirs in turn (ON DELETE CASCADE).
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # the pragma holds outside a transaction only
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            render_item=render_item,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=_types_differ,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def _types_differ(_context, _inspected_column, _metadata_column, inspected_type, metadata_type):
    if isinstance(metadata_type, UTCDateTime):
        return not isinstance(inspected_type, DateTime)
    return None


run_migrations()
