"""Recording a registration: the registrant's row and the email that asks them to confirm their address.

Registering is the commonest request that writes, so it costs as few round trips to the database as it can.
On PostgreSQL one statement does both writes (a data-modifying WITH: the row is inserted, or for an address
the program knows the new answers are held, and the email is queued for the id that comes back), so the
two happen together or not at all without a transaction of their own. SQLite has no such statement and runs
the two in the request's transaction.

The program's terms the registration was checked under are not read again: the statement writes the row
only while the program's `terms_version` is still the one they were read at (the database moves it on any
change of the program, its conditions or stages: migration 0022), so a web process can check registrations
against a copy of the terms it keeps (`app.views.program_scope.register_under_terms`) and still never
record one under terms a coordinator has since changed.

The email's link is signed, and the answers it would change are named, when the email is built
(`app.messages.building`), from the nonce queued with it.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Insert, bindparam, exists, insert, select
from sqlmodel import Session

from app.bulk import dialect_name, insert_for, with_defaults
from app.inputs.registration import Registration
from app.messages.kinds import MessageKind
from app.messages.queue import queue_messages
from app.models import OutboundMessage, Participant, Program
from app.services.offers import ConditionOffer, ProgramTerms
from app.services.registration import HELD_CHANGES, answer_columns, link_email_row

_PARTICIPANT = Participant.__table__
_OUTBOX = OutboundMessage.__table__
# Each table's values are bound under a prefix of its own: the two share column names, and SQLAlchemy would
# read a parameter named as a column as that column's value.
_REGISTRANT, _MESSAGE = "registrant_", "message_"
_PROGRAM = Program.__table__
_TERMS_VERSION = "terms_version"


class RegistrationClosed(Exception):
    """The program takes no registrations now."""


def register_participant(
    session: Session,
    program: ProgramTerms,
    offers: list[ConditionOffer],
    registration: Registration,
    *,
    locale: str,
) -> int | None:
    """Create a registration, or hold new answers for a known address, and queue the email that confirms
    it; the registrant's id. None, with nothing written, when the program's terms changed since `program`
    and `offers` were read: the registration is to be checked again under the terms as they are now.

    Either way the same statement runs, so a known address costs what a new one does (the form never tells
    whether someone is registered), and two registrations of one address at the same moment cannot both
    create it.
    """
    nonce = secrets.token_urlsafe(12)
    row = {"program_id": program.id, **answer_columns(program, offers, registration, locale=locale)}
    row[HELD_CHANGES] = {"nonce": nonce, "answers": registration.as_json(), "locale": locale}
    message = link_email_row(MessageKind.VERIFY_EMAIL, program, registration.email, locale, {"nonce": nonce})
    del message["participant_id"]  # the statement sets it
    [row], [message] = with_defaults(Participant, [row]), with_defaults(OutboundMessage, [message])
    dialect = dialect_name(session)
    values = {**_prefixed(_REGISTRANT, row), _TERMS_VERSION: program.terms_version}
    if dialect == "postgresql":
        statement = _record_and_queue(tuple(row), tuple(message))
        return session.execute(statement, {**values, **_prefixed(_MESSAGE, message)}).scalar_one_or_none()
    participant_id = session.execute(_record(dialect, tuple(row)), values).scalar_one_or_none()
    if participant_id is not None:
        queue_messages(session, [{**message, "participant_id": participant_id}])
    return participant_id


@cache
def _record(dialect: str, columns: tuple[str, ...]) -> Insert:
    """The insert of a registrant's row that, for an address the program knows, holds the answers instead;
    built once per kind of database and set of columns.

    Its values are parameters rather than part of the statement, so that SQLAlchemy compiles it once: a
    statement holding its values is checked value by value on every run, which cost more than the
    database's own work.
    """
    current = exists().where(
        _PROGRAM.c.id == bindparam(_REGISTRANT + "program_id", type_=_PARTICIPANT.c.program_id.type),
        _PROGRAM.c.terms_version == bindparam(_TERMS_VERSION, type_=_PROGRAM.c.terms_version.type),
    )
    # INSERT … SELECT, so that the row is written only while the terms are current; the WHERE also tells
    # SQLite that the ON CONFLICT clause is the insert's, not a join's.
    values = select(*_parameters(_PARTICIPANT, columns, prefix=_REGISTRANT).values()).where(current)
    upsert = insert_for(dialect)(_PARTICIPANT).from_select(columns, values)
    held = {HELD_CHANGES: upsert.excluded[HELD_CHANGES], "updated_at": upsert.excluded.updated_at}
    upsert = upsert.on_conflict_do_update(index_elements=["program_id", "email"], set_=held)
    return upsert.returning(_PARTICIPANT.c.id)


@cache
def _record_and_queue(columns: tuple[str, ...], message_columns: tuple[str, ...]) -> Insert:
    """`_record` and the queueing of the email, as one PostgreSQL statement returning the registrant's id (no
    row, and no email, when `_record` wrote nothing)."""
    registrant = _record("postgresql", columns).cte("registrant")
    values = select(*_parameters(_OUTBOX, message_columns, prefix=_MESSAGE).values(), registrant.c.id)
    queued = insert(_OUTBOX).from_select([*message_columns, "participant_id"], values)
    return queued.add_cte(registrant).returning(_OUTBOX.c.participant_id)


def _prefixed(prefix: str, values: Mapping[str, Any]) -> dict[str, Any]:
    return {prefix + name: value for name, value in values.items()}


def _parameters(table, columns: tuple[str, ...], *, prefix: str) -> dict[str, Any]:
    """A parameter for each of `columns`, typed as its column so values are bound as a row's would be."""
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in columns}
