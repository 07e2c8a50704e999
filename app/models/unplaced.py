"""Who is waiting for a group, kept by the database: a row for each verified registrant with no place in a
group that is not cancelled, with their waitlist reason and when they confirmed.

The console's figures, report and waitlist ask this of a whole program. Asked of each registrant through
their membership and its group, it read most of a program's places on every page once many were waiting
(10,000 of 100,000). These rows answer it from their own indexes: the waitlist, longest waiting first (of
any reason or one), and how many wait for each reason.

Its only writer is the database, so no service can forget it: triggers on `participant` (a registrant
added verified, or whose status, reason or confirmation changes), on `cohortmember` (a place added, moved or
removed, whether by the ORM, a set-based INSERT of proposals, a DELETE, or the cascade of a deleted group)
and on `cohort` (a group cancelled, or a cancelled one restored) add or remove a registrant's row. A
registrant who leaves the program (deleted) loses it by the foreign key's cascade.

Why a table of its own and not a marker on the registrant: a match places tens of thousands at once, and
marking each of them rewrote each registrant's row and an entry in each of its dozen indexes (90,000 placed:
+5 to +8 s of a 100,000-registrant match run on a loaded machine, most of the matcher's own time at 20,000).
Here placing someone deletes one narrow row, which writes no index entry. On PostgreSQL the triggers on
places and groups run once per statement over its transition tables, so a bulk write stays set-based; a new
registrant's row is added by a row trigger that a registration still waiting for its confirmation never
calls. SQLite runs them per row. `recount_unplaced` fills the table from the memberships for rows written
before the triggers existed (the migration that added it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Index, text
from sqlmodel import Field, SQLModel

from app.models.columns import time_field


class Unplaced(SQLModel, table=True):
    """A verified registrant in no live group (see the module's docstring): written by the database alone."""

    __table_args__ = (
        Index("ix_unplaced_waiting", "program_id", "verified_at", "participant_id"),
        Index("ix_unplaced_reason", "program_id", "waitlist_reason", "verified_at", "participant_id"),
    )

    participant_id: int = Field(foreign_key="participant.id", primary_key=True, ondelete="CASCADE")
    program_id: int
    waitlist_reason: str | None = Field(default=None, max_length=32)
    verified_at: datetime | None = time_field()


# Whether the registrant `participant` has a place ("cancelled" is `CohortStatus.CANCELLED`).
_PLACED = """EXISTS (
        SELECT 1 FROM cohortmember JOIN cohort ON cohort.id = cohortmember.cohort_id
        WHERE cohortmember.participant_id = participant.id AND cohort.status <> 'cancelled')"""

# The registrants of CHANGED (a query of ids) read afresh: their rows removed, and added again for those
# verified and without a place.
_RECOUNT = """
    DELETE FROM unplaced WHERE participant_id IN (CHANGED);
    INSERT INTO unplaced (participant_id, program_id, waitlist_reason, verified_at)
    SELECT id, program_id, waitlist_reason, verified_at FROM participant
    WHERE id IN (CHANGED) AND status = 'verified' AND NOT PLACED""".replace("PLACED", _PLACED)

# name: (table, event, transition tables, body)
_POSTGRES_STATEMENTS = {
    # A new place is its registrant's only one (a registrant has one place at most): they wait no longer
    # unless its group is cancelled. This is the write of every proposal, tens of thousands at once.
    "unplaced_place_added": (
        "cohortmember",
        "INSERT",
        "NEW TABLE AS added",
        """
    DELETE FROM unplaced USING added JOIN cohort ON cohort.id = added.cohort_id
    WHERE unplaced.participant_id = added.participant_id AND cohort.status <> 'cancelled'""",
    ),
    "unplaced_place_removed": (
        "cohortmember",
        "DELETE",
        "OLD TABLE AS removed",
        _RECOUNT.replace("CHANGED", "SELECT participant_id FROM removed"),
    ),
    "unplaced_place_moved": (
        "cohortmember",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _RECOUNT.replace(
            "CHANGED", "SELECT participant_id FROM old_rows UNION SELECT participant_id FROM new_rows"
        ),
    ),
    # Approving thousands of groups changes no one's standing: only the members of groups that enter or
    # leave the cancelled status are read afresh.
    "unplaced_group_status": (
        "cohort",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _RECOUNT.replace(
            "CHANGED",
            """SELECT cohortmember.participant_id FROM old_rows
            JOIN new_rows ON new_rows.id = old_rows.id
            JOIN cohortmember ON cohortmember.cohort_id = new_rows.id
            WHERE (old_rows.status = 'cancelled') <> (new_rows.status = 'cancelled')""",
        ),
    ),
    # A match gives thousands their reason: their rows take it where they are. Telling ten thousand people
    # they still wait changes none of these columns, and costs one join.
    "unplaced_registrant_changed": (
        "participant",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        """
    UPDATE unplaced SET waitlist_reason = new_rows.waitlist_reason, verified_at = new_rows.verified_at
    FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
    WHERE unplaced.participant_id = new_rows.id
        AND (new_rows.waitlist_reason, new_rows.verified_at)
            IS DISTINCT FROM (old_rows.waitlist_reason, old_rows.verified_at);
    RECOUNT""".replace("RECOUNT", _RECOUNT).replace(
            "CHANGED",
            """SELECT new_rows.id FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
            WHERE (new_rows.status, new_rows.program_id)
                IS DISTINCT FROM (old_rows.status, old_rows.program_id)""",
        ),
    ),
}

# A registrant added already verified (an import, the demo) waits: they have no place yet.
_NEW_VERIFIED = """
    INSERT INTO unplaced (participant_id, program_id, waitlist_reason, verified_at)
    VALUES (NEW.id, NEW.program_id, NEW.waitlist_reason, NEW.verified_at)"""

_MEMBERS_OF_NEW = "SELECT participant_id FROM cohortmember WHERE cohort_id = NEW.id"

_SQLITE = {
    "unplaced_registrant_added": f"""
        AFTER INSERT ON participant WHEN NEW.status = 'verified' BEGIN {_NEW_VERIFIED}; END""",
    "unplaced_registrant_changed": """
        AFTER UPDATE OF status, waitlist_reason, verified_at, program_id ON participant BEGIN
        RECOUNT; END""".replace("RECOUNT", _RECOUNT.replace("CHANGED", "NEW.id")),
    "unplaced_place_added": """
        AFTER INSERT ON cohortmember BEGIN
        DELETE FROM unplaced WHERE participant_id = NEW.participant_id
        AND (SELECT status FROM cohort WHERE id = NEW.cohort_id) <> 'cancelled'; END""",
    "unplaced_place_removed": """
        AFTER DELETE ON cohortmember BEGIN RECOUNT; END""".replace(
        "RECOUNT", _RECOUNT.replace("CHANGED", "OLD.participant_id")
    ),
    "unplaced_place_moved": """
        AFTER UPDATE OF cohort_id, participant_id ON cohortmember BEGIN RECOUNT; END""".replace(
        "RECOUNT", _RECOUNT.replace("CHANGED", "OLD.participant_id, NEW.participant_id")
    ),
    "unplaced_group_status": """
        AFTER UPDATE OF status ON cohort
        WHEN (OLD.status = 'cancelled') <> (NEW.status = 'cancelled') BEGIN RECOUNT; END""".replace(
        "RECOUNT",
        _RECOUNT.replace("CHANGED", _MEMBERS_OF_NEW),
    ),
}


def create_unplaced_triggers(connection: Connection) -> None:
    """Create the triggers that keep `unplaced`."""
    if connection.dialect.name != "postgresql":
        for name, body in _SQLITE.items():
            connection.execute(text(f"CREATE TRIGGER {name} " + body))
        return
    for name, (table, event, transitions, body) in _POSTGRES_STATEMENTS.items():
        _postgres_function(connection, name, body)
        trigger = f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transitions}"
        connection.execute(text(f"{trigger} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"))
    _postgres_function(connection, "unplaced_registrant_added", _NEW_VERIFIED)
    connection.execute(
        text(
            "CREATE TRIGGER unplaced_registrant_added AFTER INSERT ON participant FOR EACH ROW"
            " WHEN (NEW.status = 'verified') EXECUTE FUNCTION unplaced_registrant_added()"
        )
    )


def drop_unplaced_triggers(connection: Connection) -> None:
    tables = {name: table for name, (table, *_rest) in _POSTGRES_STATEMENTS.items()}
    tables["unplaced_registrant_added"] = "participant"
    for name, table in tables.items():
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"DROP TRIGGER {name} ON {table}"))
            connection.execute(text(f"DROP FUNCTION {name}()"))
        else:
            connection.execute(text(f"DROP TRIGGER {name}"))


def recount_unplaced(connection: Connection) -> None:
    """Fill the table afresh from the registrants and their places."""
    connection.execute(text("DELETE FROM unplaced"))
    for statement in _RECOUNT.replace("CHANGED", "SELECT id FROM participant").split(";")[1:]:
        connection.execute(text(statement))


def _postgres_function(connection: Connection, name: str, body: str) -> None:
    function = f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
    connection.execute(text(f"{function} AS $$\nBEGIN {body};\nRETURN NULL; END $$"))
