"""The short link a text carries: `/t/<code>`, one per text, leading to the page the text is about.

A text has room for one short link, so the code is compact rather than a signed token with a payload: the
outbox row's id in base 36 followed by a keyed hash of it (`CODE_MAC_LENGTH` characters, HMAC-SHA256 under
the site's secret key, so codes cannot be guessed or forged). Followed, the row says whom and which meeting
the text was for, and the visitor is sent on to the signed link the email of the same kind carries: the
survey for a survey text, the person's own page (with their meeting on it) for every other. Nothing is
stored for it, and a link stops working when its row goes with its person's erasure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app
from sqlmodel import Session

from app.links import absolute_url, participant_links, signed_url
from app.messages.kinds import Channel, MessageKind
from app.models import OutboundMessage, Participant, ParticipantStatus, Program

CODE_MAC_LENGTH = 10  # 60 bits of the hash: far beyond guessing, one request at a time
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def text_link(message_id: int) -> str:
    """The absolute short link of the text in outbox row `message_id`."""
    return absolute_url("text_links.follow", code=text_link_code(message_id))


def text_link_code(message_id: int) -> str:
    return _base36(message_id) + _mac(message_id)


def text_link_target(session: Session, code: str) -> str | None:
    """Where the short link `code` leads (a signed link on BASE_URL), or None for a code that is wrong,
    or whose text or person is no longer there."""
    message_id = _message_id(code)
    message = session.get(OutboundMessage, message_id) if message_id is not None else None
    if message is None or message.channel != Channel.SMS or message.participant_id is None:
        return None
    participant = session.get(Participant, message.participant_id)
    if participant is None or participant.status == ParticipantStatus.ERASED:
        return None
    if message.kind == MessageKind.SURVEY:
        payload = {"p": message.participant_id, "m": message.meeting_id}
        return signed_url("survey.answer", "survey", payload)
    slug = session.get(Program, message.program_id).slug
    return participant_links(slug, message.participant_id)["manage_url"]


def _message_id(code: str) -> int | None:
    digits, mac = code[:-CODE_MAC_LENGTH], code[-CODE_MAC_LENGTH:]
    if not digits or len(digits) > 12 or any(digit not in _DIGITS for digit in digits):
        return None
    message_id = int(digits, 36)
    return message_id if hmac.compare_digest(mac, _mac(message_id)) else None


def _mac(message_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"peer-meetups/text-link/{message_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:CODE_MAC_LENGTH]


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = _DIGITS[digit] + digits
        if not number:
            return digits
