"""Console routes: the texts people sent to our number — a program's, and (for admins) those from numbers
no registrant has — and marking them read."""

from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from app import database
from app.database import utcnow
from app.models import Program, TextReply
from app.services.text_inbox import mark_text_read, page_program_texts, page_unknown_texts
from app.views.console.access import admin_required, audit, blueprint, load_program, program_row
from app.views.console.navigation import back
from app.views.lookups import row_or_404


@blueprint.get("/programs/<slug>/texts")
def texts(slug: str):
    """One page of the texts the program's registrants sent, newest first."""
    program = load_program(slug)
    session = database.session()
    page = page_program_texts(
        session, program, after=request.args.get("after"), before=request.args.get("before")
    )
    audit("console.viewed_texts", program, texts=len(page.rows))  # the texts are the registrants' own words
    session.commit()
    return render_template("console/texts.html", program=program, section="texts", page=page)


@blueprint.post("/programs/<slug>/texts/<int:reply_id>/read")
def mark_read(slug: str, reply_id: int):
    program = load_program(slug)
    reply = program_row(program, TextReply, reply_id)
    _mark(reply, program)
    return back(url_for("console.texts", slug=slug))


@blueprint.get("/texts/unknown")
@admin_required
def unknown_texts():
    """One page of the texts from numbers no registrant had, newest first."""
    session = database.session()
    page = page_unknown_texts(session, after=request.args.get("after"), before=request.args.get("before"))
    audit("console.viewed_unknown_texts", None, texts=len(page.rows))
    session.commit()
    return render_template("console/unknown_texts.html", page=page)


@blueprint.post("/texts/unknown/<int:reply_id>/read")
@admin_required
def mark_unknown_read(reply_id: int):
    reply = row_or_404(TextReply, reply_id)
    if reply.program_id is not None:  # a program's text is marked on that program's page
        abort(404)
    _mark(reply, None)
    return back(url_for("console.unknown_texts"))


def _mark(reply: TextReply, program: Program | None) -> None:
    session = database.session()
    if mark_text_read(session, reply, by=current_user.email, now=utcnow()):
        audit("text.marked_read", program, subject=("text", reply.id))
        flash("The text is marked read.", "success")
    else:
        flash(f"The text was already marked read by {reply.seen_by}.", "success")
    session.commit()
