"""Segments: which texts go as GSM-7 and which as UCS-2, and how many billed segments each takes."""

import pytest

from integrations.sms.segments import (
    Encoding,
    count_segments,
    encoding_of,
    fits_one_segment,
    non_gsm_characters,
    segment_text,
)


def utf16_units(text: str) -> int:
    """UTF-16 code units, counted by Python's own codec rather than by the code under test."""
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    "text",
    [
        "Your meet-up is tomorrow at 7 pm. Reply NO if you can't come.",
        # ñ, é, ¿, ¡, ü and à are in the GSM-7 basic set: this Spanish needs no UCS-2.
        "¡Hola! Su encuentro es mañana, miércoles. ¿Viene? Responda NO si no puede venir. Pingüino à",
        "Prices in € and [brackets] {braces} ~tilde~ |bar| \\ ^ are in the extension table",
    ],
)
def test_text_made_of_gsm_characters_goes_as_gsm7(text):
    assert encoding_of(text) is Encoding.GSM_7
    assert non_gsm_characters(text) == ()


@pytest.mark.parametrize(
    ("text", "culprits"),
    [
        ("Su reunión es el sábado", ("ó", "á")),
        ("Nos vemos 👍", ("👍",)),
        ("It’s tomorrow", ("’",)),  # a curly apostrophe, as phones and word processors type it
        ("Día, acción, aquí, útil", ("í", "ó", "ú")),
    ],
)
def test_one_character_outside_gsm7_sends_the_whole_text_as_ucs2(text, culprits):
    assert encoding_of(text) is Encoding.UCS_2
    assert non_gsm_characters(text) == culprits
    assert segment_text(text).units == utf16_units(text)


@pytest.mark.parametrize(
    ("length", "segments"), [(0, 0), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_gsm7_takes_160_in_one_segment_and_153_per_segment_when_split(length, segments):
    text = "a" * length
    assert (segment_text(text).units, count_segments(text)) == (length, segments)


@pytest.mark.parametrize(("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)])
def test_ucs2_takes_70_in_one_segment_and_67_per_segment_when_split(length, segments):
    text = "ó" * length
    assert count_segments(text) == segments
    assert fits_one_segment(text) is (segments == 1)


@pytest.mark.parametrize("char", ["€", "[", "]", "{", "}", "~", "^", "|", "\\"])
def test_extension_characters_count_two(char):
    assert segment_text(char * 80).units == 160
    assert count_segments(char * 80) == 1
    assert count_segments(char * 81) == 2
    assert count_segments("a" * 159 + char) == 2


def test_an_extension_character_is_never_cut_between_segments():
    # 306 septets would fit two segments of 153, but the € cannot straddle the first boundary.
    text = "a" * 152 + "€" + "a" * 152
    assert segment_text(text).units == 306
    assert count_segments(text) == 3


def test_emoji_take_two_units_and_are_never_cut_between_segments():
    assert segment_text("👍").units == 2 == utf16_units("👍")
    assert count_segments("👍" * 35) == 1
    assert count_segments("a" * 69 + "👍") == 2
    # 134 units would fit two segments of 67, but the emoji cannot straddle the first boundary.
    assert count_segments("ó" * 66 + "👍" + "ó" * 66) == 3


def test_an_accent_can_cost_a_segment():
    english = "Reminder: your group meets tomorrow at 19:00. Reply NO if you can't come, STOP to stop texts."
    spanish = "Recordatorio: su grupo se reúne mañana a las 19:00. Responda NO si no puede venir, o ALTO."
    assert (encoding_of(english), count_segments(english)) == (Encoding.GSM_7, 1)
    assert (encoding_of(spanish), count_segments(spanish)) == (Encoding.UCS_2, 2)
    assert count_segments(spanish.replace("reúne", "reune")) == 1
