"""The `flask` command groups of CONTRACT.md, one module each."""

from flask import Flask

from app.cli.coordinator import coordinator
from app.cli.db import db
from app.cli.demo import demo


def register_commands(app: Flask) -> None:
    for group in (db, demo, coordinator):
        app.cli.add_command(group)
