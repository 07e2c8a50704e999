"""`flask worker`: the scheduler process that carries out due work."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from app.worker.runner import POLL_SECONDS, run_forever, run_once


class _Moment(click.ParamType):
    name = "ISO8601"

    def convert(self, value, param, ctx) -> datetime:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date and time, e.g. 2026-03-01T09:00:00Z", param, ctx)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@click.command(help="Carry out due work (Zoom calls, messages, retries) until stopped.")
@click.option("--once", is_flag=True, help="Carry out what is due now, print it, and exit.")
@click.option(
    "--now", type=_Moment(), help="With --once: act as if it were this time (UTC unless a zone is given)."
)
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.1),
    metavar="SECONDS",
    help=f"Without --once: look for due work this often, in seconds (default {POLL_SECONDS}).",
)
@with_appcontext
def worker(once: bool, now: datetime | None, poll_seconds: float | None) -> None:
    app = current_app._get_current_object()
    if now is not None and not once:
        raise click.UsageError("--now only makes sense with --once.")
    if poll_seconds is not None and once:
        raise click.UsageError("--poll-seconds only makes sense without --once.")
    if not once:
        click.echo("Worker started; press Ctrl+C to stop.")
        run_forever(app, poll_seconds or POLL_SECONDS)
        return
    for area, outcomes in run_once(app, now).items():
        summary = (
            ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing due"
        )
        click.echo(f"{area}: {summary}")
