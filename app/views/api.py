"""The public JSON API (docs/interfaces.md, "HTTP"), so an organisation can put registration on its own site.

It is called across sites without our forms, so it is exempt from CSRF and rate-limited instead.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _

from app import database
from app.api.openapi import build_openapi
from app.content import worded
from app.extensions import csrf
from app.inputs.fields import InvalidInput
from app.inputs.registration import ROLES, Registration, validate_registration
from app.services.offers import ConditionOffer, ProgramTerms, offers_in
from app.services.registration import list_conditions, program_choices, registration_reference
from app.services.registration_record import RegistrationClosed
from app.views.program_scope import load_program, register_under_terms, registration_limit

blueprint = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(blueprint)


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(build_openapi())


@blueprint.get("/v1/programs/<slug>")
def program_facts(slug: str):
    """The program's facts, its own texts in the language asked for (`?lang=` or Accept-Language) or, where
    they have none in it, in the program's main language; `text_languages` says which each text is in."""
    program = load_program(slug)
    locale = str(get_locale())
    offers = offers_in(list_conditions(database.session(), program), locale, program.default_locale)
    description = worded(program, "description", locale, program.default_locale)
    response = jsonify(
        slug=program.slug,
        name=program.name,
        organisation=program.organisation,
        lang=locale,
        description=description.text,
        text_languages={"description": description.locale},
        registration_open=program.registration_open,
        privacy_notice_version=program.privacy_notice_version,
        meeting_minutes=program.meeting_minutes,
        languages=program.languages,
        country=program.country,
        texts_enabled=program.texts_enabled,
        roles=list(ROLES),
        conditions=[
            {
                "code": offer.condition.code,
                "name": offer.condition.name,
                "text_languages": offer.condition.text_locales,
                "stages": [
                    {
                        "code": stage.code,
                        "name": stage.name,
                        "hint": stage.hint,
                        "text_languages": stage.text_locales,
                    }
                    for stage in offer.stages
                ],
            }
            for offer in offers
        ],
    )
    response.headers["Content-Language"] = locale
    return response


@blueprint.post("/v1/programs/<slug>/registrations")
@registration_limit
def create_registration(slug: str):
    body = request.get_json(silent=True)

    def check(program: ProgramTerms, offers: list[ConditionOffer]) -> Registration:
        if not program.registration_open:
            raise RegistrationClosed
        if not isinstance(body, dict):
            raise InvalidInput({"body": _("Send a JSON object.")})
        return validate_registration(body, program_choices(program, offers))

    try:
        participant_id = register_under_terms(slug, check)
    except RegistrationClosed:
        return jsonify(error="Conflict", message=_("Registration for this program is closed.")), 409
    except InvalidInput as invalid:
        return jsonify(errors=invalid.errors), 422
    database.session().commit()
    return jsonify(id=registration_reference(participant_id), status="pending_verification"), 201
