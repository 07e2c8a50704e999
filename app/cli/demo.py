"""`flask demo`: the synthetic demo program."""

import click
from flask import current_app
from flask.cli import with_appcontext

from app import database
from app.cli.cohorts import find_program
from app.database import utcnow
from app.demo import DEMO_SLUG, next_demo_meeting, registrant_count, seed_demo
from app.demo_past import seed_past_meeting
from app.links import signed_url
from app.messages.kinds import MessageKind
from app.messages.queue import send_now
from app.messages.senders import mail_sender
from emails.context import Person
from emails.i18n import LANGUAGES
from emails.messages import compose
from emails.samples import KINDS, sample_email


@click.group(help="The demo program.")
def demo() -> None:
    pass


@demo.command(
    help="Create the demo program 'demo' with its hosts, and a group of host Jonah's that met yesterday; "
    "safe to run again. One registrant in three of the first 300 has a fictional mobile number and takes "
    "texts."
)
@click.option(
    "--registrants", default=0, show_default=True, help="Top up to this many synthetic registrants."
)
@with_appcontext
def seed(registrants: int) -> None:
    session = database.session()
    program = seed_demo(session, registrants=registrants, mobiles=True)
    past = seed_past_meeting(session, program, now=utcnow())
    session.commit()
    count = registrant_count(session, program)
    host, meeting = past.host, past.meeting
    click.echo(
        f"Demo program '{program.slug}' is ready with {count} registrants.\n"
        f"Host {host.display_name}'s page, with yesterday's meeting to mark who came: "
        f"{signed_url('hosts.page', 'host', {'h': host.id})}\n"
        f"{host.display_name}'s debrief of that meeting (also in the caught mail once the worker runs): "
        f"{signed_url('debriefs.debrief', 'host', {'h': host.id, 'm': meeting.id})}"
    )


@demo.command(
    help="Send the reminders of the demo's next approved meeting (or group GROUP's) with the worker's next "
    "round, email and text, to see them in the caught mail and on the SMS emulator's phone page and answer "
    "one by text (NO: can't come). Refused in production."
)
@click.option("--group", type=int, default=None, help="The group's number (its id on the console).")
@with_appcontext
def remind(group: int | None) -> None:
    _refuse_in_production()
    session = database.session()
    now = utcnow()
    meeting = next_demo_meeting(session, find_program(DEMO_SLUG), now=now, group=group)
    if meeting is None:
        raise click.ClickException(
            "No approved group has a meeting ahead: approve one on the console first (Groups → Approve)."
        )
    queued = send_now(session, meeting.id, MessageKind.REMINDER, now=now)
    session.commit()
    click.echo(
        f"{queued} reminders of group {meeting.cohort_id}'s meeting go with the worker's next round; texts "
        "to someone for whom it is night wait for their morning."
    )


@demo.command(
    help="Send one example of every message, in every language, to see their wording (e.g. in the "
    "development mail catcher at /dev/mail). Refused in production."
)
@click.option("--to", "address", default="samples@example.org", show_default=True, help="Whom they go to.")
@with_appcontext
def samples(address: str) -> None:
    _refuse_in_production()
    settings = current_app.config["SETTINGS"]
    sender = mail_sender()
    for language in LANGUAGES:
        recipient = Person("Ana", address, "Europe/Madrid", language)
        for kind in KINDS:
            sender.send(compose(sample_email(kind, recipient), mail_from=settings.mail_from))
    click.echo(f"Sent {len(KINDS)} kinds of message in {len(LANGUAGES)} languages to {address}.")


def _refuse_in_production() -> None:
    if current_app.config["SETTINGS"].is_production:
        raise click.ClickException("This is for trying the service out, not for a production deployment.")
