"""Survey results in the console: the charts, response rates, comments, the CSV, and who may see them.

The world: two groups of the demo program. Group A sent 4 surveys and got 3 answers (one under a name, two
anonymous); group B sent 2 (a third failed) and got 1 answer under a name. The program has since removed
the question `host_helped`, which some answered.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app import database
from app.charts import bar_chart, percent
from app.demo import seed_demo
from app.messages.kinds import MessageKind
from app.models import (
    DEFAULT_SURVEY_QUESTIONS,
    AuditEvent,
    Cohort,
    CohortMember,
    Meeting,
    MessageStatus,
    OutboundMessage,
    Participant,
    Program,
    SurveyResponse,
)

RESULTS = "/console/programs/demo/results"
NAMED_A = "I felt at home with this group"
ANONYMOUS_A = "It was hard to speak about my illness"
FORMULA = '=HYPERLINK("http://evil.example")'
NAMED_B = "Thank you all"
STARTS = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    meeting_a: int
    meeting_b: int
    cohort_a: int
    cohort_b: int
    named_a: str  # display names of the people who answered under their name
    named_b: str
    anonymous_a: str  # someone who answered anonymously (their name must never show with it)


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        session = database.session()
        demo = seed_demo(session, registrants=8)
        demo.survey_questions = [q for q in DEFAULT_SURVEY_QUESTIONS if q["key"] != "host_helped"]
        session.add(
            Program(slug="other", name="Other", organisation="Elsewhere", contact_email="o@example.org")
        )
        people = session.exec(select(Participant).order_by(Participant.id)).all()
        meeting_a = _meeting(session, demo, people[:4], sent=4)
        meeting_b = _meeting(session, demo, people[4:6], sent=2, failed=1)
        answer = _answerer(session)
        answer(
            meeting_a,
            people[0],
            feeling=5,
            less_alone="yes",
            meet_again="yes",
            comments=NAMED_A,
            host_helped="yes",
        )
        # Anonymous, even though a (wrongly) kept participant id would lead to a name: it must not be used.
        answer(meeting_a, people[1], anonymous=True, feeling=4, less_alone="a_little", comments=ANONYMOUS_A)
        answer(
            meeting_a, None, anonymous=True, feeling=2, less_alone="no", comments=FORMULA, host_helped="no"
        )
        answer(meeting_b, people[4], feeling=4, less_alone="yes", meet_again="maybe", comments=NAMED_B)
        session.commit()
        return World(
            meeting_a.id, meeting_b.id, meeting_a.cohort_id, meeting_b.cohort_id,
            people[0].display_name, people[4].display_name, people[1].display_name,
        )  # fmt: skip


def _meeting(session, program, members, *, sent: int, failed: int = 0) -> Meeting:
    cohort = Cohort(program_id=program.id, condition_id=members[0].condition_id, language="en", slot=17)
    cohort.status = "approved"
    session.add(cohort)
    session.flush()
    for member in members:
        member.condition_id = cohort.condition_id
        session.add(CohortMember(cohort_id=cohort.id, participant_id=member.id))
    meeting = Meeting(
        cohort_id=cohort.id, starts_at=STARTS, calendar_uid=f"results-{cohort.id}", status="ended"
    )
    session.add(meeting)
    session.flush()
    statuses = [MessageStatus.SENT] * sent + [MessageStatus.FAILED] * failed + [MessageStatus.PENDING]
    for number, status in enumerate(statuses):
        session.add(
            OutboundMessage(
                kind=MessageKind.SURVEY, program_id=program.id, meeting_id=meeting.id, status=status,
                dedupe_key=f"survey:{meeting.id}:{number}",
            )
        )  # fmt: skip
    session.add(  # another kind of message, sent: not a survey
        OutboundMessage(kind=MessageKind.REMINDER, program_id=program.id, meeting_id=meeting.id,
                        status="sent", dedupe_key=f"reminder:{meeting.id}")
    )  # fmt: skip
    return meeting


def _answerer(session):
    made = 0

    def answer(meeting, person, *, anonymous=False, **answers):
        nonlocal made
        made += 1
        session.add(
            SurveyResponse(
                meeting_id=meeting.id, participant_id=person.id if person else None, anonymous=anonymous,
                response_key=f"key-{made}", answers=answers,
                submitted_at=datetime(2026, 3, 3, 0 if anonymous else 9, made, tzinfo=UTC),
            )
        )  # fmt: skip

    return answer


@pytest.fixture
def coordinator(world, console_client):
    return console_client("demo")


def _text(html: str) -> str:
    """The page's words, tags removed and spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _comment_items(html: str) -> list[str]:
    return [_text(item) for item in re.findall(r"<li>\s*<blockquote>.*?</li>", html, re.S)]


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


# The chart


