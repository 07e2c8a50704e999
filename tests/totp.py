"""Time-based one-time codes written from RFC 6238 (HMAC-SHA1, as authenticator apps use), so the tests
check the app's codes with something other than the library that makes them. `test_two_factor` checks
this against the RFC's own test vectors (Appendix B)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

STEP_SECONDS = 30


def hotp(key: bytes, counter: int, digits: int = 6) -> str:
    """RFC 4226: the HMAC-SHA1 of the counter, dynamically truncated to `digits` decimal digits."""
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def totp(secret: str, at: float, digits: int = 6) -> str:
    """The code of a base32 `secret` (as in an otpauth:// URI) at Unix time `at`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    return hotp(key, int(at // STEP_SECONDS), digits)
