"""The Twilio client: send a text, and look one up, with the retries that cannot send anything twice."""

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests

from integrations.retry import RetryPolicy
from integrations.sms.errors import (
    SmsError,
    SmsOutcomeUnknownError,
    error_from_exception,
    error_from_response,
)
from integrations.sms.models import SentMessage, parse_twilio_time

DEFAULT_API_BASE_URL = "https://api.twilio.com"
API_VERSION = "2010-04-01"
LIST_PAGE_SIZE = 50
# find_message reads at most this many pages: the newest texts to one number come first.
LIST_MAX_PAGES = 4
# Twilio's clock and ours may differ; a text created this much before `since` still counts as found.
CLOCK_SKEW = timedelta(minutes=2)

JSON = dict[str, Any]


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class TwilioClient:
    """Twilio's Messages API for one account, sending from one number or one Messaging Service.

    Thread-safe as far as its `requests.Session` is; share one per process. Every request has a timeout.
    What failed without being sent (429, 503, no connection) is sent again with back-off, up to
    `retry.max_attempts` sends, honouring Retry-After; a send whose outcome is unknown is never sent
    again but raised as SmsOutcomeUnknownError (see errors.py). Failures raise SmsError subclasses.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        session: requests.Session | None = None,
        api_base_url: str = DEFAULT_API_BASE_URL,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utc_now,
    ):
        if (from_number is None) == (messaging_service_sid is None):
            raise ValueError("give exactly one of from_number and messaging_service_sid")
        self._auth = (account_sid, auth_token)
        self._sender = (
            {"From": from_number} if from_number else {"MessagingServiceSid": messaging_service_sid}
        )
        self._from_number = from_number
        self._api_base_url = api_base_url.rstrip("/")
        self._base = f"{self._api_base_url}/{API_VERSION}/Accounts/{quote(account_sid, safe='')}"
        self._session = session or requests.Session()
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock

    def __repr__(self) -> str:
        return f"TwilioClient(account_sid={self._auth[0]!r}, sender={next(iter(self._sender.values()))!r})"

    def send_message(self, to: str, body: str, *, status_callback: str | None = None) -> SentMessage:
        """Send the text `body` to `to` (E.164); Twilio's answer, normally status `queued`.

        `status_callback` is the URL Twilio posts delivery reports to (sent, delivered, undelivered…).
        Raises SmsOptedOutError when the person replied STOP, SmsRecipientError when the number cannot
        take texts, SmsOutcomeUnknownError when the message may have gone though no answer came back.
        """
        form = {"To": to, "Body": body, **self._sender}
        if status_callback:
            form["StatusCallback"] = status_callback
        created = self._call("POST", "/Messages.json", data=form)
        if not isinstance(created, dict) or "sid" not in created:
            raise SmsOutcomeUnknownError("Twilio accepted the message without saying its sid", status=201)
        return SentMessage.from_api(created)

    def get_message(self, sid: str) -> SentMessage:
        """The message `sid` as Twilio has it now (its status, error code and price)."""
        return SentMessage.from_api(self._call("GET", f"/Messages/{quote(sid, safe='')}.json"))

    def find_message(self, to: str, body: str, *, since: datetime) -> SentMessage | None:
        """The text with exactly `body` that this sender sent to `to` at or after `since`, or None.

        For a send that ended in SmsOutcomeUnknownError: ask after waiting at least the client's timeout
        (a request still on its way is not listed yet), with `since` the time of the first attempt. Found,
        it was sent; not found, it was not. The newest texts to `to` are read, LIST_MAX_PAGES pages at most.
        """
        earliest = since - CLOCK_SKEW
        for payload in self._listed_messages(to):
            # Twilio lists by date sent, so a text created long ago but sent late may come first: every
            # listed text is looked at, none taken as the end.
            created = payload.get("date_created")
            if (
                payload.get("direction") == "outbound-api"
                and payload.get("body") == body
                and created
                and parse_twilio_time(created) >= earliest
            ):
                return SentMessage.from_api(payload)
        return None

    def _listed_messages(self, to: str) -> Iterator[JSON]:
        params: dict[str, Any] | None = {"To": to, "PageSize": LIST_PAGE_SIZE}
        if self._from_number:
            params = {**params, "From": self._from_number}
        url = self._base + "/Messages.json"
        for _ in range(LIST_MAX_PAGES):
            page = self._call("GET", url, params=params, absolute=True)
            yield from page.get("messages") or []
            next_page = page.get("next_page_uri")
            if not next_page:
                return
            # Twilio gives the next page as a path on its own host, with every filter in its query.
            url, params = self._api_base_url + next_page, None

    def _call(
        self,
        method: str,
        path: str,
        *,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        absolute: bool = False,
    ) -> Any:
        """Send one API call, again while the policy allows for failures that sent nothing; its JSON."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._send(method, path if absolute else self._base + path, data, params)
            except SmsError as error:
                delay = self._retry.delay_after(attempt, error, self._clock())
                if delay is None:
                    raise
                self._sleep(delay)

    def _send(
        self, method: str, url: str, data: Mapping[str, str] | None, params: Mapping[str, Any] | None
    ) -> Any:
        idempotent = method == "GET"
        try:
            response = self._session.request(
                method,
                url,
                data=data,
                params=params,
                auth=self._auth,
                headers={"Accept": "application/json"},
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            # `from None`: the original exception's text holds the URL (and so the account SID).
            raise error_from_exception(exc, self._timeout, idempotent=idempotent) from None
        if not response.ok:
            raise error_from_response(response, self._clock(), idempotent=idempotent)
        try:
            return response.json()
        except ValueError:
            return None
