"""Twilio delivering the same text several times at once, over real HTTP, on both databases: one of the
deliveries acts on it, the others find it kept."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from app.messages.kinds import MessageKind
from app.models import MeetingAnswer, OutboundMessage, TextReply
from integrations.sms import compute_signature
from integrations.sms.emulator_delivery import read_replies

from .conftest import WEBHOOK, TextsKit, message_sid

ATTEMPTS = 6


def test_the_same_text_delivered_at_once_is_acted_on_once(kit: TextsKit, server):
    kit.sent_text("Ana")
    params = kit.inbound(kit.phones["Ana"], "NO", sid=message_sid())
    # Signed for the public address, though the server is reached at another: as behind a proxy.
    signature = compute_signature(kit.settings.twilio.auth_token, kit.settings.base_url + WEBHOOK, params)

    def deliver(_):
        answer = requests.post(
            server + WEBHOOK, data=params, headers={"X-Twilio-Signature": signature}, timeout=30
        )
        return answer.status_code, read_replies(answer.text, answer.headers["Content-Type"])[0]

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        answers = list(pool.map(deliver, range(ATTEMPTS)))
    assert [status for status, _ in answers] == [200] * ATTEMPTS
    assert sorted(len(replies) for _, replies in answers) == [0] * (ATTEMPTS - 1) + [1]
    assert len(kit.rows(TextReply)) == 1
    assert len(kit.rows(MeetingAnswer)) == 1
    assert len(kit.rows(OutboundMessage, OutboundMessage.kind == MessageKind.MEMBER_ANSWER)) == 1
