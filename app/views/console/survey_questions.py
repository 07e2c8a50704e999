"""Console routes: survey_questions."""

from app.views.console.access import blueprint  # noqa: F401