def test_a_bar_chart_is_an_image_whose_bars_carry_their_count_and_share_as_text():
    svg = str(bar_chart(["Yes", "A little", "No"], [3, 1, 0], title="Less alone?", chart_id="q1"))
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-label="Less alone?"' in svg
    assert "<title>Less alone?</title>" in svg
    assert '<desc id="q1-desc">4 in all. Yes: 3 (75%); A little: 1 (25%); No: 0 (0%).</desc>' in svg
    assert 'aria-describedby="q1-desc"' in svg
    assert re.findall(r">\d \(\d+%\)<", svg) == [">3 (75%)<", ">1 (25%)<", ">0 (0%)<"]
    widths = [int(width) for width in re.findall(r'<rect [^>]* width="(\d+)"', svg)]
    assert len(widths) == 2 and abs(widths[0] - 3 * widths[1]) <= 1  # no bar for 0, the rest in proportion


def test_a_bar_chart_escapes_its_words_and_shortens_long_labels_keeping_them_whole_in_a_title():
    long = "Somewhat, though the host could have given everyone more time"
    svg = str(bar_chart(["<b>bold</b>", long], [1, 1], title='Say "hi" & <go>', chart_id="x"))
    assert "<b>" not in svg and "&lt;b&gt;bold&lt;/b&gt;" in svg
    assert 'aria-label="Say &#34;hi&#34; &amp; &lt;go&gt;"' in svg
    assert f"<title>{long}</title>" in svg and "Somewhat, though the host c…</text>" in svg


def test_a_bar_chart_with_nothing_counted_yet_still_reads():
    svg = str(bar_chart(["Yes", "No"], [0, 0], title="Empty", chart_id="e"))
    assert "<rect" not in svg and svg.count("0 (0%)") == 4  # twice in the description, once per bar
    assert "Nothing to show yet." in str(bar_chart([], [], title="None", chart_id="n"))
    with pytest.raises(ValueError):
        bar_chart(["Yes"], [1, 2], title="Mismatch", chart_id="m")
    assert (percent(1, 3), percent(2, 3), percent(0, 0)) == ("33%", "67%", "0%")


# The results pages


def test_the_results_page_shows_response_rates_distributions_and_averages(coordinator, world):
    response = coordinator.get(RESULTS)
    assert response.status_code == 200
    words = _text(response.text)
    assert "6 surveys sent" in words and "4 answered" in words and "67% response rate" in words
    assert (
        f"Group {world.cohort_a}" in words and "3 of 4 (75%)" in words
    )  # group A: the failed one not counted
    assert f"Group {world.cohort_b}" in words and "1 of 2 (50%)" in words
    assert "4 people answered; average 3.8 on the scale from 1 to 5" in words  # (5 + 4 + 2 + 4) / 4
    charts = re.findall(r"<svg.*?</svg>", response.text, re.S)
    assert (
        len(charts) == 4
    )  # feeling, less alone, meet again, and the removed host_helped; comments have none
    less_alone = next(chart for chart in charts if "less alone" in chart)
    assert "Yes: 2 (50%); A little: 1 (25%); No: 1 (25%)." in less_alone
    # The same numbers in a table for screen readers
    assert re.search(r"<th scope=\"row\">A little</th><td>1</td><td>25%</td>", response.text)


def test_answers_to_a_removed_question_still_show_labelled_by_its_key(coordinator, world):
    page = coordinator.get(RESULTS).text
    words = _text(page)
    assert "host_helped (no longer in the survey; answers given before it was removed)" in words
    removed = next(chart for chart in re.findall(r"<svg.*?</svg>", page, re.S) if "host_helped" in chart)
    assert "2 in all. no: 1 (50%); yes: 1 (50%)." in removed


def test_anonymous_comments_are_never_shown_next_to_a_name(coordinator, world):
    items = _comment_items(coordinator.get(RESULTS).text)
    assert len(items) == 4
    named = next(item for item in items if NAMED_A in item)
    assert world.named_a in named
    for text in (ANONYMOUS_A, FORMULA.replace('"', "&#34;")):
        anonymous = next(item for item in items if text in item)
        assert "anonymous" in anonymous
        assert world.anonymous_a not in anonymous and world.named_a not in anonymous


def test_a_program_with_anonymous_answers_only_shows_no_names_at_all(app, coordinator, world):
    with app.app_context():
        session = database.session()
        session.exec(select(Program).where(Program.slug == "demo")).one().survey_anonymous = True
        session.commit()
    page = coordinator.get(RESULTS).text
    assert world.named_a not in page and world.named_b not in page
    rows = _csv(coordinator.get(f"{RESULTS}.csv"))
    assert "participant" not in rows[0]


def test_a_meetings_results_count_only_that_meeting(coordinator, world):
    page = coordinator.get(f"/console/programs/demo/meetings/{world.meeting_b}/results")
    assert page.status_code == 200
    words = _text(page.text)
    assert "2 surveys sent" in words and "1 answered" in words and "50% response rate" in words
    assert NAMED_B in words and world.named_b in words and NAMED_A not in words
    assert "host_helped" not in words  # no one at this meeting answered it


def test_results_before_any_survey_went_out(app, console_client):
    with app.app_context():
        session = database.session()
        seed_demo(session)
        session.commit()
    words = _text(console_client("demo").get(RESULTS).text)
    assert "No survey has gone out yet." in words and "No answers yet." in words


