"""The debrief and concern forms' fields, as the plain values `app.inputs.concerns` checks."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

RAISE_CONCERN = "raise_concern"


def concern_data(form: MultiDict) -> dict[str, Any]:
    return {"concern": form.get("concern", ""), "about": form.get("about", "")}


def debrief_data(form: MultiDict) -> dict[str, Any]:
    """The debrief; the concern's fields count only when its box is ticked."""
    return {
        "mood": form.get("mood", ""),
        "note": form.get("note", ""),
        RAISE_CONCERN: form.get(RAISE_CONCERN) == "yes",
        **concern_data(form),
    }
