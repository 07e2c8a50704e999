"""`flask zoom-users`: a program's pool of licensed Zoom users, from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import select

from app import database
from app.cli.cohorts import find_program
from app.database import utcnow
from app.inputs.fields import InvalidInput
from app.models import ZoomUser
from app.services.zoom_pool import ZoomPoolError, add_zoom_user, list_pool, pool_capacity, remove_zoom_user


@click.group("zoom-users", help="The licensed Zoom users a program's meetings are created under.")
def zoom_users() -> None:
    pass


@zoom_users.command("list", help="List PROGRAM's Zoom users and how many meetings they can run at once.")
@click.argument("program_slug", metavar="PROGRAM")
@with_appcontext
def list_users(program_slug: str) -> None:
    session = database.session()
    program = find_program(program_slug)
    for row in list_pool(session, program, now=utcnow()):
        user = row.zoom_user
        state = "" if user.active else ", switched off"
        click.echo(f"{user.user}: {user.concurrent} at once, {row.meetings_to_come} meetings to come{state}")
    click.echo(f"Meetings the pool can run at the same time: {pool_capacity(session, program)}")


@zoom_users.command("add", help="Add the licensed Zoom user USER (email or Zoom user id) to PROGRAM's pool.")
@click.argument("program_slug", metavar="PROGRAM")
@click.argument("user", metavar="USER")
@click.option(
    "--concurrent", type=int, default=1, show_default=True,
    help="Meetings it may run at once: 1 on Pro accounts, 2 on Business, Education and Enterprise ones.",
)  # fmt: skip
@with_appcontext
def add_user(program_slug: str, user: str, concurrent: int) -> None:
    session = database.session()
    try:
        row = add_zoom_user(
            session, find_program(program_slug), {"user": user, "concurrent": concurrent}, by=None
        )
    except InvalidInput as invalid:
        raise click.ClickException(" ".join(invalid.errors.values())) from None
    session.commit()
    click.echo(f"Added {row.user} ({row.concurrent} at once).")


@zoom_users.command(
    "remove", help="Remove USER from PROGRAM's pool (refused while it holds meetings to come)."
)
@click.argument("program_slug", metavar="PROGRAM")
@click.argument("user", metavar="USER")
@with_appcontext
def remove_user(program_slug: str, user: str) -> None:
    session = database.session()
    program = find_program(program_slug)
    row = session.exec(
        select(ZoomUser).where(ZoomUser.program_id == program.id, ZoomUser.user == user)
    ).first()
    if row is None:
        raise click.ClickException(f"{user} is not one of {program_slug}'s Zoom users.")
    try:
        remove_zoom_user(session, row, by=None, now=utcnow())
    except ZoomPoolError as error:
        raise click.ClickException(str(error)) from None
    session.commit()
    click.echo(f"Removed {user}.")
