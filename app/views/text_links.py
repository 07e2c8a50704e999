"""`/t/<code>`: the short link in a text, leading on to the page the text is about (see
`app.messages.text_links`); a wrong or old code is the site's friendly "page not found"."""

from __future__ import annotations

from flask import Blueprint, abort, redirect

from app import database
from app.messages.text_links import text_link_target

blueprint = Blueprint("text_links", __name__)


@blueprint.get("/t/<code>")
def follow(code: str):
    target = text_link_target(database.session(), code)
    if target is None:
        abort(404)
    return redirect(target, code=303)
