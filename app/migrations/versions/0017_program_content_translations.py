"""Program content in every program language

Revision ID: 0017
Revises: 0016

A program's own texts stay in their columns in its main language (`program.default_locale`): the description,
condition and stage names, stage hints, and the new `program.preparation_tips` (the program's own words in
its tips email). The other languages go in a `translations` column on each row, {field: {locale: text}}, so a
language added later needs no change to the tables. Today's texts are the main language's already: every
row starts with no translations, and its readers see those texts, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRANSLATED = ("program", "condition", "stage")


def upgrade() -> None:
    with op.batch_alter_table("program") as batch_op:
        batch_op.add_column(
            sa.Column("preparation_tips", sa.String(length=2000), nullable=False, server_default="")
        )
    for table in TRANSLATED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("translations", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
            )


def downgrade() -> None:
    for table in reversed(TRANSLATED):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("translations")
    with op.batch_alter_table("program") as batch_op:
        batch_op.drop_column("preparation_tips")
