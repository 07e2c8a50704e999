"""The follow-up survey: each program's questions, the answers, and who has answered.

Who answered (`SurveyReceipt`) and what was answered (`SurveyResponse`) are kept apart: a receipt makes a
link single-use and stops the reminder, and an anonymous response carries nothing that leads back to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, json_dict_field


def _choice(value: str, en: str, es: str) -> dict[str, Any]:
    return {"value": value, "text": {"en": en, "es": es}}


# A program starts with these; coordinators may reword them, drop them or add their own. The `meet_again`
# key is what the console reads to tell whether a group wants to meet again. The Spanish addresses people
# as "usted", like every other Spanish text of the service.
DEFAULT_SURVEY_QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "feeling",
        "kind": "scale",
        "required": True,
        "text": {
            "en": "How did the conversation feel for you?",
            "es": "¿Cómo se sintió en la conversación?",
        },
        "low": {"en": "Not good at all", "es": "Nada bien"},
        "high": {"en": "Very good", "es": "Muy bien"},
    },
    {
        "key": "less_alone",
        "kind": "choice",
        "required": True,
        "text": {
            "en": "Do you feel less alone after talking with the group?",
            "es": "¿Se siente menos solo o sola después de hablar con el grupo?",
        },
        "options": [
            _choice("yes", "Yes", "Sí"),
            _choice("a_little", "A little", "Un poco"),
            _choice("no", "No", "No"),
        ],
    },
    {
        "key": "host_helped",
        "kind": "choice",
        "required": True,
        "text": {"en": "Did the host help the conversation?", "es": "¿Le ayudó la persona anfitriona?"},
        "options": [
            _choice("yes", "Yes", "Sí"),
            _choice("somewhat", "Somewhat", "En parte"),
            _choice("no", "No", "No"),
        ],
    },
    {
        "key": "meet_again",
        "kind": "choice",
        "required": True,
        "text": {
            "en": "Would you like to meet again with the same group in about a month?",
            "es": "¿Le gustaría volver a reunirse con el mismo grupo dentro de un mes?",
        },
        "options": [
            _choice("yes", "Yes", "Sí"),
            _choice("maybe", "Maybe", "Quizás"),
            _choice("no", "No", "No"),
        ],
    },
    {
        "key": "comments",
        "kind": "text",
        "required": False,
        "text": {
            "en": "Is there anything else you would like to tell us?",
            "es": "¿Hay algo más que quiera contarnos?",
        },
    },
]


class SurveyResponse(SQLModel, table=True):
    """`participant_id` stays empty when the answer is anonymous, and then `submitted_at` keeps only the day,
    so not even the time of a receipt can join an answer to a name."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    response_key: str = Field(
        max_length=128, unique=True, description="random; never derived from the person"
    )
    anonymous: bool = False
    answers: dict[str, Any] = json_dict_field()
    submitted_at: datetime = created_at_field()


class SurveyReceipt(SQLModel, table=True):
    """That a participant answered a meeting's survey (not what, and not when)."""

    __table_args__ = (UniqueConstraint("meeting_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True)
