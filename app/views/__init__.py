"""Blueprints, one per area."""

from flask import Flask

from app.views import errors, health


def register_views(app: Flask) -> None:
    app.register_blueprint(health.blueprint)
    errors.register(app)
