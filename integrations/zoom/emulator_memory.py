"""The Zoom emulator's memory kept in a file, so that in practice mode (`make run`) the meetings made before a
restart still start and join afterwards: the app's database keeps them, as Zoom itself would."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from integrations.zoom.emulator import ZoomEmulator


class RememberingEmulator:
    """The emulator as a WSGI application that reads what it remembered from `path` when it starts, and writes
    it there again after every request it answers (small, and only in practice mode)."""

    def __init__(self, emulator: ZoomEmulator, path: Path):
        self.emulator = emulator
        self.path = path
        self._lock = threading.Lock()
        if path.exists():
            emulator.state.restore(json.loads(path.read_text()))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            return self.emulator(environ, start_response)
        finally:
            self._save()

    def _save(self) -> None:
        """Write the file whole, then put it in place, so a stop part-way never leaves half a file."""
        with self._lock:
            written = self.path.with_name(f"{self.path.name}.new")
            written.write_text(json.dumps(self.emulator.state.export()))
            written.replace(self.path)
