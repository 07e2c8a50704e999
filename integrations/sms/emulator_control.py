"""A small client for the SMS emulator's control API (`/_emulator/...`), for tests and development."""

from typing import Any

import requests

TIMEOUT = 20.0  # a reply waits for the webhook it is posted to, which Twilio gives 15 s


class EmulatorControl:
    """Drives an emulator running at `url`, in this process or another."""

    def __init__(self, url: str, session: requests.Session | None = None):
        self.url = url.rstrip("/")
        self._session = session or requests.Session()

    @property
    def api_base_url(self) -> str:
        """The emulated API's base, like https://api.twilio.com."""
        return self.url

    def reset(self) -> None:
        """Forget texts, opt-outs, pace, counters and faults."""
        self._post("reset")

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change `sender_rate`, `inbound_url`, `auto_deliver` and/or `delivery_delay`; the settings now."""
        return self._post("settings", settings).json()

    def fail_next(
        self,
        status: int,
        *,
        count: int = 1,
        retry_after: str | None = None,
        code: int | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `count` API calls with `status` (and Retry-After, code, message if given)."""
        fault = {
            "status": status,
            "count": count,
            "retry_after": retry_after,
            "code": code,
            "message": message,
        }
        self._post("faults", {key: value for key, value in fault.items() if value is not None})

    def delay_next(self, seconds: float, *, count: int = 1) -> None:
        """Carry out the next `count` API calls but answer each `seconds` late."""
        self._post("faults", {"delay": seconds, "count": count})

    def reply(self, from_number: str, body: str, *, to: str | None = None) -> dict[str, Any]:
        """A text from `from_number` reaches our number; `{"message", "status", "replies", "twiml_error"}`."""
        spec = {"from": from_number, "body": body, **({"to": to} if to else {})}
        return self._post("replies", spec).json()

    def advance(self, sid: str, status: str | None = None, error_code: int | None = None) -> dict[str, Any]:
        """Move a text to its next status (or to `status`), posting its report; `{"status",
        "receiver_status"}`."""
        spec = {key: value for key, value in (("status", status), ("error_code", error_code)) if value}
        return self._post(f"messages/{sid}/advance", spec).json()

    def messages(self) -> list[dict[str, Any]]:
        """Every text, sent and received, with its `status_callback` and the `reports` posted."""
        return self._get("messages")

    def recorded_requests(self) -> dict[str, Any]:
        """Counters (`api_requests`, `messages_created`, ...), the log of API calls and `opted_out`."""
        return self._get("requests")

    def count(self, counter: str) -> int:
        """One counter, such as `messages_created` (0 when nothing happened yet)."""
        return self.recorded_requests().get(counter, 0)

    def _get(self, path: str) -> Any:
        response = self._session.get(f"{self.url}/_emulator/{path}", timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        response = self._session.post(f"{self.url}/_emulator/{path}", json=body or {}, timeout=TIMEOUT)
        response.raise_for_status()
        return response
