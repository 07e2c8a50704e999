"""`/healthz`: whether this web worker can reach its database."""

from flask import Blueprint, jsonify

from app import database

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    if not database.answers():
        return jsonify(status="unavailable", reason="database"), 503
    return jsonify(status="ok")
