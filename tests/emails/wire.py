"""Reading messages as they travelled, without the email package that wrote them.

Each check works on the raw bytes an SMTP server received: the lines themselves, Python's `compat32` parser
(which decodes nothing) for the parts' payloads, and postal-mime, a JavaScript parser run by Node, as a
second reader that shares no code with Python's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from emails.catcher import SUFFIX

UNSUBSCRIBE = re.compile(rb"List-Unsubscribe: <(https://[^\s<>]+)>\r")
ONE_CLICK = b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r"
MAX_LINE_OCTETS = 998  # RFC 5322
MAX_BODY_LINE = 76  # RFC 2045, quoted-printable and base64
MAX_CALENDAR_LINE = 75  # RFC 5545
POSTAL_MIME = Path(__file__).parent / "vendor" / "postal_mime_parse.mjs"


@dataclass(frozen=True)
class Travelled:
    """What a message carried, read from its raw bytes."""

    unsubscribe_url: str
    sender_line: str
    calendar: bytes | None
    parsed: Message


def raw_messages(directory: Path) -> list[bytes]:
    """Every message the development mail catcher stored in `directory`, byte for byte, oldest first."""
    return [path.read_bytes() for path in sorted(directory.glob(f"*{SUFFIX}"))]


def check_travelled(raw: bytes) -> Travelled:
    """Assert what every message we send must be on the wire, and return what it carried.

    One plain, unfolded `List-Unsubscribe: <https://…>` line within 998 octets, never encoded words; the
    exact one-click `List-Unsubscribe-Post`; 7-bit CRLF lines, none of the body over 76 octets; a calendar
    file, where there is one, in lines of at most 75 octets, the same inline and attached.
    """
    assert raw.isascii(), "every part is encoded for 7-bit transport"
    lines = raw.split(b"\n")
    assert lines[-1] == b"" and all(line.endswith(b"\r") for line in lines[:-1]), "every line ends in CRLF"
    end_of_headers = lines.index(b"\r")
    headers, body = lines[:end_of_headers], lines[end_of_headers + 1 : -1]

    url = _one_unfolded(headers, b"list-unsubscribe:")
    match = UNSUBSCRIBE.fullmatch(url)
    assert match, f"not a plain List-Unsubscribe line: {url!r}"
    assert len(url) - 1 <= MAX_LINE_OCTETS
    assert _one_unfolded(headers, b"list-unsubscribe-post:") == ONE_CLICK
    too_long = [line for line in body if len(line) - 1 > MAX_BODY_LINE]
    assert not too_long, f"body lines over {MAX_BODY_LINE} octets: {too_long[:3]}"

    parsed = BytesParser(policy=policy.compat32).parsebytes(raw)
    unsubscribe_url = match.group(1).decode("ascii")
    assert parsed["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    return Travelled(
        unsubscribe_url=unsubscribe_url,
        sender_line=_one_unfolded(headers, b"from:").decode("ascii").rstrip("\r"),
        calendar=_calendar(parsed),
        parsed=parsed,
    )


def calendar_lines(calendar: bytes) -> list[str]:
    """The calendar file's content lines, folded lines joined again as RFC 5545 3.1 says."""
    return re.sub(rb"\r\n[ \t]", b"", calendar).decode("utf-8").split("\r\n")


def calendar_values(calendar: bytes, name: str) -> list[str]:
    """The values of every property `name` in the calendar file, in order, whatever its parameters."""
    return [
        line.split(":", 1)[1]
        for line in calendar_lines(calendar)
        if line.startswith((f"{name}:", f"{name};"))
    ]


def plain_text(parsed: Message) -> str:
    """The text/plain part, decoded from its transfer encoding by compat32."""
    part = next(part for part in parsed.walk() if part.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode("utf-8")


def body_font_size(html: str) -> int:
    """The font size, in pixels, of the cell that holds a message's words (the first cell with a size)."""
    return int(re.search(r'<td style="[^"]*font-size:(\d+)px', html).group(1))


def read_with_postal_mime(raw: bytes) -> dict[str, Any]:
    """The message as postal-mime reads it: header values as written, sender, bodies, attachments' text."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Node.js is needed to read messages with a second parser", pytrace=False)
        pytest.skip("Node.js is not installed")
    done = subprocess.run([node, POSTAL_MIME], input=raw, capture_output=True, check=True, timeout=30)
    return json.loads(done.stdout)


def header_values(read: dict[str, Any], name: str) -> list[str]:
    return [value for key, value in read["headers"] if key == name]


def _one_unfolded(headers: list[bytes], prefix: bytes) -> bytes:
    """The only header line starting with `prefix` (any case), checked to have no continuation line."""
    found = [index for index, line in enumerate(headers) if line.lower().startswith(prefix)]
    assert len(found) == 1, f"expected one {prefix!r} header, found {len(found)}"
    [index] = found
    following = headers[index + 1] if index + 1 < len(headers) else b"\r"
    assert following[:1] not in (b" ", b"\t"), f"{prefix!r} is folded onto the next line"
    return headers[index]


def _calendar(parsed: Message) -> bytes | None:
    files = {
        part.get_content_type(): part.get_payload(decode=True)
        for part in parsed.walk()
        if part.get_content_type() in ("text/calendar", "application/ics")
    }
    if not files:
        return None
    assert files["text/calendar"] == files["application/ics"]
    calendar = files["application/ics"]
    lines = calendar.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= MAX_CALENDAR_LINE for line in lines)
    return calendar
