"""A version of each program's registration terms, moved by the database whenever they change

Revision ID: 0022
Revises: 0021

Each web process keeps a copy of what a registration checks of a program (whether it is open, its languages,
its conditions and their stages…), and the statement that records a registration writes nothing unless the
program's `terms_version` is still the copy's (`app.services.registration_record`). So the version must move
with every change of a program row and of its conditions' and stages' rows, whoever writes them: the console,
a command, a later migration, someone at a SQL prompt. Triggers move it, on both databases:
- any UPDATE of a program row that leaves `terms_version` as it was raises it by one;
- any INSERT, UPDATE or DELETE of a condition or stage row raises its program's.

SQLite drops a table's triggers with the table, and Alembic's batch mode on SQLite rebuilds a table to alter
it: a later migration that alters `program`, `condition` or `stage` in batch mode must create these again
(`create_triggers`); the registration tests that change terms behind a process's back fail without them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# For each table whose rows make up a program's terms, the programs a changed row belongs to, from its
# values before (OLD) or after (NEW) the change.
_PROGRAMS_OF = {
    "condition": "{row}.program_id",
    "stage": "(SELECT program_id FROM condition WHERE id = {row}.condition_id)",
}
_SQLITE_EVENTS = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}
_MOVE_TERMS = "UPDATE program SET terms_version = terms_version + 1 WHERE id IN ({programs})"


def upgrade() -> None:
    with op.batch_alter_table("program") as batch_op:
        batch_op.add_column(sa.Column("terms_version", sa.Integer(), nullable=False, server_default="1"))
    create_triggers()


def downgrade() -> None:
    drop_triggers()
    with op.batch_alter_table("program") as batch_op:
        batch_op.drop_column("terms_version")


def create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _create_postgresql_triggers()
    else:
        _create_sqlite_triggers()


def drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER program_terms_changed ON program")
        op.execute("DROP FUNCTION program_terms_changed()")
        for table in _PROGRAMS_OF:
            op.execute(f"DROP TRIGGER {table}_moves_program_terms ON {table}")
            op.execute(f"DROP FUNCTION {table}_moves_program_terms()")
        return
    op.execute("DROP TRIGGER program_terms_changed")
    for table in _PROGRAMS_OF:
        for event in _SQLITE_EVENTS:
            op.execute(f"DROP TRIGGER {table}_{event.lower()}_moves_program_terms")


def _create_postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION program_terms_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN NEW.terms_version := OLD.terms_version + 1; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER program_terms_changed BEFORE UPDATE ON program FOR EACH ROW "
        "WHEN (NEW.terms_version = OLD.terms_version) EXECUTE FUNCTION program_terms_changed()"
    )
    for table, programs in _PROGRAMS_OF.items():
        # Since PostgreSQL 11, OLD is null in an INSERT's trigger and NEW in a DELETE's, so each names no
        # program there.
        move = _MOVE_TERMS.format(programs=f"{programs.format(row='NEW')}, {programs.format(row='OLD')}")
        op.execute(
            f"CREATE FUNCTION {table}_moves_program_terms() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {move}; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_moves_program_terms AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_moves_program_terms()"
        )


def _create_sqlite_triggers() -> None:
    op.execute(
        "CREATE TRIGGER program_terms_changed AFTER UPDATE ON program "
        "WHEN NEW.terms_version = OLD.terms_version "
        "BEGIN UPDATE program SET terms_version = OLD.terms_version + 1 WHERE id = NEW.id; END"
    )
    for table, programs in _PROGRAMS_OF.items():
        for event, rows in _SQLITE_EVENTS.items():
            move = _MOVE_TERMS.format(programs=", ".join(programs.format(row=row) for row in rows))
            op.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_moves_program_terms AFTER {event} ON {table} "
                f"BEGIN {move}; END"
            )
