"""The program's own texts in its emails reach each member in their language, through a real SMTP server: the
condition in the invitation, the program's own tips in the preparation tips; the main language where a text
has no translation."""

from __future__ import annotations

from datetime import timedelta

from app import database
from app.content import with_texts
from app.database import utcnow
from app.models import Cohort, Program
from app.services.approval import approve_cohort
from app.services.meeting_setup import cohort_members
from app.worker.runner import run_mail_work, run_once


def _approve_with_a_spanish_reader(app, make_cohorts) -> tuple[str, str, object]:
    """A group of four of whom one reads Spanish, approved and its invitations sent: their two addresses."""
    [cohort_id] = make_cohorts(1, size=4)
    with app.app_context():
        session = database.session()
        members = cohort_members(session, session.get(Cohort, cohort_id))
        members[0].locale = "es"
        session.flush()
        meeting = approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()
        return members[0].email, members[1].email, meeting


def _body(mailbox, address: str, subject_words: str) -> str:
    [message] = [
        m
        for m in mailbox.messages()
        if m["To"].addresses[0].addr_spec == address and subject_words in m["Subject"]
    ]
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_spanish_member_reads_the_condition_and_the_program_s_tips_in_spanish(app, make_cohorts, mailbox):
    spanish, english, meeting = _approve_with_a_spanish_reader(app, make_cohorts)
    run_once(app)
    run_mail_work(app, now=meeting.starts_at - timedelta(days=2))

    invitation = _body(mailbox, spanish, "grupo pequeño")
    assert "Leucemia linfocítica crónica (LLC)" in invitation and "leukaemia" not in invitation
    tips = _body(mailbox, spanish, "Prepárese")
    assert "Consejos de Example Cancer Centre" in tips
    assert "- Tenga un vaso de agua a mano." in tips and "Have a glass of water" not in tips
    english_tips = _body(mailbox, english, "Getting ready")
    assert "Tips from Example Cancer Centre" in english_tips
    assert "- Have a glass of water nearby." in english_tips and "Tenga un vaso" not in english_tips


def test_tips_with_no_spanish_reach_a_spanish_member_in_english(app, program, make_cohorts, mailbox):
    with app.app_context():
        row = database.session().get(Program, program.id)
        row.translations = with_texts(row.translations, "preparation_tips", {"es": ""})
        database.session().commit()
    spanish, _english, meeting = _approve_with_a_spanish_reader(app, make_cohorts)
    run_once(app)
    run_mail_work(app, now=meeting.starts_at - timedelta(days=2))
    tips = _body(mailbox, spanish, "Prepárese")
    assert "Consejos de Example Cancer Centre" in tips and "- Have a glass of water nearby." in tips
