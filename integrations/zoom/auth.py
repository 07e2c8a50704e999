"""Server-to-server OAuth: fetching an access token and sharing it between threads."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

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


class TokenCache:
    """One access token for every thread of the process, fetched again shortly before it expires.

    The lock is held while fetching, so threads that ask at the same moment wait for one request
    instead of each fetching a token (on older accounts a new token also revokes the previous one).
    """

    def __init__(
        self,
        fetch: Callable[[], Token],
        clock: Callable[[], datetime],
        refresh_margin: timedelta = timedelta(minutes=5),
    ):
        self._fetch = fetch
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._token: Token | None = None
        self._lock = threading.Lock()

    def get(self) -> Token:
        """The cached token, or a new one when there is none or it is about to expire."""
        with self._lock:
            if self._token is None or self._clock() >= self._token.expires_at - self._refresh_margin:
                self._token = self._fetch()
            return self._token

    def invalidate(self, rejected: Token) -> None:
        """Forget `rejected` after Zoom refused it, unless another thread has already replaced it."""
        with self._lock:
            if self._token is rejected:
                self._token = None
