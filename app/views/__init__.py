"""Blueprints, one per area."""

from flask import Flask

from app.views import errors, health, hosts, webhooks


def register_views(app: Flask) -> None:
    app.register_blueprint(health.blueprint)
    app.register_blueprint(hosts.blueprint)
    app.register_blueprint(webhooks.blueprint)
    errors.register(app)
