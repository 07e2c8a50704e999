"""The deployment's one Zoom access token, kept in the database so that every web and worker process uses it.

Zoom may revoke the previous token each time it issues one: processes fetching tokens of their own would
keep revoking each other's. Here a process fetches a token only while holding the token's row, so one
process asks and the others read what it saved. The store uses connections of its own, in short
transactions, never the session of a request or job, whose transaction it must neither commit nor hold.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, Row, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.database import utcnow
from app.models.zoom_token import ZoomToken
from integrations.zoom.models import Token

TABLE = ZoomToken.__table__
# The row's content before any token was saved: the row exists to be locked, and holds no token.
NO_TOKEN = {"access_token": "", "expires_at": datetime(1970, 1, 1, tzinfo=UTC)}


def token_key(account_id: str, client_id: str) -> str:
    """The row of the token for this Zoom account and app."""
    return f"{account_id}:{client_id}"


class DatabaseTokenStore:
    """A TokenStore in the `zoomtoken` row named `key`.

    The row has no column for the API base Zoom names with a token, so tokens read back use
    `api_base_url` (the configured ZOOM_API_BASE_URL).
    """

    def __init__(self, engine: Engine, key: str, api_base_url: str):
        self._engine = engine
        self._key = key
        self._api_base_url = api_base_url

    def load(self) -> Token | None:
        with self._engine.connect() as connection:
            return self._token(connection.execute(self._select()).first())

    def fetch_and_save(self, needs_new: Callable[[Token], bool], fetch: Callable[[], Token]) -> Token:
        """Lock the row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the first write takes the database's
        one write lock), then keep or replace its token; other processes wait for the lock and then see
        the token saved here."""
        with self._engine.begin() as connection:
            connection.execute(self._insert_row_unless_present())
            stored = self._token(connection.execute(self._select().with_for_update()).first())
            if stored is not None and not needs_new(stored):
                return stored
            token = fetch()
            connection.execute(
                update(TABLE)
                .where(TABLE.c.account == self._key)
                .values(access_token=token.access_token, expires_at=token.expires_at, issued_at=utcnow())
            )
        return Token(token.access_token, token.expires_at, self._api_base_url)

    def _select(self):
        return select(TABLE.c.access_token, TABLE.c.expires_at).where(TABLE.c.account == self._key)

    def _insert_row_unless_present(self):
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        values = {"account": self._key, **NO_TOKEN, "issued_at": utcnow()}
        return dialect.insert(TABLE).values(values).on_conflict_do_nothing(index_elements=[TABLE.c.account])

    def _token(self, row: Row | None) -> Token | None:
        if row is None or not row.access_token:
            return None
        return Token(row.access_token, row.expires_at, self._api_base_url)
