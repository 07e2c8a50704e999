"""Console routes: results."""

from app.views.console.access import blueprint  # noqa: F401
