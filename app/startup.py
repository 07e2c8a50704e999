"""What a process of the app makes as it starts lives as long as the process does.

Importing the app (its modules and the libraries they import, the ORM's models and tables) makes a few
hundred thousand objects, and Python's cycle collector, woken every few hundred new objects, walked them
again and again as they piled up: a fifth of a `flask` command's start. Its last collection, when the
process exits, walked them once more only to free memory the system takes back at once: a third of a
second of every command, whatever its work.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager

# At exit, every object still tracked is frozen first, so the last collection walks none of them. Reference
# counting still frees the rest; files are flushed and closed and other atexit handlers run as ever. What
# only a collection would have freed (a pooled database connection held in a reference cycle) is closed by
# the system as the process ends: everything committed is already written.
atexit.register(gc.freeze)


@contextmanager
def lasting_objects() -> Iterator[None]:
    """The objects the block makes live as long as the process: the collector is paused while they are made,
    and they (with every object made before them) are then frozen out of its walks for good.

    Only for what is made once per process, such as its modules: a frozen object is never collected."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
