"""Server-to-server OAuth: fetching an access token and sharing it between threads and processes."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import requests

from integrations.zoom.errors import ZoomAuthError, error_from_exception, error_from_response
from integrations.zoom.models import Token


@dataclass(frozen=True)
class Credentials:
    """A Zoom server-to-server OAuth app's credentials."""

    account_id: str
    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return f"Credentials(account_id={self.account_id!r}, client_id={self.client_id!r})"


def fetch_token(
    session: requests.Session,
    token_url: str,
    credentials: Credentials,
    *,
    default_api_base_url: str,
    timeout: float,
    now: datetime,
) -> Token:
    """Ask Zoom's OAuth endpoint for a new access token (grant `account_credentials`).

    The API base is the `api_url` Zoom names in its answer (plus `/v2`), or `default_api_base_url`.
    """
    try:
        response = session.post(
            token_url,
            params={"grant_type": "account_credentials", "account_id": credentials.account_id},
            auth=(credentials.client_id, credentials.client_secret),
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise error_from_exception(exc, timeout) from None
    if not response.ok:
        error = error_from_response(response, now)
        if error.retryable:
            raise error
        raise ZoomAuthError(error.message, status=error.status, code=error.code)
    body = response.json()
    api_url = body.get("api_url")
    return Token(
        access_token=body["access_token"],
        expires_at=now + timedelta(seconds=int(body["expires_in"])),
        api_base_url=f"{api_url.rstrip('/')}/v2" if api_url else default_api_base_url,
    )


class TokenStore(Protocol):
    """Where the current token is kept: in this process, or shared by every process of a deployment.

    Zoom may revoke the previous token each time it issues one, so processes that each fetched their own
    would keep revoking each other's; a shared store lets them use one.
    """

    def load(self) -> Token | None:
        """The token stored now, if any."""

    def fetch_and_save(self, needs_new: Callable[[Token], bool], fetch: Callable[[], Token]) -> Token:
        """Under a lock that every user of the store respects: the stored token, or, when there is none or
        `needs_new` says so of it, a token from `fetch`, saved."""


class MemoryTokenStore:
    """A TokenStore for one process: the token in memory, its lock a thread lock."""

    def __init__(self) -> None:
        self._token: Token | None = None
        self._lock = threading.Lock()

    def load(self) -> Token | None:
        return self._token

    def fetch_and_save(self, needs_new: Callable[[Token], bool], fetch: Callable[[], Token]) -> Token:
        with self._lock:
            if self._token is None or needs_new(self._token):
                self._token = fetch()
            return self._token


class TokenCache:
    """The access token every thread (and, with a shared store, every process) uses, fetched again shortly
    before it expires or after Zoom rejected it.

    A new token is fetched under the store's lock, so callers that ask at the same moment wait for one
    request instead of each fetching a token. The last token seen is kept in memory, so a shared store is
    read only when that one is about to expire or was rejected.
    """

    def __init__(
        self,
        fetch: Callable[[], Token],
        clock: Callable[[], datetime],
        refresh_margin: timedelta = timedelta(minutes=5),
        store: TokenStore | None = None,
    ):
        self._fetch = fetch
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._store = store or MemoryTokenStore()
        self._token: Token | None = None

    def get(self) -> Token:
        """A token that is not about to expire: the last one seen, the stored one, or a new one."""
        token = self._token if self._usable(self._token) else self._store.load()
        if token is None or not self._usable(token):
            token = self._store.fetch_and_save(lambda stored: not self._usable(stored), self._fetch)
        self._token = token
        return token

    def replace(self, rejected: Token) -> Token:
        """A token to use instead of `rejected`, which Zoom refused: the stored one when another caller has
        already replaced it, otherwise a new one."""

        def needs_new(stored: Token) -> bool:
            return not self._usable(stored) or stored.access_token == rejected.access_token

        token = self._store.fetch_and_save(needs_new, self._fetch)
        self._token = token
        return token

    def _usable(self, token: Token | None) -> bool:
        """Whether `token` is there and not about to expire."""
        return token is not None and self._clock() < token.expires_at - self._refresh_margin
