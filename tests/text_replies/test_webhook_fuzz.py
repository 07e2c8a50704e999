"""Fuzzing `POST /webhooks/sms` with what a form can carry, signed: whatever arrives, the answer is never a
5xx (which Twilio sends again and again), and what is not a text or a report as Twilio sends them is
refused with 400."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import OUR_NUMBER, TextsKit, message_sid

odd_texts = st.sampled_from(
    ["", " ", "\x00", "a\x00b", "é" * 2000, "\u202eevil", "😀", "null", "0" * 80, "+1\x00"]
)
texts = st.text(max_size=40) | odd_texts
statuses = st.sampled_from(["received", "queued", "sent", "delivered", "undelivered", "failed", "bogus", ""])
codes = st.sampled_from(["", "30003", "21610", "x", "9" * 9]) | st.integers(-5, 10**7).map(str)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sender=st.sampled_from(["+15550100000", "+15550199999"]) | texts,
    body=texts | st.sampled_from(["STOP", "NO", "HELP", "START", "AYUDA"]),
    status=st.none() | statuses,
    code=st.none() | codes,
    sid=st.sampled_from([None, "SM" + "0" * 32, "bogus", ""]),
)
def test_whatever_twilio_seems_to_send_is_never_answered_with_a_server_error(
    kit: TextsKit, sender, body, status, code, sid
):
    account = kit.settings.twilio.account_sid
    params = {"MessageSid": message_sid() if sid is None else sid, "AccountSid": account, "From": sender,
              "To": OUR_NUMBER, "Body": body}  # fmt: skip
    if status is not None:
        params["MessageStatus"] = status
    if code is not None:
        params["ErrorCode"] = code
    answer = kit.signed_post(params)
    assert answer.status_code in (200, 400), (answer.status_code, params)
