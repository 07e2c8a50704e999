"""Console session tokens, Zoom calls that cancel a registration, and the Spanish survey in "usted"

Revision ID: 0005
Revises: 0004

- `coordinator.session_token`: what a console session cookie must carry besides the account id; a new
  random one ends every session of the account (signing out, changing the password). Existing accounts
  get one each, so sessions from before this release end and their owners sign in again once.
- `zoomoperation.kind` grows to 32 characters for `cancel_registration`.
- The default Spanish survey questions said "tú" where the rest of the service says "usted"; programs
  whose questions still have the old default wording get the new one (reworded questions are left alone).
"""

import secrets
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The default questions' Spanish, as 0004 wrote it ("tú") and as it is now ("usted").
TU_TO_USTED = {
    "¿Cómo te sentiste en la conversación?": "¿Cómo se sintió en la conversación?",
    "¿Te sientes menos solo o sola después de hablar con el grupo?": (
        "¿Se siente menos solo o sola después de hablar con el grupo?"
    ),
    "¿Te ayudó la persona anfitriona?": "¿Le ayudó la persona anfitriona?",
    "¿Te gustaría volver a reunirte con el mismo grupo dentro de un mes?": (
        "¿Le gustaría volver a reunirse con el mismo grupo dentro de un mes?"
    ),
    "¿Hay algo más que quieras contarnos?": "¿Hay algo más que quiera contarnos?",
}

coordinator = sa.table("coordinator", sa.column("id", sa.Integer()), sa.column("session_token", sa.String()))
program = sa.table("program", sa.column("id", sa.Integer()), sa.column("survey_questions", sa.JSON()))


def upgrade() -> None:
    with op.batch_alter_table("zoomoperation") as batch_op:
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=16), type_=sa.String(length=32), existing_nullable=False
        )
    with op.batch_alter_table("coordinator") as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    _give_each_account_a_token()
    with op.batch_alter_table("coordinator") as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)
    _reword_spanish_questions(TU_TO_USTED)


def downgrade() -> None:
    _reword_spanish_questions({usted: tu for tu, usted in TU_TO_USTED.items()})
    with op.batch_alter_table("coordinator") as batch_op:
        batch_op.drop_column("session_token")
    with op.batch_alter_table("zoomoperation") as batch_op:
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=32), type_=sa.String(length=16), existing_nullable=False
        )


def _give_each_account_a_token() -> None:
    connection = op.get_bind()
    for (account_id,) in connection.execute(sa.select(coordinator.c.id)).all():
        token = secrets.token_urlsafe(32)
        where = coordinator.c.id == account_id
        connection.execute(coordinator.update().where(where).values(session_token=token))


def _reword_spanish_questions(wording: dict[str, str]) -> None:
    """Replace each question's Spanish text found in `wording` by its counterpart, in every program."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(program.c.id, program.c.survey_questions)).all()
    for program_id, questions in rows:
        reworded = [_reworded(question, wording) for question in questions or []]
        if reworded != questions:
            connection.execute(
                program.update().where(program.c.id == program_id).values(survey_questions=reworded)
            )


def _reworded(question: dict[str, Any], wording: dict[str, str]) -> dict[str, Any]:
    spanish = question.get("text", {}).get("es")
    if spanish not in wording:
        return question
    return {**question, "text": {**question["text"], "es": wording[spanish]}}
