"""The program's own survey questions, as a coordinator edits them in the console."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from app.content import main_first
from app.inputs.survey_questions import validate_survey_settings
from app.models import Cohort, Coordinator, Meeting, Program, SurveyResponse
from app.services.programs import record_change


def update_survey_settings(
    session: Session, program: Program, data: Mapping[str, Any], *, by: Coordinator
) -> list[str]:
    """Apply checked survey settings; returns what changed (nothing changed: nothing is recorded)."""
    before = list(program.survey_questions)
    languages = main_first(program.languages, program.default_locale)
    settings = validate_survey_settings(data, before, _answered_keys(session, program), languages)
    changes = {
        "survey_questions": list(settings.questions),
        "survey_anonymous": settings.anonymous,
        "survey_reminder_days": settings.reminder_days,
    }
    changed = [name for name, value in changes.items() if getattr(program, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(program, name, changes[name])
    session.add(program)
    old_keys, new_keys = [q["key"] for q in before], [q["key"] for q in settings.questions]
    record_change(
        session, "program.survey_changed", program, by, subject=("program", program.id), fields=changed,
        added=[key for key in new_keys if key not in old_keys],
        removed=[key for key in old_keys if key not in new_keys],
    )  # fmt: skip
    session.flush()
    return changed


def _answered_keys(session: Session, program: Program) -> set[str]:
    """Every question key an answer of this program was ever stored under, removed questions' too."""
    stored = session.exec(
        select(SurveyResponse.answers)
        .join(Meeting, Meeting.id == SurveyResponse.meeting_id)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id)
    )
    return {key for answers in stored for key in answers}
