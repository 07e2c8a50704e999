"""A small client for the Zoom emulator's control API (`/_emulator/...`), for tests and benchmarks."""

from typing import Any

from integrations import emulator_control


class EmulatorControl(emulator_control.EmulatorControl):
    """Drives a Zoom emulator running at `url`, in this process or another.

    `configure` takes `daily_limit`, `webhook_url` and `revoke_previous_tokens`; `count` names
    `token_requests`, `meeting_creates`, `meeting_updates` or `api_requests`.
    """

    @property
    def token_url(self) -> str:
        """Where the emulator issues OAuth tokens."""
        return f"{self.url}/oauth/token"

    @property
    def api_base_url(self) -> str:
        """The emulated API's base, like https://api.zoom.us/v2."""
        return f"{self.url}/v2"

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

    def send_event(
        self, meeting_id: int, event: str, participant: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Have the emulator POST a signed webhook about the meeting; the receiver's status and the body."""
        return self._post(
            f"meetings/{meeting_id}/events", {"event": event, "participant": participant}
        ).json()
