"""Whether a secret is strong enough to run in production, by rules a deployer can check by eye.

A secret made by a random generator passes every rule; a secret a person typed or copied from an example
usually breaks one. The rules, in the order they are checked:

- long enough (how long depends on the secret);
- no placeholder word: "change me", "secret", "password", "example" and the like, in any case and with any
  separators — these are what example files and tutorials ship;
- not one piece repeated ("abcabcabc…", "xxxx…");
- not mostly runs, where most neighbouring characters are equal or next to each other ("aabbcc…", "abcdef…",
  "0123456789…");
- enough randomness by a simple estimate: the length times the Shannon entropy of the secret's own characters,
  which is low when it uses few different characters or leans on some of them. A generated key of 32
  characters scores well over 64 bits; "ab" repeated scores 1 bit per character.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

PLACEHOLDER_WORDS = (
    "changeme",
    "secret",
    "password",
    "passwd",
    "example",
    "placeholder",
    "replace",
    "default",
    "insecure",
    "dummy",
    "sample",
    "qwerty",
)
MIN_ESTIMATED_BITS = 64
MAX_RUN_SHARE = 0.75


def secret_weakness(secret: str, min_length: int) -> str | None:
    """Why `secret` is too weak, as the end of a sentence ("it has 8 characters…"), or None if it is fine."""
    if len(secret) < min_length:
        return f"it has {len(secret)} characters, and at least {min_length} are needed"
    squeezed = re.sub(r"[^a-z0-9]", "", secret.lower())
    word = next((word for word in PLACEHOLDER_WORDS if word in squeezed), None)
    if word:
        return f'it contains "{word}", as placeholders and guessable values do'
    if piece := _repeated_piece(secret):
        return f'it repeats "{piece}" over and over'
    if _run_share(secret) >= MAX_RUN_SHARE:
        return "most of its characters are equal or next to each other (like aaaa or abcd)"
    bits = estimated_bits(secret)
    if bits < MIN_ESTIMATED_BITS:
        return (
            f"it uses too few different characters (about {bits:.0f} bits of randomness, "
            f"and at least {MIN_ESTIMATED_BITS} are needed)"
        )
    return None


def estimated_bits(secret: str) -> float:
    """The length times the Shannon entropy of the secret's own characters: a rough, honest estimate."""
    counts = Counter(secret).values()
    return -sum(count * math.log2(count / len(secret)) for count in counts)


def _repeated_piece(secret: str) -> str | None:
    """The shortest piece the whole secret repeats (at least twice), if there is one."""
    for size in range(1, len(secret) // 2 + 1):
        if all(secret[index] == secret[index - size] for index in range(size, len(secret))):
            return secret[:size]
    return None


def _run_share(secret: str) -> float:
    """The share of neighbouring characters that are equal or next to each other in the alphabet."""
    pairs = list(itertools.pairwise(secret))
    if not pairs:
        return 1.0
    return sum(abs(ord(first) - ord(second)) <= 1 for first, second in pairs) / len(pairs)
