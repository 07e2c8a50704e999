"""A small client for the Zoom emulator's control API (`/_emulator/...`), for tests and benchmarks."""

from typing import Any

import requests

TIMEOUT = 5.0


class EmulatorControl:
    """Drives an emulator running at `url`, in this process or another."""

    def __init__(self, url: str, session: requests.Session | None = None):
        self.url = url.rstrip("/")
        self._session = session or requests.Session()

    @property
    def token_url(self) -> str:
        """Where the emulator issues OAuth tokens."""
        return f"{self.url}/oauth/token"

    @property
    def api_base_url(self) -> str:
        """The emulated API's base, like https://api.zoom.us/v2."""
        return f"{self.url}/v2"

    def reset(self) -> None:
        """Forget tokens, meetings, counters and faults."""
        self._post("reset")

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

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change `daily_limit`, `webhook_url` and/or `revoke_previous_tokens`; the settings now in force."""
        return self._post("settings", settings).json()

    def declare_user(self, user: str, *, concurrent: int) -> None:
        """Set how many meetings `user` may have in progress at once: 1 on Pro (undeclared users), 2 on
        Business, Education and Enterprise."""
        self._post("users", {"user": user, "concurrent": concurrent})

    def end_meeting(self, meeting_id: int) -> int | None:
        """End a meeting in progress, as its host does; the webhook receiver's status (None: none sent)."""
        return self._post(f"meetings/{meeting_id}/end").json()["status"]

    def expire_tokens(self) -> None:
        """Make every issued token expired."""
        self._post("tokens/expire")

    def recorded_requests(self) -> dict[str, Any]:
        """Counters (`token_requests`, `meeting_creates`, ...) and the log of API calls."""
        response = self._session.get(f"{self.url}/_emulator/requests", timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    def count(self, counter: str) -> int:
        """One counter, such as `token_requests` or `meeting_creates` (0 when nothing happened yet)."""
        return self.recorded_requests().get(counter, 0)

    def send_event(
        self, meeting_id: int, event: str, participant: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Have the emulator POST a signed webhook about the meeting; the receiver's status and the body."""
        return self._post(
            f"meetings/{meeting_id}/events", {"event": event, "participant": participant}
        ).json()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        response = self._session.post(f"{self.url}/_emulator/{path}", json=body or {}, timeout=TIMEOUT)
        response.raise_for_status()
        return response
