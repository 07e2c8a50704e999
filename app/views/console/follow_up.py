"""Console routes: follow_up."""

from app.views.console.access import blueprint  # noqa: F401
