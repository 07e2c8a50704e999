"""X-Twilio-Signature: computed as Twilio computes it, and only a genuine one accepted."""

import base64
import hashlib
import hmac

import pytest
from werkzeug.datastructures import MultiDict

from integrations.sms.signature import compute_signature, is_valid_signature

# The example in Twilio's documentation of webhook security, also the test vector of its Python library.
TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def by_hand(token: str, text: str) -> str:
    """base64(HMAC-SHA1(token, text)), written out here rather than taken from the code under test."""
    return base64.b64encode(hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()).decode()


def test_signature_matches_twilios_published_example():
    assert compute_signature(TOKEN, URL, PARAMS) == SIGNATURE
    assert is_valid_signature(TOKEN, URL, PARAMS, SIGNATURE)


def test_parameters_are_sorted_by_name_and_repeated_ones_by_value():
    form = MultiDict([("To", "+15005550006"), ("Body", "Hola ¿qué tal? 👍"), ("B", "2"), ("B", "1")])
    expected = by_hand("tok", "https://example.org/webhooks/smsB1B2BodyHola ¿qué tal? 👍To+15005550006")
    assert compute_signature("tok", "https://example.org/webhooks/sms", form) == expected
    # The same parameters as pairs, or as a mapping to lists, sign the same.
    assert (
        compute_signature("tok", "https://example.org/webhooks/sms", list(form.items(multi=True))) == expected
    )
    assert compute_signature("tok", "https://example.org/webhooks/sms", form.to_dict(flat=False)) == expected


def test_no_parameters_sign_the_url_alone():
    assert compute_signature("tok", "https://example.org/x?y=1", {}) == by_hand(
        "tok", "https://example.org/x?y=1"
    )


@pytest.mark.parametrize(
    ("url", "signature"),
    [
        # Twilio signs with or without the default port depending on the product (vectors of its library).
        (URL.replace(".com", ".com:1234"), SIGNATURE),
        (URL, "kvajT1Ptam85bY51eRf/AJRuM3w="),  # signed as https://mycompany.com:443/...
        (URL.replace("https", "http"), "0ZXoZLH/DfblKGATFgpif+LLRf4="),  # signed with :80
        (URL.replace(".com", ".com:1234").replace("https", "http"), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="),
    ],
)
def test_ports_are_tolerated_as_twilio_requires(url, signature):
    assert is_valid_signature(TOKEN, url, PARAMS, signature)


@pytest.mark.parametrize(
    ("token", "url", "params", "signature"),
    [
        ("54321", URL, PARAMS, SIGNATURE),  # another account's token
        (TOKEN, URL.replace("foo=1", "foo=2"), PARAMS, SIGNATURE),  # the query changed
        (TOKEN, URL.replace("myapp", "other"), PARAMS, SIGNATURE),  # the path changed
        (TOKEN, URL.replace("https", "http"), PARAMS, SIGNATURE),  # the scheme changed
        (TOKEN, URL, {**PARAMS, "Digits": "1235"}, SIGNATURE),  # a value changed
        (TOKEN, URL, {**PARAMS, "Extra": ""}, SIGNATURE),  # a parameter added
        (TOKEN, URL, {k: v for k, v in PARAMS.items() if k != "To"}, SIGNATURE),  # one taken away
        (TOKEN, URL, PARAMS, SIGNATURE.lower()),
        (TOKEN, URL, PARAMS, by_hand(TOKEN, URL)),  # signed without the parameters
        (TOKEN, URL, PARAMS, ""),
        (TOKEN, URL, PARAMS, None),
    ],
)
def test_anything_changed_or_forged_is_refused(token, url, params, signature):
    assert not is_valid_signature(token, url, params, signature)
