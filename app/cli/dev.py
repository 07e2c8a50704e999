"""`flask dev`: everything `make run` serves, in one terminal — the app, the worker, the Zoom and SMS
emulators and the mail catcher — stopped together with Ctrl+C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.settings import CATCHER_SMTP_PORT, EMULATOR_SMS_PORT, EMULATOR_ZOOM_PORT

WEB_PORT = 5000
ZOOM_MEMORY = "zoom-emulator.json"  # in the instance folder, beside the development database


@click.command(help="Serve the app with its worker, the local Zoom and SMS emulators and the mail catcher.")
@with_appcontext
def dev() -> None:
    settings = current_app.config["SETTINGS"]
    processes = dev_processes(settings, zoom_memory=Path(current_app.instance_path) / ZOOM_MEMORY)
    running = {name: subprocess.Popen(command) for name, command in processes.items()}  # noqa: S603
    _announce(settings)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(process.poll() is None for process in running.values()):
            time.sleep(0.5)
        stopped = next(name for name, process in running.items() if process.poll() is not None)
        click.echo(f"The {stopped} process stopped; stopping the others.", err=True)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(running.values())


def dev_processes(settings, *, zoom_memory: Path | None = None) -> dict[str, list[str]]:
    """The command of each process `flask dev` runs, by name: the stand-ins only where no real service is
    configured. The Zoom emulator keeps its meetings in `zoom_memory`, as the database keeps the app's, so a
    meeting made before a restart still starts after it."""
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    processes = {"worker": [*flask, "worker"]}
    if settings.uses_mail_catcher:
        processes["mail catcher"] = [
            sys.executable, "-m", "emails.catcher", "--port", str(CATCHER_SMTP_PORT),
            "--directory", str(settings.mail_catcher_dir),
        ]  # fmt: skip
    if settings.zoom_uses_emulator:
        processes["Zoom emulator"] = [*flask, "zoom-emulator", "--port", str(EMULATOR_ZOOM_PORT)]
        if zoom_memory is not None:
            processes["Zoom emulator"] += ["--memory", str(zoom_memory)]
    if _texts_use_emulator(settings):
        processes["SMS emulator"] = [*flask, "sms-emulator", "--port", str(EMULATOR_SMS_PORT)]
    processes["web"] = [*flask, "run", "--port", str(WEB_PORT), "--debug"]
    return processes


def _announce(settings) -> None:
    lines = [
        f"Peer Meet-ups:     http://127.0.0.1:{WEB_PORT}/p/demo",
        f"Health:            http://127.0.0.1:{WEB_PORT}/healthz",
    ]
    if settings.uses_mail_catcher:
        lines.append(
            f"Caught mail:       http://127.0.0.1:{WEB_PORT}/dev/mail (SMTP 127.0.0.1:{CATCHER_SMTP_PORT})"
        )
    if settings.zoom_uses_emulator:
        lines.append(
            f"Zoom:              local emulator, http://127.0.0.1:{EMULATOR_ZOOM_PORT} (no account needed)"
        )
    if _texts_use_emulator(settings):
        lines.append(
            f"Texts:             local SMS emulator, http://127.0.0.1:{EMULATOR_SMS_PORT}/phone (no account)"
        )
    click.echo("\n".join(["", *lines, "Press Ctrl+C to stop.", ""]))


def _texts_use_emulator(settings) -> bool:
    return settings.twilio is not None and settings.twilio.uses_emulator


def _stop(processes) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
