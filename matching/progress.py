"""A plain-text progress bar for long runs, written to a stream (stderr in the CLI)."""

from __future__ import annotations

from typing import TextIO

BAR_WIDTH = 30


class ProgressBar:
    """A progress callback (see `matcher.ProgressCallback`) that redraws one line in place."""

    def __init__(self, stream: TextIO, width: int = BAR_WIDTH) -> None:
        self.stream = stream
        self.width = width
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Redraw the bar for `done` of `total` registrants in `stage`."""
        share = done / total if total else 1.0
        filled = round(share * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {share:4.0%} {stage:<10} {done}/{total}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """End the bar's line, if one was drawn."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
