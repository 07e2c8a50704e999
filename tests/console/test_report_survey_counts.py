"""The report's survey figures come from counts kept as answers are written: after every kind of change they
equal a count made afresh from the answers, and what the results page (and its export) shows.

The world: the demo program with one held meeting of six members, and another program whose answers must
never count in the demo's.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from app import database
from app.demo import seed_demo
from app.inputs.survey_answers import validate_answers
from app.models import (
    Cohort,
    CohortMember,
    Meeting,
    Participant,
    Program,
    SurveyResponse,
    SurveyTally,
)
from app.models.survey_tally import recount_tallies
from app.services.erasure import erase_meeting_traces, erase_participants
from app.services.report import program_report
from app.services.survey.answering import AlreadyAnswered, submit_answers
from app.services.survey.invitations import SurveyInvitation
from app.services.survey.results import survey_results

from ..statements import statements_sent

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
CHINESE = "谢谢大家，我感觉不那么孤单了。"
SPANISH = "Muy bien, gracias. Me sentí acompañada por primera vez en meses."
REQUIRED = {"feeling": "3", "less_alone": "yes", "host_helped": "yes", "meet_again": "yes"}


@pytest.fixture
def world(app):
    """The app context's session, the demo program and its held meeting's six members."""
    with app.app_context():
        session = database.session()
        demo = seed_demo(session, registrants=8)
        people = session.exec(select(Participant).order_by(Participant.id)).all()[:6]
        condition_id = people[0].condition_id
        meeting = _held_meeting(session, demo, condition_id)
        for member in people:
            member.condition_id = condition_id
            session.add(CohortMember(cohort_id=meeting.cohort_id, participant_id=member.id))
        other = Program(slug="other", name="Other", organisation="Elsewhere", contact_email="o@example.org")
        session.add(other)
        session.flush()
        elsewhere = _held_meeting(session, other, condition_id)
        session.add(SurveyResponse(meeting_id=elsewhere.id, response_key="other", answers={"feeling": 1}))
        session.commit()
        yield session, demo, meeting, people


def _held_meeting(session, program, condition_id) -> Meeting:
    cohort = Cohort(
        program_id=program.id, condition_id=condition_id, language="en", slot=17, status="approved"
    )
    session.add(cohort)
    session.flush()
    meeting = Meeting(
        cohort_id=cohort.id, starts_at=NOW, calendar_uid=f"counts-{cohort.id}", status="ended", started_at=NOW
    )
    session.add(meeting)
    session.flush()
    return meeting


def _answer(session, meeting, person, *, anonymous=False, **answers) -> SurveyResponse:
    """Answer as the survey page does: the answers (the required ones as REQUIRED unless given) checked
    against the program's questions, then kept."""
    program = session.get(Program, session.get(Cohort, meeting.cohort_id).program_id)
    checked = validate_answers(program, REQUIRED | answers, anonymous=anonymous)
    return submit_answers(session, SurveyInvitation(person, meeting, program), checked, now=NOW)


def _figures(results):
    return results.rate.answered, [
        (item.question.key, item.question.kind, item.answered, item.bars, item.average)
        for item in results.questions
    ]


def _tallies(session) -> list[tuple]:
    return sorted(tuple(row) for row in session.exec(select(SurveyTally)).all())


def assert_counts_are_fresh(session, program) -> tuple:
    """The report's figures are the results page's (which reads every answer), and the kept counts are what
    counting every answer afresh makes; the report's figures."""
    session.flush()
    report = _figures(program_report(session, program).survey)
    assert report == _figures(survey_results(session, program))
    kept = _tallies(session)
    recount_tallies(session.connection())
    session.expire_all()
    assert _tallies(session) == kept
    return report


def test_new_answers_count_as_given_in_every_language_skipped_and_blank(world):
    session, demo, meeting, people = world
    _answer(session, meeting, people[0], feeling="5", less_alone="yes", meet_again="yes", comments=SPANISH)
    _answer(session, meeting, people[1], anonymous=True, feeling="4", less_alone="a_little", comments=CHINESE)
    _answer(session, meeting, people[2], feeling="4", host_helped="no", comments="  \n ")
    session.commit()
    answered, questions = assert_counts_are_fresh(session, demo)
    assert answered == 3
    scale = [("1 – Not good at all", 0), ("2", 0), ("3", 0), ("4", 2), ("5 – Very good", 1)]
    assert questions[0] == ("feeling", "scale", 3, scale, 13 / 3)
    assert questions[1][:4] == ("less_alone", "choice", 3, [("Yes", 2), ("A little", 1), ("No", 0)])
    assert questions[-1][:3] == ("comments", "text", 2)  # the blank one is no comment


def test_answers_written_outside_the_survey_page_count_too(world):
    """Answers the page would not take: a JSON null, a blank, long words, questions it never asked."""
    session, demo, meeting, _ = world
    for number, answers in enumerate(
        [
            {"feeling": None, "less_alone": "maybe_later", "old_code": "a" * 41, "old_rating": 2},
            {"feeling": 3, "less_alone": " ", "old_words": "很好", "old_rating": 5, "old_flag": True},
        ]
    ):
        session.add(SurveyResponse(meeting_id=meeting.id, response_key=f"odd-{number}", answers=answers))
    session.commit()
    answered, questions = assert_counts_are_fresh(session, demo)
    assert answered == 2
    shown = {key: (kind, people) for key, kind, people, *_ in questions}
    assert shown["less_alone"] == ("choice", 1) and shown["old_code"] == ("text", 1)
    assert shown["old_rating"] == ("scale", 2) and shown["old_words"] == ("choice", 1)


