"""The follow-up survey, reached through the signed link in the survey email."""

from flask import Blueprint

blueprint = Blueprint("survey", __name__, url_prefix="/s")
