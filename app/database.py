"""The database engine, one session per request, and the column types every model shares."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, Response, current_app, g
from sqlalchemy import DateTime, Engine, TypeDecorator, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT_SECONDS = 10


class UTCDateTime(TypeDecorator):
    """An aware datetime stored in UTC on every database.

    SQLite has no time zones, so there the value is stored naive (in UTC) and made aware again on the way
    out; PostgreSQL keeps `timestamptz`. Naive datetimes are refused so local times never slip in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC datetime is required")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def normalise_url(url: str) -> str:
    """Accept the `postgres://` and `postgresql://` forms hosting providers hand out; we drive psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def build_engine(url: str) -> Engine:
    """The engine for `url`. Its errors and SQL logging never show a statement's values (hide_parameters):
    those are names, addresses and notes, and an error's text ends up in the logs."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    # A database host that takes the connection but never answers would hang every request, /healthz too.
    timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    # PostgreSQL compiles a statement to machine code when its estimated cost is high, as the counts over a
    # large program's rows are: at 100,000 registrants compiling took 500 ms of a 740 ms count. The app's
    # statements are short, so compiling never pays back.
    options = {} if "options" in parsed.query else {"options": "-c jit=off"}
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args=timeout | options)


def database_error_reason(error: DBAPIError) -> str:
    """What the driver said, on one line (such as "Connection refused"), for a log line without a trace."""
    return str(error.orig or error).strip().splitlines()[0]


def _configure_sqlite(dbapi_connection, _record) -> None:
    """WAL lets the web server and the worker read while the other writes; foreign keys are off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def init_app(app: Flask, url: str) -> None:
    engine = app.extensions["engine"] = build_engine(url)
    app.teardown_appcontext(_close_session)
    # The pooled connections are closed once the app is dropped, or at the latest as the process exits: no
    # last collection closes them then (app.startup), and SQLite writes its journal back into the database
    # file only as its last connection closes.
    weakref.finalize(app, engine.dispose)


def engine() -> Engine:
    return current_app.extensions["engine"]


def answers() -> bool:
    """Whether the database answers a query now; why it does not is logged with the error."""
    try:
        with engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("health check: the database does not answer")
        return False
    return True


def session() -> Session:
    """The session of the current request or command, opened on first use and closed at teardown (or,
    for a response whose body reads from it, once the body is over: `close_session_after`)."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def session_without_transaction() -> Session:
    """The request's session with each statement committed as it runs (autocommit), on PostgreSQL: for a
    request whose one write is a single statement, atomic by itself, which spares it the round trips of
    BEGIN and COMMIT. On SQLite, the ordinary session: to be used before the request's first statement."""
    db_session = session()
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def close_session_after(response: Response) -> Response:
    """Hand this request's session to `response`, whose body still reads from it while it is sent.

    The request's teardown runs as soon as the view returns, before the server sends any of the body, so
    it leaves this session alone: the session is closed once the body has been sent in full or the server
    stopped sending it (the client went away), and its connection goes back to the pool then."""
    db_session = g.pop("db_session", None)
    if db_session is None:
        return response
    body = response.response

    def closing_body() -> Iterator:
        try:
            yield from body
        finally:
            db_session.close()

    response.response = closing_body()
    # A body the server never starts (a HEAD request, a client gone before the first byte) runs no
    # `finally`; the server still closes the response.
    response.call_on_close(db_session.close)
    return response
