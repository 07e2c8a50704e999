"""Short, stable codes made from names, for what coordinators name: conditions, stages, survey questions and
their answers. Rows and stored answers refer to the code, so a name can change later without breaking them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable


def code_for(name: str, taken: Iterable[str]) -> str:
    """A code made from a name ("Lung cancer" → "lung-cancer"), unlike any `taken` one."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:56] or "item"
    taken = set(taken)
    code, number = base, 2
    while code in taken:
        code, number = f"{base}-{number}", number + 1
    return code
