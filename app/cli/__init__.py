"""The `flask` command groups of docs/interfaces.md, one module each."""

from flask import Flask

from app.cli.cohorts import cohorts, match
from app.cli.coordinator import coordinator
from app.cli.db import db
from app.cli.demo import demo
from app.cli.dev import dev
from app.cli.sms import sms_emulator
from app.cli.worker import worker
from app.cli.zoom import zoom_emulator
from app.cli.zoom_users import zoom_users


def register_commands(app: Flask) -> None:
    commands = (db, demo, dev, coordinator, match, cohorts, worker, zoom_emulator, sms_emulator, zoom_users)
    for group in commands:
        app.cli.add_command(group)
