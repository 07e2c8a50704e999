"""A member's answer to "do you want to stay?", asked after meetings missed without a word: stay, pause or
leave, one signed link each. Each link opens a page with one button that does it (mail scanners open links),
in the person's language."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app import database
from app.links import LinkError, participant_links, read_token
from app.services.absence import Choice, answer_absence_check
from app.views.program_scope import link_participant, load_program, render_link_problem

blueprint = Blueprint("absence", __name__, url_prefix="/p/<slug>")


@blueprint.route("/absence/<token>/<any(stay, pause, leave):choice>", methods=["GET", "POST"])
def answer(slug: str, token: str, choice: str):
    program = load_program(slug)
    try:
        participant = link_participant(program, read_token("absence", token).get("p"))
    except LinkError as error:
        return render_link_problem(program, error)
    page = {"program": program, "chosen": Choice(choice)}
    if request.method == "GET":
        return render_template("absence/choice.html", done=False, **page)
    session = database.session()
    answer_absence_check(session, participant, page["chosen"])
    session.commit()
    manage_url = participant_links(program.slug, participant.id)["manage_url"]
    return render_template("absence/choice.html", done=True, manage_url=manage_url, **page)
