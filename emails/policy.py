"""How our messages are written on the wire: the email package's default policy, with two changes.

* ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` are written as one plain line, exactly as given.
  The default policy folds any header line longer than ``max_line_length``; a URL has no space to
  fold at, so it falls back to RFC 2047 encoded words (``=?utf-8?q?=3Chttps=3A...?=``). RFC 2369 and
  RFC 8058 want a plain ``<https://…>``, and Gmail's and Yahoo's one-click unsubscribe only reads
  that. RFC 5322 allows a line of up to 998 characters, which is what such a header may use.
* Body parts are encoded (quoted-printable, base64) in lines of at most 76 characters, as RFC 2045
  requires; the default policy uses its header length, 78.

Every other header folds as the default policy folds it.
"""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import HeaderRegistry
from typing import Any

MAX_LINE_OCTETS = 998  # RFC 5322 2.1.1, without the CRLF
BODY_LINE_LENGTH = 76  # RFC 2045 6.7 (quoted-printable) and 6.8 (base64)
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")


class OneLineHeader:
    """A header written as one line, its value exactly as given: never folded, never encoded.

    Mixed into ``BaseHeader`` by the header registry. Setting a value that could not travel as one such
    line raises ``ValueError``: a line break (it would start another header, refused earlier by the
    policy too), anything but printable ASCII (it would need encoding) or a line over 998 octets.
    """

    max_count = 1

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        if not _PRINTABLE_ASCII.fullmatch(value):
            raise ValueError(f"a one-line header takes printable ASCII only, got {value!r}")
        kwds["parse_tree"] = None  # nothing to fold, so nothing to parse
        kwds["decoded"] = value

    def init(self, name: str, **kwds: Any) -> None:
        super().init(name, **kwds)  # BaseHeader's, which the registry puts after this class
        if len(self._line()) > MAX_LINE_OCTETS:
            raise ValueError(f"{name} would be longer than {MAX_LINE_OCTETS} octets on one line")

    def fold(self, *, policy: policy.Policy) -> str:
        """The whole header as one line, ending with the policy's line separator."""
        return self._line() + policy.linesep

    def _line(self) -> str:
        return f"{self.name}: {self}"


def _registry() -> HeaderRegistry:
    registry = HeaderRegistry()
    for name in ("List-Unsubscribe", "List-Unsubscribe-Post"):
        registry.map_to_type(name, OneLineHeader)
    return registry


OUTGOING = policy.default.clone(max_line_length=BODY_LINE_LENGTH, header_factory=_registry())
"""The policy every message we send is built with."""
