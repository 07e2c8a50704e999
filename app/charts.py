"""Horizontal bar charts drawn on the server as inline SVG: no JavaScript, and readable without colour.

Every bar has its count and share written beside it ("3 (25%)"), so the chart reads in greyscale print and
with colour blindness, and the SVG names itself (`role="img"`, `aria-label`, `<title>`, and a `<desc>` with
every figure) for screen readers. Pages put the same numbers in a table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

WIDTH = 640
LABEL_WIDTH = 210  # room for about LABEL_CHARS characters at FONT_SIZE
LABEL_CHARS = 28
VALUE_WIDTH = 90
ROW_HEIGHT = 30
BAR_HEIGHT = 20
FONT_SIZE = 14

# Markup.format escapes every argument that is not Markup itself, so labels and titles cannot inject markup.
_CHART = Markup(
    '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{title}" '
    'aria-describedby="{id}-desc" viewBox="0 0 {width} {height}" width="100%" '
    'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif" font-size="{font_size}">'
    '<title>{title}</title><desc id="{id}-desc">{description}</desc>{bars}</svg>'
)
_BAR = Markup(
    '<g class="bar"><text x="{label_x}" y="{middle}" text-anchor="end" dominant-baseline="middle">'
    "<title>{label}</title>{shown}</text>{rect}"
    '<text x="{value_x}" y="{middle}" dominant-baseline="middle">{value}</text></g>'
)
_RECT = Markup(
    '<rect x="{x}" y="{y}" width="{length}" height="{height}" '
    'fill="#0b5cab" stroke="#1b1f24" stroke-width="1"/>'
)


def percent(count: int, total: int) -> str:
    """`count` as a whole percentage of `total` ("25%"); "0%" when there is nothing to share."""
    return f"{round(100 * count / total)}%" if total else "0%"


def bar_chart(labels: Sequence[str], counts: Sequence[int], *, title: str, chart_id: str) -> Markup:
    """One horizontal bar per label, as long as its count (the largest fills the width), with its count and
    its share of all the counts written after it. `chart_id` keeps the ids inside unique on the page."""
    if len(labels) != len(counts):
        raise ValueError("a bar chart needs as many counts as labels")
    total, largest = sum(counts), max(counts, default=0)
    pairs = list(zip(labels, counts, strict=True))
    summary = "; ".join(f"{label}: {count} ({percent(count, total)})" for label, count in pairs)
    return _CHART.format(
        title=title,
        id=chart_id,
        width=WIDTH,
        height=max(len(pairs), 1) * ROW_HEIGHT,
        font_size=FONT_SIZE,
        description=f"{total} in all. {summary}." if pairs else "Nothing to show yet.",
        bars=Markup("").join(
            _bar(row, label, count, total, largest) for row, (label, count) in enumerate(pairs)
        ),
    )


def _bar(row: int, label: str, count: int, total: int, largest: int) -> Markup:
    top = row * ROW_HEIGHT
    length = round((WIDTH - LABEL_WIDTH - VALUE_WIDTH) * count / largest) if largest else 0
    rect = (
        _RECT.format(x=LABEL_WIDTH, y=top + (ROW_HEIGHT - BAR_HEIGHT) // 2, length=length, height=BAR_HEIGHT)
        if length
        else Markup("")
    )
    return _BAR.format(
        label_x=LABEL_WIDTH - 8,
        middle=top + ROW_HEIGHT // 2,
        label=label,
        shown=label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…",
        rect=rect,
        value_x=LABEL_WIDTH + length + 6,
        value=f"{count} ({percent(count, total)})",
    )
