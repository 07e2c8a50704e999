"""Text messages (SMS) through Twilio: the Messages API client, webhook signatures and payloads, segment
counting, reading people's replies, and a local emulator.

Takes plain values only: no Flask, no database, no environment variables.
"""

from integrations.retry import RetryPolicy
from integrations.sms.client import DEFAULT_API_BASE_URL, TwilioClient
from integrations.sms.errors import (
    OPTED_OUT,
    SmsAuthError,
    SmsConnectionError,
    SmsError,
    SmsOptedOutError,
    SmsOutcomeUnknownError,
    SmsRateLimitError,
    SmsRecipientError,
    SmsRejectedError,
    SmsServerError,
    SmsTimeoutError,
)
from integrations.sms.keywords import CANT_COME_REPLY, ReplyKind, classify_reply, twilio_keyword
from integrations.sms.models import SentMessage, is_e164
from integrations.sms.segments import Encoding, Segmentation, count_segments, fits_one_segment, segment_text
from integrations.sms.signature import SIGNATURE_HEADER, compute_signature, is_valid_signature
from integrations.sms.webhooks import (
    InboundMessage,
    StatusReport,
    WebhookPayloadError,
    parse_webhook,
    twiml_response,
)

__all__ = [
    "CANT_COME_REPLY",
    "DEFAULT_API_BASE_URL",
    "OPTED_OUT",
    "SIGNATURE_HEADER",
    "Encoding",
    "InboundMessage",
    "ReplyKind",
    "RetryPolicy",
    "Segmentation",
    "SentMessage",
    "SmsAuthError",
    "SmsConnectionError",
    "SmsError",
    "SmsOptedOutError",
    "SmsOutcomeUnknownError",
    "SmsRateLimitError",
    "SmsRecipientError",
    "SmsRejectedError",
    "SmsServerError",
    "SmsTimeoutError",
    "StatusReport",
    "TwilioClient",
    "WebhookPayloadError",
    "classify_reply",
    "compute_signature",
    "count_segments",
    "fits_one_segment",
    "is_e164",
    "is_valid_signature",
    "parse_webhook",
    "segment_text",
    "twilio_keyword",
    "twiml_response",
]
