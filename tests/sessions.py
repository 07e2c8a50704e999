"""Whether the app gave its database sessions back: what PostgreSQL says of the database's connections."""

from __future__ import annotations

from sqlalchemy import Engine, text


def open_transactions(engine: Engine) -> int:
    """Other connections to `engine`'s database left inside a transaction (on PostgreSQL; SQLite has no
    server to ask, so 0 there)."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
