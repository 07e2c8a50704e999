"""What every integration's errors have in common: the provider's own error code and message, the HTTP
status, and whether (and from when) the same call may be sent again."""

from datetime import datetime

import requests


class ServiceError(Exception):
    """A call to another service failed. Carries the service's error `code` and `message`, and the HTTP
    `status`; `status` and `code` are None when the service gave no answer."""

    #: The service's name, as errors show it.
    service = "The service"
    #: Whether the same call may succeed if it is sent again after a pause.
    retryable = False
    #: The earliest time worth sending the call again, when the service named one.
    retry_at: datetime | None = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        retry_at: datetime | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        if retry_at is not None:
            self.retry_at = retry_at

    def __str__(self) -> str:
        parts = [f"HTTP {self.status}"] if self.status is not None else []
        if self.code is not None:
            parts.append(f"code {self.code}")
        prefix = f"{self.service} {', '.join(parts)}: " if parts else f"{self.service}: "
        return prefix + self.message


def code_and_message(response: requests.Response) -> tuple[int | None, str]:
    """The error code and message of a JSON error answer: `{"code", "message"}` (Zoom's API, Twilio) or
    `{"error", "reason"}` (Zoom's OAuth endpoint); the HTTP reason when the answer says nothing."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return None, response.reason or f"HTTP {response.status_code}"
    code = body.get("code")
    message = (
        body.get("message")
        or body.get("reason")
        or body.get("error")
        or response.reason
        or f"HTTP {response.status_code}"
    )
    return (code if isinstance(code, int) else None), str(message)