def test_a_second_submission_is_refused_and_counts_nothing(world):
    session, demo, meeting, people = world
    _answer(session, meeting, people[0], feeling="5", less_alone="yes")
    session.commit()
    with pytest.raises(AlreadyAnswered):
        _answer(session, meeting, people[0], feeling="1", less_alone="no")
    session.commit()
    answered, questions = assert_counts_are_fresh(session, demo)
    assert answered == 1 and questions[0][3][0] == ("1 – Not good at all", 0)


@pytest.mark.parametrize("read_first", [True, False], ids=["read", "unread"])
def test_a_changed_answer_counts_as_it_is_now(world, read_first):
    session, demo, meeting, people = world
    response = _answer(session, meeting, people[0], feeling="5", less_alone="yes", comments=SPANISH)
    _answer(session, meeting, people[1], feeling="5", less_alone="yes")
    session.commit()
    session.expire(response)
    if read_first:
        assert response.answers["feeling"] == 5
    response.answers = {"feeling": 2, "less_alone": "no"}
    session.commit()
    _, questions = assert_counts_are_fresh(session, demo)
    assert questions[0][3] == [("1 – Not good at all", 0), ("2", 1), ("3", 0), ("4", 0), ("5 – Very good", 1)]
    assert questions[-1][:3] == ("comments", "text", 0)


def test_an_erased_participant_s_answer_stays_without_its_words(world):
    session, demo, meeting, people = world
    _answer(session, meeting, people[0], feeling="5", less_alone="yes", comments=SPANISH)
    _answer(session, meeting, people[1], anonymous=True, feeling="3", less_alone="no", comments=CHINESE)
    session.commit()
    erase_participants(session, [people[0]], actor="test", now=NOW)
    session.commit()
    answered, questions = assert_counts_are_fresh(session, demo)
    assert answered == 2 and questions[0][2] == 2 and questions[-1][:3] == ("comments", "text", 1)


def test_the_retention_purge_drops_every_written_word_from_the_counts(world):
    session, demo, meeting, people = world
    _answer(session, meeting, people[0], feeling="5", less_alone="yes", comments="Thanks")
    _answer(session, meeting, people[1], anonymous=True, feeling="3", comments=CHINESE)
    session.commit()
    erase_meeting_traces(session, demo)
    session.commit()
    answered, questions = assert_counts_are_fresh(session, demo)
    assert answered == 2 and questions[-1][:3] == ("comments", "text", 0)
    assert not [row for row in _tallies(session) if "Thanks" in row[2] or CHINESE in row[2]]


def test_a_removed_answer_counts_no_more(world):
    session, demo, meeting, people = world
    kept = _answer(session, meeting, people[0], feeling="5", less_alone="yes")
    removed = _answer(session, meeting, people[1], feeling="1", less_alone="a_little", comments="Bye")
    session.commit()
    session.delete(removed)
    session.commit()
    answered, questions = assert_counts_are_fresh(session, demo)
    assert answered == 1 and questions[0][2] == 1 and questions[1][3][1] == ("A little", 0)
    session.delete(kept)
    session.commit()
    assert assert_counts_are_fresh(session, demo)[0] == 0
    assert [row[1:] for row in _tallies(session) if row[0] == demo.id] == []


def test_a_question_taken_out_of_the_survey_is_still_shown_with_its_answers(world):
    session, demo, meeting, people = world
    _answer(session, meeting, people[0], feeling="5", less_alone="yes", comments="ok")
    _answer(session, meeting, people[1], feeling="4", less_alone="no", comments="fine")
    session.commit()
    demo.survey_questions = [q for q in demo.survey_questions if q["key"] not in ("less_alone", "comments")]
    session.commit()
    _, questions = assert_counts_are_fresh(session, demo)
    shown = {key: (kind, people, bars) for key, kind, people, bars, _ in questions}
    assert shown["less_alone"] == ("choice", 2, [("no", 1), ("yes", 1)])
    # Single words to a question no longer asked look like choices, on the results page as in the report.
    assert shown["comments"] == ("choice", 2, [("fine", 1), ("ok", 1)])


def test_the_report_reads_no_survey_response(world, app):
    session, demo, meeting, people = world
    for person in people:
        _answer(session, meeting, person, feeling="4", less_alone="yes", comments=SPANISH)
    session.commit()
    with statements_sent(session.get_bind()) as statements:
        report = program_report(session, demo)
    assert report.survey.rate.answered == 6
    assert not [statement for statement in statements if "surveyresponse" in statement.lower()]


APP = Path(__file__).resolve().parents[2] / "app"
# Statements that would write or remove survey responses around the session that keeps the counts: of the
# responses themselves (a statement, the session's bulk writes, `app.bulk`'s), or a deleted meeting or group,
# which takes its responses with it.
WRITERS = {
    "insert",
    "update",
    "delete",
    "bulk_insert_mappings",
    "bulk_update_mappings",
    "insert_rows",
    "insert_new",
}
AROUND_THE_COUNTS = {(writer, "SurveyResponse") for writer in WRITERS} | {
    ("delete", "Meeting"),
    ("delete", "Cohort"),
}


def test_no_statement_of_the_app_writes_or_removes_responses_around_the_counts():
    found = []
    for path in APP.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if any((name, getattr(argument, "id", None)) in AROUND_THE_COUNTS for argument in node.args):
                    found.append(f"{path.relative_to(APP)}:{node.lineno}")
    assert found == []
