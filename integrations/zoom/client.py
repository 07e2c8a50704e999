"""The Zoom REST client: the meeting operations the application needs, with auth and retries."""

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import quote

import requests

from integrations.zoom.auth import Credentials, TokenCache, TokenStore, fetch_token
from integrations.zoom.errors import (
    INVALID_TOKEN,
    MEETING_NOT_FOUND,
    ZoomError,
    error_from_exception,
    error_from_response,
)
from integrations.zoom.models import Meeting, Registrant, Token
from integrations.zoom.payloads import (
    RegistrantAction,
    captions_settings_body,
    create_meeting_body,
    key_marker,
    registrant_body,
    registrant_status_body,
    update_time_body,
)
from integrations.zoom.retry import RetryPolicy

DEFAULT_API_BASE_URL = "https://api.zoom.us/v2"
DEFAULT_TOKEN_URL = "https://zoom.us/oauth/token"  # noqa: S105 (a URL, not a secret)
LIST_PAGE_SIZE = 300  # the most Zoom returns per page

JSON = dict[str, Any]


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class ZoomClient:
    """Zoom's Meetings API for a server-to-server OAuth app.

    Thread-safe: create one per process and share it, so every thread uses the one cached token. Give every
    process the same `token_store` to share one token between processes too (Zoom may revoke the previous
    token each time it issues one).

    Every request has a timeout; a token Zoom rejects (401, code 124) is replaced and the call retried once;
    429, 5xx, timeouts and connection errors are retried with back-off up to `retry.max_attempts` sends,
    except the daily create/update cap, raised at once as ZoomDailyLimitError. Failures raise ZoomError
    subclasses.
    """

    def __init__(
        self,
        account_id: str,
        client_id: str,
        client_secret: str,
        *,
        session: requests.Session | None = None,
        token_url: str = DEFAULT_TOKEN_URL,
        api_base_url: str = DEFAULT_API_BASE_URL,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utc_now,
        token_store: TokenStore | None = None,
    ):
        self._session = session or requests.Session()
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        fetch = partial(
            self._fetch_token,
            token_url,
            Credentials(account_id, client_id, client_secret),
            api_base_url,
        )
        self._tokens = TokenCache(fetch, clock, store=token_store)

    def create_meeting(
        self,
        user_id: str,
        *,
        topic: str,
        start_time: datetime,
        duration: int,
        timezone: str,
        idempotency_key: str,
        agenda: str = "",
        alternative_hosts: Sequence[str] = (),
    ) -> Meeting:
        """Schedule a meeting hosted by `user_id` (Zoom user id or email) for a cohort.

        The meeting has a waiting room, no joining before the host, participants muted on entry, no
        recording, a random passcode and automatically approved registration. `start_time` must be
        timezone-aware; `timezone` (IANA) is how Zoom displays it. `idempotency_key` is written into
        the agenda: when an answer is lost, the meeting it created is found rather than made twice.
        """
        body = create_meeting_body(
            topic=topic,
            start_time=start_time,
            duration=duration,
            timezone=timezone,
            idempotency_key=idempotency_key,
            agenda=agenda,
            alternative_hosts=alternative_hosts,
        )
        path = f"/users/{_segment(user_id)}/meetings"
        created = self._call(
            "POST", path, body=body, recover=partial(self._find_meeting_payload, user_id, idempotency_key)
        )
        return Meeting.from_api(created)

    def find_meeting_by_key(self, user_id: str, idempotency_key: str) -> Meeting | None:
        """The upcoming meeting of `user_id` created with `idempotency_key`, or None.

        Zoom's list gives neither passcode nor start link, so a match is fetched in full.
        """
        payload = self._find_meeting_payload(user_id, idempotency_key)
        return Meeting.from_api(payload) if payload else None

    def get_meeting(self, meeting_id: int) -> Meeting:
        """The meeting as Zoom has it now, with a fresh `start_url` for its host."""
        return Meeting.from_api(self._call("GET", f"/meetings/{int(meeting_id)}"))

    def update_meeting_time(
        self, meeting_id: int, start_time: datetime, *, duration: int | None = None
    ) -> None:
        """Move a meeting to `start_time` (timezone-aware), and change its length when `duration` is given."""
        self._call("PATCH", f"/meetings/{int(meeting_id)}", body=update_time_body(start_time, duration))

    def update_meeting(
        self,
        meeting_id: int,
        *,
        start_time: datetime,
        duration: int,
        alternative_hosts: Sequence[str] = (),
    ) -> None:
        """Bring a meeting in line with ours: its start (timezone-aware), length and alternative hosts.

        `alternative_hosts` replaces the meeting's list; empty removes every alternative host.
        """
        body = {
            **update_time_body(start_time, duration),
            "settings": {"alternative_hosts": ";".join(alternative_hosts)},
        }
        self._call("PATCH", f"/meetings/{int(meeting_id)}", body=body)

    def enable_captions(self, user_id: str) -> None:
        """Let the meetings of `user_id` show captions, typed or automatic (a user setting at Zoom, not a
        meeting's: see `captions_settings_body`). Setting it again changes nothing, so it may be repeated."""
        self._call("PATCH", f"/users/{_segment(user_id)}/settings", body=captions_settings_body())

    def delete_meeting(self, meeting_id: int) -> None:
        """Delete a meeting; one that is already gone (404, code 3001) counts as deleted."""
        try:
            self._call("DELETE", f"/meetings/{int(meeting_id)}")
        except ZoomError as error:
            if not _is_gone(error):
                raise

    def register_participant(
        self, meeting_id: int, *, email: str, first_name: str, last_name: str | None = None
    ) -> Registrant:
        """Register a participant; the answer holds their personal join link."""
        body = registrant_body(email, first_name, last_name)
        return Registrant.from_api(self._call("POST", f"/meetings/{int(meeting_id)}/registrants", body=body))

    def cancel_registration(self, meeting_id: int, *, registrant_id: str, email: str | None = None) -> None:
        """Cancel a participant's registration, so their personal join link no longer lets them in.

        A registrant or meeting Zoom no longer has (404, or code 3001) counts as cancelled; cancelling
        twice is harmless, so the call may be repeated after a lost answer.
        """
        try:
            self._set_registrant_status(meeting_id, RegistrantAction.CANCEL, registrant_id, email)
        except ZoomError as error:
            if not _is_gone(error):
                raise

    def approve_registration(self, meeting_id: int, *, registrant_id: str, email: str | None = None) -> None:
        """Approve a registration again, e.g. of someone whose registration was cancelled and who is back."""
        self._set_registrant_status(meeting_id, RegistrantAction.APPROVE, registrant_id, email)

    def _set_registrant_status(
        self, meeting_id: int, action: RegistrantAction, registrant_id: str, email: str | None
    ) -> None:
        body = registrant_status_body(action, registrant_id, email)
        self._call("PUT", f"/meetings/{int(meeting_id)}/registrants/status", body=body)

    def _find_meeting_payload(self, user_id: str, idempotency_key: str) -> JSON | None:
        marker = key_marker(idempotency_key)
        for listed in self._upcoming_meetings(user_id):
            if listed.get("agenda", "").startswith(marker):
                return self._call("GET", f"/meetings/{int(listed['id'])}")
        return None

    def _upcoming_meetings(self, user_id: str) -> Iterator[JSON]:
        params: dict[str, Any] = {"type": "upcoming", "page_size": LIST_PAGE_SIZE}
        while True:
            page = self._call("GET", f"/users/{_segment(user_id)}/meetings", params=params)
            yield from page.get("meetings", [])
            if not page.get("next_page_token"):
                return
            params = {**params, "next_page_token": page["next_page_token"]}

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: JSON | None = None,
        params: Mapping[str, Any] | None = None,
        recover: Callable[[], JSON | None] | None = None,
    ) -> Any:
        """Send one API call, retrying as the policy allows; its parsed JSON answer (None when empty).

        `recover` is asked before sending a non-idempotent call again after its answer was lost; the
        result it finds stands for the answer.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._call_authenticated(method, path, body, params)
            except ZoomError as error:
                delay = self._retry.delay_after(attempt, error, self._clock())
                if delay is None:
                    raise
                self._sleep(delay)
                if recover is not None and error.answer_may_be_lost and (found := recover()) is not None:
                    return found

    def _call_authenticated(
        self, method: str, path: str, body: JSON | None, params: Mapping[str, Any] | None
    ) -> Any:
        """Send with the cached token; when Zoom says it is invalid or expired, once more with another."""
        token = self._tokens.get()
        response = self._send(token, method, path, body, params)
        if _token_rejected(response):
            response = self._send(self._tokens.replace(token), method, path, body, params)
        if not response.ok:
            raise error_from_response(response, self._clock())
        return response.json() if response.content else None

    def _send(
        self, token: Token, method: str, path: str, body: JSON | None, params: Mapping[str, Any] | None
    ) -> requests.Response:
        try:
            return self._session.request(
                method,
                token.api_base_url + path,
                json=body,
                params=params,
                headers={"Authorization": f"Bearer {token.access_token}"},
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            # `from None`: the original exception's text holds the URL, and we keep its noise out of logs.
            raise error_from_exception(exc, self._timeout) from None

    def _fetch_token(self, token_url: str, credentials: Credentials, api_base_url: str) -> Token:
        return fetch_token(
            self._session,
            token_url,
            credentials,
            default_api_base_url=api_base_url,
            timeout=self._timeout,
            now=self._clock(),
        )


def _token_rejected(response: requests.Response) -> bool:
    """Whether Zoom refused the access token as invalid or expired: 401 with code 124, or with no code at all.

    Other 401 codes (a missing scope, say) are not cured by another token.
    """
    return response.status_code == 401 and error_from_response(response, utc_now()).code in (
        INVALID_TOKEN,
        None,
    )


def _is_gone(error: ZoomError) -> bool:
    """Whether Zoom answered that what the call is about (a meeting, a registrant) does not exist."""
    return error.code == MEETING_NOT_FOUND or error.status == 404


def _segment(value: str) -> str:
    """`value` made safe as one URL path segment (user ids may be email addresses)."""
    return quote(value, safe="@")
