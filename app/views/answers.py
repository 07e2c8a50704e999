"""One-click answers from emails, without an account: "I'll be there" or "I can't come this time" for a
meeting, "yes, I'd like that place" to an offered place, and "yes, add this time" to a suggested time.

Each link opens a page with one button that does it: mail scanners open links, and must not answer for
anyone. Every page speaks the person's language.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app import database
from app.database import utcnow
from app.links import LinkError, read_token
from app.models import Answer, Meeting, Participant, SeatOffer
from app.services.meeting_answers import AnswerError, answer_of, record_answer
from app.services.scheduling import slot_start
from app.services.seat_offers import Acceptance, accept_offer
from app.services.suggested_times import TimeNotAdded, add_suggested_time
from app.views.program_scope import link_participant, load_program, render_link_problem
from emails.times import format_meeting_time, format_weekday_time

blueprint = Blueprint("answers", __name__, url_prefix="/p/<slug>")


@blueprint.route("/meeting/<token>/<any(coming, not_coming):answer>", methods=["GET", "POST"])
def answer(slug: str, token: str, answer: str):
    program = load_program(slug)
    try:
        payload = read_token("answer", token)
        participant = link_participant(program, payload.get("p"))
        meeting = _meeting_of(participant, payload.get("m"))
    except LinkError as error:
        return render_link_problem(program, error)
    session = database.session()
    chosen = Answer(answer)
    page = {
        "program": program,
        "token": token,
        "chosen": chosen,
        "when": format_meeting_time(
            meeting.starts_at, meeting.ends_at, participant.timezone, participant.locale
        ),
    }
    if request.method == "GET":
        return render_template(
            "answers/answer.html", given=answer_of(session, meeting.id, participant.id), **page
        )
    try:
        record_answer(session, meeting, participant, chosen, now=utcnow())
    except AnswerError as error:
        session.rollback()
        return render_template("answers/closed.html", program=program, why=error.why), 409
    session.commit()
    return render_template("answers/answered.html", **page)


@blueprint.route("/place/<token>", methods=["GET", "POST"])
def seat(slug: str, token: str):
    program = load_program(slug)
    session = database.session()
    try:
        offer = session.get(SeatOffer, read_token("seat", token).get("o"))
        if offer is None:
            raise LinkError("This link is not valid.")
        participant = link_participant(program, offer.participant_id)
    except LinkError as error:
        return render_link_problem(program, error)
    meeting = session.get(Meeting, offer.meeting_id)
    when = format_weekday_time(meeting.starts_at, participant.timezone, participant.locale)
    if request.method == "GET":
        return render_template("answers/seat.html", program=program, when=when)
    outcome = accept_offer(session, offer, now=utcnow())
    session.commit()
    status = 200 if outcome == Acceptance.JOINED else 409
    return render_template("answers/seat_result.html", program=program, when=when, outcome=outcome), status


@blueprint.route("/add-time/<token>", methods=["GET", "POST"])
def add_time(slug: str, token: str):
    program = load_program(slug)
    try:
        payload = read_token("add_time", token)
        participant = link_participant(program, payload.get("p"))
    except LinkError as error:
        return render_link_problem(program, error)
    session = database.session()
    slot = int(payload.get("s", -1))
    today = utcnow().date()
    when = format_weekday_time(slot_start(program, slot, today), participant.timezone, participant.locale)
    if request.method == "GET":
        return render_template("answers/add_time.html", program=program, when=when)
    try:
        added = add_suggested_time(session, program, participant, slot, today=today)
    except TimeNotAdded:
        session.rollback()
        return render_template("answers/closed.html", program=program, why="midnight"), 409
    session.commit()
    return render_template("answers/time_added.html", program=program, when=when, added=added)


def _meeting_of(participant: Participant, meeting_id) -> Meeting:
    meeting = database.session().get(Meeting, meeting_id)
    if meeting is None:
        raise LinkError("This link is not valid.")
    return meeting
