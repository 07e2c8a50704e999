"""`flask demo`: the synthetic demo program."""

import click
from flask.cli import with_appcontext
from sqlmodel import func, select

from app import database
from app.demo import seed_demo
from app.models import Participant


@click.group(help="The demo program.")
def demo() -> None:
    pass


@demo.command(help="Create the demo program 'demo' with its hosts; safe to run again.")
@click.option(
    "--registrants", default=0, show_default=True, help="Top up to this many synthetic registrants."
)
@with_appcontext
def seed(registrants: int) -> None:
    session = database.session()
    program = seed_demo(session, registrants=registrants)
    session.commit()
    count = session.exec(select(func.count()).where(Participant.program_id == program.id)).one()
    click.echo(f"Demo program '{program.slug}' is ready with {count} registrants.")
