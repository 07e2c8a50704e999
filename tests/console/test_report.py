"""The program report on a known dataset, its printable view, and the same page in headless Chromium.

The dataset (the demo program's time zone is Europe/Madrid): six registrations — three in the week of
2 March 2026, one late on Sunday 8 March in UTC that is already Monday 9 March in Madrid, two in the week of
16 March. Of them four are verified (three placed in a group), one is waiting to confirm, one was erased.
The group had three meetings: the first took place (three registered in Zoom, two joined, a stranger
too), the second is still to come, the third was cancelled. Three surveys were sent, two answered.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from app import database
from app.demo import seed_demo
from app.messages.kinds import MessageKind
from app.models import (
    Attendance,
    Cohort,
    CohortMember,
    Condition,
    Meeting,
    MeetingRegistrant,
    MeetingStatus,
    OutboundMessage,
    Participant,
    ParticipantStatus,
    Program,
    SurveyResponse,
)
from app.services.accounts import create_coordinator
from app.services.report import held_meetings, program_report, registrations_per_week
from app.services.survey.results import survey_results

from ..statements import statements_sent

REPORT = "/console/programs/demo/report"
AXE = Path(__file__).parents[1] / "registration" / "vendor" / "axe.min.js"
HELD = datetime(2026, 3, 24, 17, 0, tzinfo=UTC)
SECRET_COMMENT = "Only for the coordinators' eyes"
REGISTRATIONS = [  # (created at, status, placed)
    (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), ParticipantStatus.VERIFIED, True),
    (datetime(2026, 3, 4, 12, 0, tzinfo=UTC), ParticipantStatus.VERIFIED, True),
    (datetime(2026, 3, 6, 18, 0, tzinfo=UTC), ParticipantStatus.ERASED, False),
    (datetime(2026, 3, 8, 23, 30, tzinfo=UTC), ParticipantStatus.VERIFIED, True),  # Monday 00:30 in Madrid
    (datetime(2026, 3, 17, 10, 0, tzinfo=UTC), ParticipantStatus.VERIFIED, False),
    (datetime(2026, 3, 20, 10, 0, tzinfo=UTC), ParticipantStatus.PENDING_VERIFICATION, False),
]


@pytest.fixture
def names(app) -> list[str]:
    """Builds the dataset; the display names of its registrants."""
    with app.app_context():
        session = database.session()
        demo = seed_demo(session)
        condition = session.exec(select(Condition).where(Condition.program_id == demo.id)).first()
        people = []
        for number, (created, status, _) in enumerate(REGISTRATIONS):
            person = Participant(
                program_id=demo.id, email=f"person-{number}@example.org", display_name=f"Person {number}",
                condition_id=condition.id, timezone="Europe/Madrid", consent_version="1", status=status,
                created_at=created,
            )  # fmt: skip
            session.add(person)
            people.append(person)
        cohort = Cohort(
            program_id=demo.id, condition_id=condition.id, language="en", slot=17, status="approved"
        )
        session.add(cohort)
        session.flush()
        placed = [person for person, (*_, is_placed) in zip(people, REGISTRATIONS, strict=True) if is_placed]
        for person in placed:
            session.add(CohortMember(cohort_id=cohort.id, participant_id=person.id))
        held, upcoming, cancelled = (
            _meeting(session, cohort, number, status)
            for number, status in ((1, MeetingStatus.ENDED), (2, MeetingStatus.SCHEDULED), (3, "cancelled"))
        )
        for meeting in (held, upcoming, cancelled):
            for person in placed:
                session.add(MeetingRegistrant(meeting_id=meeting.id, participant_id=person.id))
        _stretch(session, held, placed[0], 0, 25)
        _stretch(session, held, placed[0], 30, 60)
        _stretch(session, held, placed[1], 5, 60)
        _stretch(session, held, None, 0, 10)
        _stretch(session, cancelled, placed[2], 0, 60)  # a meeting that did not take place counts for nothing
        for person in placed:
            session.add(
                OutboundMessage(kind=MessageKind.SURVEY, program_id=demo.id, meeting_id=held.id,
                                status="sent", participant_id=person.id, dedupe_key=f"survey-{person.id}")
            )  # fmt: skip
        for number, (feeling, comment) in enumerate(((4, SECRET_COMMENT), (5, ""))):
            session.add(
                SurveyResponse(
                    meeting_id=held.id, participant_id=placed[number].id, response_key=f"k{number}",
                    answers={"feeling": feeling, "less_alone": "yes", "comments": comment},
                )
            )  # fmt: skip
        session.commit()
        return [person.display_name for person in people]


def _meeting(session, cohort, number, status) -> Meeting:
    meeting = Meeting(
        cohort_id=cohort.id, number=number, starts_at=HELD + timedelta(weeks=4 * (number - 1)), status=status,
        calendar_uid=f"report-{number}", started_at=HELD if status == MeetingStatus.ENDED else None,
        ended_at=HELD + timedelta(hours=1) if status == MeetingStatus.ENDED else None,
    )  # fmt: skip
    session.add(meeting)
    session.flush()
    return meeting


def _stretch(session, meeting, person, start, end) -> None:
    session.add(
        Attendance(
            meeting_id=meeting.id, participant_id=person.id if person else None,
            zoom_participant_key=f"key-{person.id if person else 'stranger'}",
            joined_at=HELD + timedelta(minutes=start), left_at=HELD + timedelta(minutes=end),
        )
    )  # fmt: skip


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_report_counts_registrations_placement_attendance_and_answers(names, console_client):
    page = console_client("demo").get(REPORT)
    assert page.status_code == 200
    words = _text(page.text)
    assert "Registered 5 " in words  # the erased registrant is not counted
    assert "Verified 4 " in words
    assert "Placement rate 3 of 4 (75%)" in words
    assert "Meetings held 1 " in words
    assert "Attendance rate 2 of 3 (67%)" in words  # the stranger and the cancelled meeting do not count
    # The third was not asked: they missed the meeting, so they got "sorry we missed you" instead.
    assert "Survey response rate 2 of 2 (100%)" in words
    assert "2 people answered; average 4.5 on the scale from 1 to 5" in words


# Answers the database counts as the page shows them: skipped and blank answers, free text in several
# languages and scripts, a choice no longer offered, and questions removed from the survey since.
SPANISH_COMMENT = "Muy bien, gracias. Me sentí acompañada por primera vez en meses."
TRICKY_ANSWERS = [
    {"feeling": 1, "less_alone": "no", "comments": " \n\t\u3000 ", "old_rating": 2, "old_words": "很好"},
    {"feeling": None, "less_alone": "a_little", "comments": SPANISH_COMMENT, "old_rating": 2,
     "old_words": "Ça m'a fait du bien de parler."},
    {"less_alone": "maybe_later", "comments": "谢谢", "old_rating": 5, "old_choice": "yes"},
    {"feeling": 3, "less_alone": "yes", "old_choice": " ", "old_code": "a" * 41},
]  # fmt: skip
TRICKY_RESULTS = [  # (key, kind, people who answered, bars, average), as the report and results pages show
    ("feeling", "scale", 4, [("1 – Not good at all", 1), ("2", 0), ("3", 1), ("4", 1), ("5 – Very good", 1)],
     3.25),
    ("less_alone", "choice", 6, [("Yes", 3), ("A little", 1), ("No", 1), ("maybe_later", 1)], None),
    ("host_helped", "choice", 0, [("Yes", 0), ("Somewhat", 0), ("No", 0)], None),
    ("meet_again", "choice", 0, [("Yes", 0), ("Maybe", 0), ("No", 0)], None),
    ("comments", "text", 3, [], None),  # the two fixture's comments, one blank; the Spanish and the Chinese
    ("old_choice", "choice", 1, [("yes", 1)], None),  # the blank one is no answer
    ("old_code", "text", 1, [], None),  # too long to be a choice's code
    ("old_rating", "scale", 3, [("1", 0), ("2", 2), ("3", 0), ("4", 0), ("5", 1)], 3.0),
    ("old_words", "text", 2, [], None),  # a short word and a sentence: written words, not choices
]  # fmt: skip


def test_the_survey_figures_count_skipped_blank_written_and_removed_answers_as_given(app, names):
    with app.app_context():
        session = database.session()
        held = session.exec(select(Meeting).where(Meeting.status == MeetingStatus.ENDED)).one()
        for number, answers in enumerate(TRICKY_ANSWERS):
            session.add(SurveyResponse(meeting_id=held.id, response_key=f"tricky-{number}", answers=answers))
        session.commit()
        program = session.exec(select(Program).where(Program.slug == "demo")).one()
        report = program_report(session, program).survey
        results = survey_results(session, program)
    for shown in (report, results):
        assert shown.rate.answered == 6
        assert [
            (item.question.key, item.question.kind, item.answered, item.bars, item.average)
            for item in shown.questions
        ] == TRICKY_RESULTS
    assert [comment.text for comment in results.questions[4].comments] == [
        SECRET_COMMENT, SPANISH_COMMENT, "谢谢"
    ]  # fmt: skip


def test_registrations_per_week_are_a_chart_in_the_programs_time_zone_with_empty_weeks_shown(
    names, console_client
):
    page = console_client("demo").get(REPORT).text
    weeks = re.search(r'<svg[^>]*aria-label="Registrations per week".*?</svg>', page, re.S).group(0)
    assert 'role="img"' in weeks
    assert (
        "6 in all. Week of 2 Mar 2026: 3 (50%); Week of 9 Mar 2026: 1 (17%); Week of 16 Mar 2026: 2 (33%)."
        in weeks
    )
    assert '<th scope="row">Week of 9 Mar 2026</th><td>1</td>' in page


# Around the changes of clock in Madrid (summer time from 29 March 2026, winter time from 25 October): the
# UTC time each registration arrived at, and the Monday of its week in Madrid.
AROUND_CLOCK_CHANGES = [
    (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), date(2026, 3, 23)),  # Sunday 23:59, summer time
    (datetime(2026, 3, 29, 22, 30, tzinfo=UTC), date(2026, 3, 30)),  # Monday 00:30, summer time
    (datetime(2026, 10, 25, 22, 30, tzinfo=UTC), date(2026, 10, 19)),  # Sunday 23:30, winter time
    (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), date(2026, 10, 26)),  # Monday 00:00, winter time
]


def test_registrations_fall_in_their_week_of_the_programs_zone_across_changes_of_clock(app):
    with app.app_context():
        session = database.session()
        demo = seed_demo(session)
        condition = session.exec(select(Condition).where(Condition.program_id == demo.id)).first()
        for number, (created, _) in enumerate(AROUND_CLOCK_CHANGES):
            session.add(
                Participant(program_id=demo.id, email=f"clock-{number}@example.org", display_name="Someone",
                            condition_id=condition.id, timezone="Europe/Madrid", consent_version="1",
                            created_at=created)
            )  # fmt: skip
        session.commit()
        weeks = registrations_per_week(session, demo)
    assert demo.timezone == "Europe/Madrid"
    assert [(monday, count) for monday, count in weeks if count] == [
        (monday, 1) for _, monday in AROUND_CLOCK_CHANGES
    ]
    assert [monday for monday, _ in weeks] == [date(2026, 3, 23) + timedelta(weeks=n) for n in range(32)]


def test_the_report_names_no_one_and_leaves_comments_on_the_results_page(names, console_client):
    page = console_client("demo").get(REPORT).text
    assert not [name for name in names if name in page]
    assert SECRET_COMMENT not in page
    assert "1 comment." in _text(page)


def test_the_report_is_printable_and_linked_from_the_results_page(names, console_client):
    client = console_client("demo")
    results = client.get("/console/programs/demo/results").text
    assert f'href="{REPORT}"' in results and f'href="{REPORT}?print=1"' in results
    screen = client.get(REPORT).text
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in screen
    assert f'href="{REPORT}?print=1"' in screen
    printable = client.get(f"{REPORT}?print=1").text
    assert '<link rel="stylesheet" href="/static/print.css">' in printable  # the print layout on screen too
    assert "use your browser's Print command" in _text(printable)
    css = client.get("/static/print.css").text
    assert "size: A4" in css and ".program-nav" in css


def test_postgresql_finds_the_meetings_held_from_their_index(app, names):
    """The statuses of a meeting held are written into the statement, as `ix_meeting_held` says them, so
    PostgreSQL can read the few meetings held from the index, in any plan, rather than every meeting."""
    with app.app_context():
        session = database.session()
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite plans as it does")
        held = held_meetings(session.exec(select(Program).where(Program.slug == "demo")).one())
        with statements_sent(session.get_bind()) as sent:
            session.exec(held).all()
        assert "meeting.status IN ('started', 'ended')" in sent[0]
        session.connection().exec_driver_sql(
            "SET LOCAL enable_seqscan = off"
        )  # a table this small is read whole
        statement = held.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = session.connection().exec_driver_sql(f"EXPLAIN {statement}").scalars().all()
        session.rollback()
    assert any("ix_meeting_held" in line for line in plan), plan


def test_an_empty_program_has_a_report_too(app, console_client):
    with app.app_context():
        session = database.session()
        seed_demo(session)
        session.commit()
    words = _text(console_client("demo").get(REPORT).text)
    assert "No one has registered yet." in words and "Placement rate none yet" in words


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_printing_the_report_keeps_the_content_only_and_fits_a4(app, names, browser, server):
    with app.app_context():
        session = database.session()
        create_coordinator(
            session, "printer@example.org", "a long enough test password", program_slugs=("demo",)
        )
        session.commit()
    # The page runs no script; bypassing its Content Security Policy lets the test inject axe-core.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{server}{REPORT}")
    page.get_by_label("Email address").fill("printer@example.org")
    page.get_by_label("Password").fill("a long enough test password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Patient Café: program report").is_visible()
    assert page.get_by_role("img", name="Registrations per week").is_visible()
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})")
    serious = [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious)

    page.emulate_media(media="print")
    page.set_viewport_size({"width": 680, "height": 960})  # A4 less its margins, at 96 pixels per inch
    assert not page.locator(".program-nav").is_visible() and not page.locator(".site-header").is_visible()
    assert not page.get_by_role("link", name="Printable view").is_visible()
    assert page.get_by_role("img", name="Registrations per week").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 680
    assert page.pdf(format="A4")[:4] == b"%PDF"
    context.close()
