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


def _choice(value: str, en: str, es: str, fr: str, pt_BR: str, zh_Hans: str) -> dict[str, Any]:
    return {"value": value, "text": _texts(en, es, fr, pt_BR, zh_Hans)}


def _texts(en: str, es: str, fr: str, pt_BR: str, zh_Hans: str) -> dict[str, str]:
    """One text in every shipped language, in the order of `SUPPORTED_LOCALES`."""
    return {"en": en, "es": es, "fr": fr, "pt_BR": pt_BR, "zh_Hans": zh_Hans}


# A program starts with these; coordinators may reword them, drop them or add their own. The `meet_again`
# key is what the console reads to tell whether a group wants to meet again. Each language addresses people
# as its other texts do: "usted" in Spanish, "vous" in French, "você" in Portuguese, "您" in Chinese.
DEFAULT_SURVEY_QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "feeling",
        "kind": "scale",
        "required": True,
        "text": _texts(
            "How did the conversation feel for you?",
            "¿Cómo se sintió en la conversación?",
            "Comment avez-vous vécu la conversation\u00a0?",
            "Como você se sentiu na conversa?",
            "您觉得这次交流怎么样？",
        ),
        "low": _texts("Not good at all", "Nada bien", "Pas bien du tout", "Nada bem", "一点也不好"),
        "high": _texts("Very good", "Muy bien", "Très bien", "Muito bem", "非常好"),
    },
    {
        "key": "less_alone",
        "kind": "choice",
        "required": True,
        "text": _texts(
            "Do you feel less alone after talking with the group?",
            "¿Se siente menos solo o sola después de hablar con el grupo?",
            "Vous sentez-vous moins seul ou seule après avoir parlé avec le groupe\u00a0?",
            "Você se sente menos sozinho ou sozinha depois de conversar com o grupo?",
            "和小组交谈之后，您是否觉得没那么孤单了？",
        ),
        "options": [
            _choice("yes", "Yes", "Sí", "Oui", "Sim", "是的"),
            _choice("a_little", "A little", "Un poco", "Un peu", "Um pouco", "有一点"),
            _choice("no", "No", "No", "Non", "Não", "没有"),
        ],
    },
    {
        "key": "host_helped",
        "kind": "choice",
        "required": True,
        "text": _texts(
            "Did the host help the conversation?",
            "¿Le ayudó la persona anfitriona?",
            "La personne qui animait a-t-elle aidé la conversation\u00a0?",
            "A pessoa que conduziu a conversa ajudou?",
            "主持人对这次交流有帮助吗？",
        ),
        "options": [
            _choice("yes", "Yes", "Sí", "Oui", "Sim", "有帮助"),
            _choice("somewhat", "Somewhat", "En parte", "En partie", "Em parte", "有些帮助"),
            _choice("no", "No", "No", "Non", "Não", "没有帮助"),
        ],
    },
    {
        "key": "meet_again",
        "kind": "choice",
        "required": True,
        "text": _texts(
            "Would you like to meet again with the same group in about a month?",
            "¿Le gustaría volver a reunirse con el mismo grupo dentro de un mes?",
            "Aimeriez-vous retrouver le même groupe dans un mois environ\u00a0?",
            "Você gostaria de se encontrar de novo com o mesmo grupo daqui a mais ou menos um mês?",
            "大约一个月后，您愿意和同一个小组再聚一次吗？",
        ),
        "options": [
            _choice("yes", "Yes", "Sí", "Oui", "Sim", "愿意"),
            _choice("maybe", "Maybe", "Quizás", "Peut-être", "Talvez", "也许"),
            _choice("no", "No", "No", "Non", "Não", "不愿意"),
        ],
    },
    {
        "key": "comments",
        "kind": "text",
        "required": False,
        "text": _texts(
            "Is there anything else you would like to tell us?",
            "¿Hay algo más que quiera contarnos?",
            "Souhaitez-vous nous dire autre chose\u00a0?",
            "Há mais alguma coisa que você gostaria de nos contar?",
            "您还有什么想告诉我们的吗？",
        ),
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
