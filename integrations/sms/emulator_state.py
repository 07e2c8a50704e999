"""What the SMS emulator remembers: every text (sent and received), opt-outs, senders' pace and faults.

Plain in-memory state behind one lock; it knows nothing about HTTP (see emulator.py).
"""

import math
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from integrations.emulator_faults import Fault, FaultQueue
from integrations.sms.segments import count_segments

API_VERSION = "2010-04-01"
PRICE_PER_SEGMENT = "0.00830"  # USD, about what a US long-code segment costs
# The statuses an outbound text goes through when nothing goes wrong; a report is posted for each.
DELIVERY_STEPS = ("queued", "sent", "delivered")


class UnknownMessage(LookupError):
    """No message with this sid."""


class EmulatorState:
    """The emulated Twilio account. Every public method is atomic."""

    def __init__(self, clock: Callable[[], datetime], account_sid: str, settings: Mapping[str, Any]):
        self._clock = clock
        self._account_sid = account_sid
        self._lock = threading.Lock()
        self.settings: dict[str, Any] = dict(settings)
        self.reset()

    def reset(self) -> None:
        """Forget every text, opt-out, pace and fault (settings stay)."""
        with self._lock:
            self._messages: dict[str, dict[str, Any]] = {}
            self._callbacks: dict[str, str] = {}  # sid -> StatusCallback URL
            self._pending: dict[str, list[str]] = {}  # sid -> statuses still to report
            self._reports: dict[str, list[dict[str, Any]]] = {}  # sid -> reports posted
            self._opted_out: set[str] = set()
            self._next_send: dict[str, datetime] = {}
            self._faults = FaultQueue()
            self.counters: Counter[str] = Counter()
            self.log: list[dict[str, Any]] = []

    def update_settings(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change any of the settings; the settings now in force."""
        with self._lock:
            self.settings.update({key: changes[key] for key in self.settings.keys() & changes.keys()})
            return dict(self.settings)

    def snapshot(self) -> dict[str, Any]:
        """Counters, the log of API calls and the opted-out numbers, for `/_emulator/requests`."""
        with self._lock:
            return {**self.counters, "log": list(self.log), "opted_out": sorted(self._opted_out)}

    def record(self, entry: dict[str, Any]) -> None:
        """Add one answered API call to the log."""
        with self._lock:
            self.counters["api_requests"] += 1
            self.log.append(entry)

    def count(self, counter: str) -> None:
        """Count one occurrence of `counter`."""
        with self._lock:
            self.counters[counter] += 1

    # Faults

    def add_fault(self, fault: Fault) -> None:
        """Queue a fault; faults apply in the order they were added."""
        self._faults.add(fault)

    def take_fault(self) -> Fault | None:
        """The fault for the API call being answered now, if any."""
        return self._faults.take()

    # Opt-outs

    def is_opted_out(self, number: str) -> bool:
        """Whether `number` replied STOP (and not START since)."""
        with self._lock:
            return number in self._opted_out

    def set_opted_out(self, number: str, opted_out: bool) -> None:
        """Block (or unblock) every text to `number`, as Twilio does on STOP (or START)."""
        with self._lock:
            if opted_out:
                self._opted_out.add(number)
            else:
                self._opted_out.discard(number)

    # Pace

    def take_send_slot(self, sender: str) -> int | None:
        """Count a send by `sender` now; None when its pace allows it, else the seconds to wait first."""
        rate = float(self.settings["sender_rate"] or 0)
        now = self._clock()
        with self._lock:
            if rate > 0:
                ready = self._next_send.get(sender, now)
                if now < ready:
                    return max(1, math.ceil((ready - now).total_seconds()))
                self._next_send[sender] = now + timedelta(seconds=1 / rate)
            return None

    # Messages

    def create_message(
        self, *, to: str, body: str, sender: str | None, service_sid: str | None, status_callback: str | None
    ) -> dict[str, Any]:
        """Queue an outbound text; the Message resource as Twilio answers its creation."""
        message = self._new_message(
            direction="outbound-api", to=to, from_=sender, body=body, service_sid=service_sid, status="queued"
        )
        if service_sid is not None:
            # Through a Messaging Service, Twilio picks the sender later and counts segments then.
            message["num_segments"] = "0"
        with self._lock:
            self._messages[message["sid"]] = message
            self._pending[message["sid"]] = list(DELIVERY_STEPS)
            self._reports[message["sid"]] = []
            if status_callback:
                self._callbacks[message["sid"]] = status_callback
            self.counters["messages_created"] += 1
            return dict(message)

    def add_received(self, *, from_: str, to: str, body: str) -> dict[str, Any]:
        """Keep a text someone sent to one of our numbers; its Message resource."""
        return self._keep_done("inbound", "received", to=to, from_=from_, body=body)

    def add_reply(self, *, to: str, from_: str, body: str) -> dict[str, Any]:
        """Keep a reply sent at once to a text we received (TwiML or Twilio's own keyword answer)."""
        return self._keep_done("outbound-reply", "delivered", to=to, from_=from_, body=body)

    def get_message(self, sid: str) -> dict[str, Any]:
        """The Message resource `sid` as Twilio answers a fetch."""
        with self._lock:
            if sid not in self._messages:
                raise UnknownMessage(sid)
            return dict(self._messages[sid])

    def list_messages(self, *, to: str | None = None, from_: str | None = None) -> list[dict[str, Any]]:
        """The texts to `to` and from `from_` (each when given), newest first, as Twilio lists them."""
        with self._lock:
            found = [
                dict(message)
                for message in self._messages.values()
                if (to is None or message["to"] == to) and (from_ is None or message["from"] == from_)
            ]
        return found[::-1]

    def everything(self) -> list[dict[str, Any]]:
        """Every text in the order it came, each with `status_callback` and the `reports` posted for it."""
        with self._lock:
            return [
                {
                    **message,
                    "status_callback": self._callbacks.get(sid),
                    "reports": list(self._reports.get(sid, [])),
                }
                for sid, message in self._messages.items()
            ]

    def advance(
        self, sid: str, status: str | None = None, error_code: int | None = None
    ) -> dict[str, Any] | None:
        """Move an outbound text to its next status — `status` when given (`undelivered` or `failed` with
        `error_code`, say) — and return it with `status_callback` set, or None when it has no more steps."""
        with self._lock:
            if sid not in self._messages:
                raise UnknownMessage(sid)
            message, pending = self._messages[sid], self._pending.get(sid, [])
            if not pending and status is None:
                return None
            new_status = status or pending[0]
            if status is None:
                pending.pop(0)
            else:
                pending.clear()  # a status named by hand ends the normal course
            now_text = _rfc2822(self._clock())
            message.update(status=new_status, date_updated=now_text)
            if new_status in ("sent", "delivered", "undelivered") and message["date_sent"] is None:
                message["date_sent"] = now_text
                message["num_segments"] = str(count_segments(message["body"]))
                message["price"] = _price(message["num_segments"])
            if error_code is not None:
                message["error_code"] = int(error_code)
                message["error_message"] = f"Delivery failed (error {error_code})."
            return {**message, "status_callback": self._callbacks.get(sid)}

    def note_report(self, sid: str, status: str, receiver_status: int | None) -> None:
        """Remember that the report of `status` was posted and what the receiver answered."""
        with self._lock:
            self._reports.setdefault(sid, []).append({"status": status, "receiver_status": receiver_status})
            self.counters["status_callbacks"] += 1

    def _keep_done(self, direction: str, status: str, *, to: str, from_: str, body: str) -> dict[str, Any]:
        """Keep a text that is already where it goes (received, or a reply delivered at once)."""
        message = self._new_message(
            direction=direction, to=to, from_=from_, body=body, service_sid=None, status=status
        )
        message["date_sent"] = message["date_created"]
        if direction != "inbound":
            message["price"] = _price(message["num_segments"])
        with self._lock:
            self._messages[message["sid"]] = message
            self.counters["messages_received" if direction == "inbound" else "replies_sent"] += 1
            return dict(message)

    def _new_message(
        self,
        *,
        direction: str,
        to: str,
        from_: str | None,
        body: str,
        service_sid: str | None,
        status: str,
    ) -> dict[str, Any]:
        sid = "SM" + secrets.token_hex(16)
        now_text = _rfc2822(self._clock())
        base = f"/{API_VERSION}/Accounts/{self._account_sid}/Messages/{sid}"
        return {
            "account_sid": self._account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": now_text,
            "date_sent": None,
            "date_updated": now_text,
            "direction": direction,
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service_sid,
            "num_media": "0",
            "num_segments": str(count_segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": status,
            "subresource_uris": {"media": f"{base}/Media.json"},
            "to": to,
            "uri": f"{base}.json",
        }


def _rfc2822(moment: datetime) -> str:
    """Twilio's time format: `Thu, 24 Aug 2023 05:01:45 +0000`."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))


def _price(num_segments: str) -> str:
    """What Twilio charges for the segments, written as it does: negative, five decimals."""
    return f"-{float(PRICE_PER_SEGMENT) * int(num_segments):.5f}"