# The CSV


def test_the_csv_has_a_row_per_response_and_names_only_for_named_answers(coordinator, world):
    rows = _csv(coordinator.get(f"{RESULTS}.csv"))
    assert len(rows) == 4
    assert list(rows[0])[:5] == ["meeting_id", "group_id", "meet_up", "date", "participant"]
    assert list(rows[0])[5:] == ["feeling", "less_alone", "meet_again", "comments", "host_helped"]
    by_comment = {row["comments"]: row for row in rows}
    assert by_comment[NAMED_A]["participant"] == world.named_a
    assert by_comment[NAMED_A] | {"participant": ""} == {
        "meeting_id": str(world.meeting_a), "group_id": str(world.cohort_a), "meet_up": "1",
        "date": "2026-03-03", "participant": "", "feeling": "5", "less_alone": "yes", "meet_again": "yes",
        "comments": NAMED_A, "host_helped": "yes",
    }  # fmt: skip
    assert by_comment[ANONYMOUS_A]["participant"] == ""
    assert by_comment["'" + FORMULA]["participant"] == ""  # a formula is written as text, never run
    assert by_comment[NAMED_B]["participant"] == world.named_b
    assert all(world.anonymous_a not in ",".join(row.values()) for row in rows)


def test_the_csv_is_written_byte_for_byte_as_a_spreadsheet_reads_it(app, coordinator, world):
    """Both meetings start at once, so group A's meeting (made first) comes first; within a meeting's day
    the answers follow their random key (here key-1 … key-4, in the order given)."""
    response = coordinator.get(f"{RESULTS}.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="demo-survey-results.csv"'
    a = f"{world.meeting_a},{world.cohort_a},1,2026-03-03"
    b = f"{world.meeting_b},{world.cohort_b},1,2026-03-03"
    expected = (
        "meeting_id,group_id,meet_up,date,participant,feeling,less_alone,meet_again,comments,host_helped\r\n"
        f"{a},{world.named_a},5,yes,yes,{NAMED_A},yes\r\n"
        f"{a},,4,a_little,,{ANONYMOUS_A},\r\n"
        f'{a},,2,no,,"\'=HYPERLINK(""http://evil.example"")",no\r\n'
        f"{b},{world.named_b},4,yes,maybe,{NAMED_B},\r\n"
    )
    assert response.data == expected.encode()
    assert app.extensions["engine"].pool.checkedout() == 0  # the download gave its connection back


def test_a_question_no_longer_asked_is_a_column_only_where_someone_answered_it(app, coordinator, world):
    with app.app_context():
        session = database.session()
        session.add(
            SurveyResponse(
                meeting_id=world.meeting_b, anonymous=True, response_key="key-blank",
                answers={"feeling": 3, "old_blank": "  ", "old_empty": None, "old_kept": "maybe"},
                submitted_at=datetime(2026, 3, 4, tzinfo=UTC),
            )
        )  # fmt: skip
        session.commit()
    rows = _csv(coordinator.get(f"{RESULTS}.csv"))
    assert list(rows[0])[9:] == ["host_helped", "old_kept"] and len(rows) == 5
    assert rows[-1]["feeling"] == "3" and rows[-1]["old_kept"] == "maybe" and rows[-1]["host_helped"] == ""


def test_viewing_and_exporting_results_is_recorded(app, coordinator, world):
    coordinator.get(RESULTS)
    coordinator.get(f"/console/programs/demo/meetings/{world.meeting_a}/results")
    coordinator.get(f"{RESULTS}.csv")
    with app.app_context():
        events = database.session().exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.subject_id) for e in events] == [
        ("console.viewed_results", ""),
        ("console.viewed_results", str(world.meeting_a)),
        ("console.exported_results", ""),
    ]
    assert events[-1].detail == {"responses": 4} and events[-1].actor == "coordinator-1@example.org"


# Who may see them


@pytest.mark.parametrize(
    "path",
    ["results", "results.csv", "report", "meetings/{a}/results", "meetings/{a}/attendance"],
)
def test_a_coordinator_of_another_program_finds_no_results(world, console_client, path):
    url = f"/console/programs/demo/{path.format(a=world.meeting_a)}"
    assert console_client("other").get(url).status_code == 404
    assert console_client("demo").get(url).status_code == 200


def test_a_meeting_of_another_program_is_not_found_under_this_one(app, world, console_client):
    with app.app_context():
        session = database.session()
        other = session.exec(select(Program).where(Program.slug == "other")).one()
        cohort = Cohort(program_id=other.id, condition_id=1, language="en", slot=1)
        session.add(cohort)
        session.flush()
        foreign = Meeting(cohort_id=cohort.id, starts_at=STARTS, calendar_uid="foreign")
        session.add(foreign)
        session.commit()
        foreign_id = foreign.id
    client = console_client("demo", "other")
    for page in ("results", "attendance"):
        assert client.get(f"/console/programs/demo/meetings/{foreign_id}/{page}").status_code == 404
        assert client.get(f"/console/programs/other/meetings/{foreign_id}/{page}").status_code == 200
