"""Driving a local emulator's control API (`/_emulator/...`) from tests, benchmarks or another process.

Each emulator's own control client (Zoom's, Twilio's) adds its calls to these common ones.
"""

from typing import Any

import requests


class EmulatorControl:
    """Drives an emulator running at `url`, in this process or another."""

    #: Seconds to wait for the emulator to answer a control call.
    timeout = 5.0

    def __init__(self, url: str, session: requests.Session | None = None):
        self.url = url.rstrip("/")
        self._session = session or requests.Session()

    def reset(self) -> None:
        """Forget everything the emulator holds, counters and faults too; its settings stay."""
        self._post("reset")

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change some of the emulator's settings; the settings now in force."""
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

    def recorded_requests(self) -> dict[str, Any]:
        """The emulator's counters and the log of API calls it answered."""
        return self._get("requests")

    def count(self, counter: str) -> int:
        """One counter (0 when nothing happened yet)."""
        return self.recorded_requests().get(counter, 0)

    def _get(self, path: str) -> Any:
        response = self._session.get(f"{self.url}/_emulator/{path}", timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        response = self._session.post(f"{self.url}/_emulator/{path}", json=body or {}, timeout=self.timeout)
        response.raise_for_status()
        return response
