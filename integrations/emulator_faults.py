"""Misbehaviour the local emulators (Zoom, Twilio) are told to show on their next API calls.

A fault answers the next `remaining` calls with an error `status` instead of carrying them out, or
carries them out but answers `delay` seconds late (an answer lost to a client's timeout).
"""

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class Fault:
    """A misbehaviour for the next `remaining` API calls: an error answer, or a slow one."""

    remaining: int
    status: int | None = None
    code: int | None = None
    message: str | None = None
    retry_after: str | None = None
    delay: float = 0.0

    @classmethod
    def from_json(cls, spec: Mapping[str, Any]) -> "Fault":
        """A fault from the control API's JSON: `count` (default 1), `status`, `code`, `message`,
        `retry_after`, `delay`."""
        return cls(
            remaining=int(spec.get("count", 1)),
            status=spec.get("status"),
            code=spec.get("code"),
            message=spec.get("message"),
            retry_after=spec.get("retry_after"),
            delay=float(spec.get("delay", 0.0)),
        )


class FaultQueue:
    """Faults waiting for API calls, applied in the order they were added. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()

    def add(self, fault: Fault) -> None:
        """Queue a fault behind those already waiting."""
        with self._lock:
            self._faults.append(fault)

    def take(self) -> Fault | None:
        """The fault for the API call being answered now, if any."""
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.popleft()
            return fault

    def clear(self) -> None:
        """Forget every waiting fault."""
        with self._lock:
            self._faults.clear()
