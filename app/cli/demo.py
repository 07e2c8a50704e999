"""`flask demo`: the synthetic demo program."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import func, select

from app import database
from app.demo import seed_demo
from app.messages.senders import mail_sender
from app.models import Participant
from emails.context import Person
from emails.i18n import LANGUAGES
from emails.messages import compose
from emails.samples import KINDS, sample_email


@click.group(help="The demo program.")
def demo() -> None:
    pass


@demo.command(
    help="Create the demo program 'demo' with its hosts; safe to run again. One registrant in three of the "
    "first 300 has a fictional mobile number and takes texts."
)
@click.option(
    "--registrants", default=0, show_default=True, help="Top up to this many synthetic registrants."
)
@with_appcontext
def seed(registrants: int) -> None:
    session = database.session()
    program = seed_demo(session, registrants=registrants, mobiles=True)
    session.commit()
    count = session.exec(select(func.count()).where(Participant.program_id == program.id)).one()
    click.echo(f"Demo program '{program.slug}' is ready with {count} registrants.")


@demo.command(
    help="Send one example of every message, in every language, to see their wording (e.g. in the "
    "development mail catcher at /dev/mail). Refused in production."
)
@click.option("--to", "address", default="samples@example.org", show_default=True, help="Whom they go to.")
@with_appcontext
def samples(address: str) -> None:
    settings = current_app.config["SETTINGS"]
    if settings.is_production:
        raise click.ClickException(
            "Examples are for trying the service out, not for a production deployment."
        )
    sender = mail_sender()
    for language in LANGUAGES:
        recipient = Person("Ana", address, "Europe/Madrid", language)
        for kind in KINDS:
            sender.send(compose(sample_email(kind, recipient), mail_from=settings.mail_from))
    click.echo(f"Sent {len(KINDS)} kinds of message in {len(LANGUAGES)} languages to {address}.")
