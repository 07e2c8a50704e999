"""`X-Twilio-Signature`: how Twilio signs each webhook it sends, and the check that one is genuine.

The signature is base64(HMAC-SHA1(auth token, URL + every POST parameter sorted by name, each written
as name then value, without separators)). The URL is the full one Twilio called, query string included,
exactly as configured on Twilio's side; behind a proxy, rebuild the public URL before checking (that is
the caller's job: this module takes the URL as given). A parameter sent several times counts once per
value, values in sorted order.
"""

import base64
import hashlib
import hmac
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SIGNATURE_HEADER = "X-Twilio-Signature"

#: POST parameters: a mapping of name to value (or to a list of values), a MultiDict, or (name, value) pairs.
Params = Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]]

_DEFAULT_PORTS = {"https": 443, "http": 80}


def compute_signature(auth_token: str, url: str, params: Params) -> str:
    """The `X-Twilio-Signature` Twilio sends with a POST of `params` to `url`."""
    signed = url + "".join(name + value for name, value in sorted(_pairs(params)))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def is_valid_signature(auth_token: str, url: str, params: Params, signature: str | None) -> bool:
    """Whether `signature` is Twilio's for a POST of `params` to `url`, compared in constant time.

    Twilio signs with or without the scheme's default port depending on the product, so `url` also
    passes with its port left out, or with the default port written out.
    """
    if not signature:
        return False
    pairs = list(_pairs(params))
    given = signature.encode()
    matched = False
    for candidate in _url_variants(url):
        # Every variant is compared, so the time taken does not say which one matched.
        matched |= hmac.compare_digest(compute_signature(auth_token, candidate, pairs).encode(), given)
    return matched


def _pairs(params: Any) -> Iterator[tuple[str, str]]:
    if hasattr(params, "lists"):  # werkzeug's MultiDict: every value of every name
        params = dict(params.lists())
    if isinstance(params, Mapping):
        for name, value in params.items():
            if isinstance(value, str):
                yield name, value
            else:
                yield from ((name, item) for item in value)
    else:
        yield from params


def _url_variants(url: str) -> list[str]:
    """`url` as given, without its port, and with the scheme's default port."""
    parts = urlsplit(url)
    variants = [url]
    if parts.port is not None:
        variants.append(urlunsplit(parts._replace(netloc=parts.netloc[: parts.netloc.rindex(":")])))
    elif (default_port := _DEFAULT_PORTS.get(parts.scheme)) is not None:
        variants.append(urlunsplit(parts._replace(netloc=f"{parts.netloc}:{default_port}")))
    return variants
