"""The small values the SMS integration returns and reads: only the fields the application uses.

Phone numbers and message bodies are personal data: they stay out of every repr.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

# E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def is_e164(number: str) -> bool:
    """Whether `number` is written in E.164, as Twilio wants phone numbers: `+15551234567`."""
    return _E164.fullmatch(number) is not None


@dataclass(frozen=True)
class SentMessage:
    """A message as Twilio has it: its `sid` (`SM…`), its `status` (queued, sent, delivered, undelivered,
    failed…), the `error_code` of a failed delivery, and what it costs: `num_segments` billed segments at
    `price` (negative: a charge; None until Twilio knows it) in `price_unit` (such as `USD`)."""

    sid: str
    status: str
    error_code: int | None
    num_segments: int
    price: Decimal | None
    price_unit: str | None

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> "SentMessage":
        """A SentMessage from Twilio's Message resource (create, fetch or list answer)."""
        error_code = payload.get("error_code")
        return cls(
            sid=payload["sid"],
            status=payload["status"],
            error_code=int(error_code) if error_code is not None else None,
            num_segments=int(payload.get("num_segments") or 0),
            price=_decimal(payload.get("price")),
            price_unit=payload.get("price_unit"),
        )


def parse_twilio_time(value: str) -> datetime:
    """An aware datetime from Twilio's RFC 2822 times (`Thu, 24 Aug 2023 05:01:45 +0000`)."""
    moment = parsedate_to_datetime(value)
    if moment.tzinfo is None:
        raise ValueError(f"time without offset: {value!r}")
    return moment


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
