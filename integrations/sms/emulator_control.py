"""A small client for the SMS emulator's control API (`/_emulator/...`), for tests and development."""

from typing import Any

from integrations import emulator_control


class EmulatorControl(emulator_control.EmulatorControl):
    """Drives an SMS emulator running at `url`, in this process or another.

    `configure` takes `sender_rate`, `inbound_url`, `auto_deliver` and `delivery_delay`; `count` names
    `api_requests`, `messages_created`, `messages_received`, `status_callbacks` or `inbound_webhooks`.
    """

    timeout = 20.0  # a reply waits for the webhook it is posted to, which Twilio gives 15 s

    @property
    def api_base_url(self) -> str:
        """The emulated API's base, like https://api.twilio.com."""
        return self.url

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
