"""How many SMS segments a text takes, and in which encoding (each segment is billed).

A text made only of GSM-7 characters (GSM 03.38: the basic set, plus the extension table whose
characters take two septets each) goes as GSM-7: 160 septets in one segment, 153 per segment when
split (a header takes the rest). Any other character — á, í, ó, ú, most emoji, curly quotes — sends
the whole text as UCS-2: 70 UTF-16 code units in one segment, 67 per segment when split; a character
outside the Basic Multilingual Plane (most emoji) takes two units. A two-septet character or a
surrogate pair is never cut between two segments, so a split text may take one segment more than a
plain division says; this counts as phones and Twilio do.
"""

from dataclasses import dataclass
from enum import StrEnum

# GSM 03.38 basic character set, less the escape (0x1B) that introduces the extension table.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each character is sent as escape + character, two septets.
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

MAX_BODY_LENGTH = 1600  # characters Twilio accepts in one message body (error 21617 beyond)


class Encoding(StrEnum):
    """How a text is sent over SMS."""

    GSM_7 = "GSM-7"
    UCS_2 = "UCS-2"


#: Units (septets or UTF-16 code units) that fit in a text of one segment.
SINGLE_SEGMENT_UNITS = {Encoding.GSM_7: 160, Encoding.UCS_2: 70}
#: Units per segment once a text is split (each segment carries a header).
MULTI_SEGMENT_UNITS = {Encoding.GSM_7: 153, Encoding.UCS_2: 67}


@dataclass(frozen=True)
class Segmentation:
    """How a text goes over SMS: its encoding, the units it takes (septets for GSM-7, UTF-16 code units
    for UCS-2) and the number of segments (0 for an empty text)."""

    encoding: Encoding
    units: int
    segments: int


def encoding_of(text: str) -> Encoding:
    """GSM-7 when every character of `text` is in GSM 03.38 (basic set or extension table), else UCS-2."""
    return Encoding.GSM_7 if all(_is_gsm(char) for char in text) else Encoding.UCS_2


def non_gsm_characters(text: str) -> tuple[str, ...]:
    """The distinct characters of `text` that force UCS-2, in the order they first appear."""
    return tuple(dict.fromkeys(char for char in text if not _is_gsm(char)))


def segment_text(text: str) -> Segmentation:
    """The encoding, length in units and segment count of `text`, as a phone would send it."""
    encoding = encoding_of(text)
    widths = [_width(char, encoding) for char in text]
    units = sum(widths)
    if units <= SINGLE_SEGMENT_UNITS[encoding]:
        return Segmentation(encoding, units, 1 if units else 0)
    return Segmentation(encoding, units, _packed_segments(widths, MULTI_SEGMENT_UNITS[encoding]))


def count_segments(text: str) -> int:
    """How many segments (billed messages) `text` takes."""
    return segment_text(text).segments


def fits_one_segment(text: str) -> bool:
    """Whether `text` goes as a single segment (160 GSM-7 septets, or 70 UCS-2 units)."""
    return segment_text(text).segments <= 1


def _is_gsm(char: str) -> bool:
    return char in GSM_BASIC or char in GSM_EXTENSION


def _width(char: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM_7:
        return 2 if char in GSM_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1  # a surrogate pair in UTF-16


def _packed_segments(widths: list[int], per_segment: int) -> int:
    """Segments needed when each character's units stay together in one segment."""
    segments, used = 1, 0
    for width in widths:
        if used + width > per_segment:
            segments, used = segments + 1, 0
        used += width
    return segments
