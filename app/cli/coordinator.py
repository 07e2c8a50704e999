"""`flask coordinator`: accounts for the people who run programs."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app import database
from app.services.accounts import AccountError, create_coordinator, find_by_email, reset_password
from app.services.two_factor import after_reset, reset_two_factor

COMMAND_LINE = "command line"  # who acted, in the audit log, when a deployer runs a command


@click.group(help="Manage coordinator accounts.")
def coordinator() -> None:
    pass


@coordinator.command(help="Create a coordinator account; the password is read from standard input.")
@click.argument("email")
@click.option("--admin", is_flag=True, help="May see and manage every program.")
@click.option("--program", "programs", multiple=True, metavar="SLUG", help="A program this account runs.")
@with_appcontext
def create(email: str, admin: bool, programs: tuple[str, ...]) -> None:
    password = _read_password()
    session = database.session()
    try:
        account = create_coordinator(session, email, password, is_admin=admin, program_slugs=programs)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    session.commit()
    click.echo(f"Created {'admin' if account.is_admin else 'coordinator'} {account.email}.")
    if account.is_admin:
        click.echo("Administrators set up two-factor sign-in (an authenticator app) when they first sign in.")


@coordinator.command(
    "set-password",
    help="Give an account a new password (read from standard input), lift a lock-out and sign it out "
    "everywhere: for someone who forgot theirs, or after a suspected break-in.",
)
@click.argument("email")
@with_appcontext
def set_password(email: str) -> None:
    password = _read_password()
    session = database.session()
    try:
        account = reset_password(session, email, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    session.commit()
    click.echo(f"New password set for {account.email}; every session of the account has ended.")


@coordinator.command(
    "reset-2fa",
    help="Forget an account's two-factor sign-in (authenticator app and recovery codes) and sign it out "
    "everywhere: for someone, such as the last admin, who lost their phone and their recovery codes.",
)
@click.argument("email")
@with_appcontext
def reset_2fa(email: str) -> None:
    session = database.session()
    account = find_by_email(session, email)
    if account is None:
        raise click.ClickException(f"There is no account for {email}.")
    reset_two_factor(session, account, actor=COMMAND_LINE)
    session.commit()
    click.echo(
        f"Two-factor sign-in is reset for {account.email}; every session of the account has ended. "
        f"{after_reset(account)}"
    )


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")
