"""A trigram index on registrants' names, for the console's name search

Revision ID: 0019
Revises: 0018

The console finds the groups of a registrant whose name contains what the coordinator typed, in any case
(`ILIKE '%ana%'` on PostgreSQL). No B-tree serves a match in the middle of a name, so every search read all
of a program's names: 100,000 of them in a large program. On PostgreSQL, `ix_participant_name_trigrams`, a
GIN index of the names' trigrams (`pg_trgm`, an extension PostgreSQL ships and lets a database's owner
install), finds the few names that can match, and only those are read. The extension lives in one schema of
the database, whichever installed it first, so the index names its operator class there. SQLite has no
trigram index: it gets a plain index on the name, so that both databases have the index the model declares,
and searches as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    options = {}
    if op.get_bind().dialect.name == "postgresql":
        trigrams = f"{_trigrams_schema()}.gin_trgm_ops"
        options = {"postgresql_using": "gin", "postgresql_ops": {"display_name": trigrams}}
    op.create_index("ix_participant_name_trigrams", "participant", ["display_name"], **options)


def downgrade() -> None:
    # The extension stays: something else in the database may use it.
    op.drop_index("ix_participant_name_trigrams", table_name="participant")


def _trigrams_schema() -> str:
    """The schema of `pg_trgm` (quoted where it needs to be), installed first where it is not yet."""
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    return op.get_bind().scalar(
        sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
    )
