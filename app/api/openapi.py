"""The OpenAPI 3.1 description of every `/api/` route, built from the limits `app.inputs` enforces."""

from __future__ import annotations

from typing import Any

from app.inputs.phone import MAX_TYPED_LENGTH
from app.inputs.registration import (
    ACCESSIBILITY_NEEDS,
    MAX_DISPLAY_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_WINDOWS,
    REQUIRED_FIELDS,
    ROLES,
    TIME_PATTERN,
)
from app.inputs.rules import MAX_EMAIL_LENGTH

SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "examples": ["es"]},
    "description": "the language of the program's own texts; else Accept-Language decides",
}


def _json(schema_name: str, description: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{schema_name}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _schemas() -> dict[str, Any]:
    text = {"type": "string"}
    text_languages = {
        "type": "object",
        "additionalProperties": text,
        "description": "the language each text is in, by field: the one asked for, or the program's main "
        "language where the text has no translation in it",
    }
    stage = {
        "type": "object",
        "required": ["code", "name", "hint", "text_languages"],
        "properties": {"code": text, "name": text, "hint": text, "text_languages": text_languages},
    }
    condition = {
        "type": "object",
        "required": ["code", "name", "stages", "text_languages"],
        "properties": {
            "code": text,
            "name": text,
            "stages": {"type": "array", "items": stage},
            "text_languages": text_languages,
        },
    }
    window = {
        "type": "object",
        "additionalProperties": False,
        "required": ["weekday", "start", "end"],
        "properties": {
            "weekday": {"type": "integer", "minimum": 0, "maximum": 6, "description": "Monday = 0"},
            "start": {"type": "string", "pattern": TIME_PATTERN, "examples": ["09:00"]},
            "end": {"type": "string", "pattern": TIME_PATTERN, "description": "after start"},
        },
    }
    registration = {
        "type": "object",
        "additionalProperties": False,
        "required": list(REQUIRED_FIELDS),
        "properties": {
            "email": {"type": "string", "format": "email", "maxLength": MAX_EMAIL_LENGTH},
            "display_name": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_DISPLAY_NAME_LENGTH,
                "description": "A first name or nickname, the only thing others in the group see.",
            },
            "role": {"enum": list(ROLES)},
            "condition": {"type": "string", "description": "a condition code of the program"},
            "stage": {
                "type": ["string", "null"],
                "description": "a stage code of that condition; null for “not sure”",
            },
            "timezone": {"type": "string", "description": "an IANA time zone, such as Europe/Madrid"},
            "languages": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "string"},
                "description": "languages of the program, in order of preference",
            },
            "availability": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_WINDOWS,
                "items": window,
                "description": "weekly times in the registrant's own time zone",
            },
            "accessibility_needs": {
                "type": "array",
                "items": {"enum": list(ACCESSIBILITY_NEEDS)},
                "uniqueItems": True,
            },
            "accessibility_note": {"type": "string", "maxLength": MAX_NOTE_LENGTH},
            "consent": {"const": True, "description": "agreement to the program's privacy notice"},
            "phone": {
                "type": ["string", "null"],
                "maxLength": MAX_TYPED_LENGTH,
                "examples": ["+12015550123", "(201) 555-0123"],
                "description": "a mobile number, stored in E.164; one written without +country is read as "
                "a number of the program's `country`. Landlines and numbers that cannot get texts are "
                "refused. Without `sms_consent` it is kept but never texted",
            },
            "sms_consent": {
                "type": "boolean",
                "default": False,
                "description": "true to receive text reminders at `phone` (reminders, changes to a meeting, "
                "the survey link; never a diagnosis; reply STOP to stop). Consent of its own, apart from "
                "`consent`, recorded with its time; true without `phone` is refused",
            },
        },
    }
    return {
        "Program": {
            "type": "object",
            "required": [
                "slug",
                "name",
                "lang",
                "description",
                "text_languages",
                "registration_open",
                "languages",
                "roles",
                "conditions",
            ],
            "properties": {
                "slug": text,
                "name": text,
                "organisation": text,
                "lang": {
                    "type": "string",
                    "description": "the language asked for (`?lang=` or Accept-Language, among the "
                    "program's languages; else its main language)",
                },
                "description": text,
                "text_languages": text_languages,
                "registration_open": {"type": "boolean"},
                "privacy_notice_version": text,
                "meeting_minutes": {"type": "integer"},
                "languages": {"type": "array", "items": text},
                "country": {
                    "type": "string",
                    "pattern": "^[A-Z]{2}$",
                    "description": "ISO 3166 alpha-2: where phone numbers written without +country are from",
                },
                "texts_enabled": {"type": "boolean", "description": "whether the program sends texts"},
                "roles": {"type": "array", "items": {"enum": list(ROLES)}},
                "conditions": {"type": "array", "items": condition},
            },
        },
        "Registration": registration,
        "RegistrationCreated": {
            "type": "object",
            "required": ["id", "status"],
            "properties": {"id": text, "status": {"const": "pending_verification"}},
        },
        "ValidationErrors": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "object",
                    "additionalProperties": text,
                    "description": "one message per field; unexpected fields are named too",
                }
            },
        },
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {"error": text, "message": text},
        },
    }


def build_openapi() -> dict[str, Any]:
    not_found = _json("Error", "There is no program with that slug.")
    too_many = _json("Error", "Too many registrations from this address in a short time.")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Peer Meet-ups",
            "version": "1",
            "description": "Register people for small, hosted conversations with others who live with the "
            "same illness. Every registration is confirmed by a link emailed to the registrant.",
        },
        "paths": {
            "/api/openapi.json": {
                "get": {
                    "summary": "This description",
                    "operationId": "getOpenAPI",
                    "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
                }
            },
            "/api/v1/programs/{slug}": {
                "get": {
                    "summary": "A program's public facts: conditions, stages, languages, roles, whether open",
                    "operationId": "getProgram",
                    "parameters": [SLUG, LANG],
                    "responses": {"200": _json("Program", "The program."), "404": not_found},
                }
            },
            "/api/v1/programs/{slug}/registrations": {
                "post": {
                    "summary": "Register someone; a verification email follows",
                    "description": "The same answer is given whether or not the address was known before; "
                    "a known address has its answers replaced once the emailed link is followed.",
                    "operationId": "createRegistration",
                    "parameters": [SLUG],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Registration"}}
                        },
                    },
                    "responses": {
                        "201": _json(
                            "RegistrationCreated", "Registered; waiting for the email to be confirmed."
                        ),
                        "404": not_found,
                        "409": _json("Error", "Registration for this program is closed."),
                        "422": _json("ValidationErrors", "Some answers need attention."),
                        "429": too_many,
                    },
                }
            },
        },
        "components": {"schemas": _schemas()},
    }
