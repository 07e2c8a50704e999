"""Blueprints, one per area."""

from flask import Flask

from app.i18n import provide_page_language, remember_locale_choice
from app.views import (
    absence,
    answers,
    api,
    console,
    debriefs,
    devmail,
    errors,
    health,
    hosts,
    public,
    selfservice,
    survey,
    text_links,
    webhooks,
)
from app.views.program_scope import provide_form_vocabulary


def register_views(app: Flask) -> None:
    app.register_blueprint(health.blueprint)
    app.register_blueprint(public.blueprint)
    app.register_blueprint(selfservice.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(hosts.blueprint)
    app.register_blueprint(debriefs.blueprint)
    app.register_blueprint(webhooks.blueprint)
    app.register_blueprint(console.blueprint)
    app.register_blueprint(survey.blueprint)
    app.register_blueprint(answers.blueprint)
    app.register_blueprint(absence.blueprint)
    app.register_blueprint(text_links.blueprint)
    if not app.config["SETTINGS"].is_production:
        app.register_blueprint(devmail.blueprint)
    app.before_request(remember_locale_choice)
    app.context_processor(provide_page_language)
    app.context_processor(provide_form_vocabulary)
    errors.register(app)
