"""Who is signed in: Flask-Login's view of coordinator accounts."""

from __future__ import annotations

from app import database
from app.models import Coordinator


def load_coordinator(user_id: str) -> Coordinator | None:
    if not user_id.isdigit():
        return None
    return database.session().get(Coordinator, int(user_id))
