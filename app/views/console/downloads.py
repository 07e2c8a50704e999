"""CSV downloads from the console, safe to open in a spreadsheet, written while they are sent."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from flask import Response

from app import database

# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows are sent in pieces of about this many characters, so the web process holds one piece at a time.
CHUNK_CHARACTERS = 32 * 1024


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV attachment; every text cell is written so a spreadsheet shows it as written, never runs it.

    `rows` may be lazy and read from the request's session: they are written as the download is sent, and
    the session is closed once it is over."""
    response = Response(
        _chunks(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    return database.close_session_after(response)


def _chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(_cells(row))
        if buffer.tell() >= CHUNK_CHARACTERS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cells(row: Sequence[Any]) -> list[Any]:
    """The row with every text cell a spreadsheet would run written as text (one pass, no call per cell:
    it runs for every cell of every row)."""
    return [
        "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value for value in row
    ]
