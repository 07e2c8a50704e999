"""The console's CSV downloads are sent while they are written, and give their database connection back.

The world: the demo program with 1,200 registrants put straight into 200 groups of six (no matcher), enough
rows for the cohorts export to leave in several pieces. Each group but the last has a first meeting that
was held; every tenth has a second, cancelled; every seventh a second still to come. The export is read
with Python's csv module and, separately, compared byte for byte with the text written out by hand.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app import database
from app.demo import seed_demo
from app.models import Cohort, CohortMember, Condition, Host, Meeting, Participant, Stage

from ..sessions import open_transactions

SLUG = "demo"
EXPORT = f"/console/programs/{SLUG}/cohorts.csv"
TODAY = date(2026, 1, 5)  # the demo's first meetings then fall in the week of Monday 19 January 2026
HELD = datetime(2026, 1, 20, 17, 0, tzinfo=UTC)
FORMULA = '=HYPERLINK("https://evil.example")'
HEADER = ("group,status,condition,language,role,weekly_slot_utc,starts_at_utc,host,member,member_role,stage,"
          "timezone")  # fmt: skip


@pytest.fixture
def groups(app) -> int:
    """The world above; how many groups it has."""
    with app.app_context():
        session = database.session()
        program = seed_demo(session, registrants=1_200, today=TODAY)
        host = session.exec(select(Host).where(Host.program_id == program.id).order_by(Host.id)).first()
        people = session.exec(select(Participant).order_by(Participant.id)).all()
        people[0].display_name = FORMULA
        people[1].stage_id = None  # someone who did not say their stage
        count = len(people) // 6
        for number in range(count):
            members = people[number * 6 : number * 6 + 6]
            cohort = Cohort(
                program_id=program.id, condition_id=members[0].condition_id, language="en",
                slot=17 + number % 3, role="caregiver" if number % 5 == 0 else None,
                host_id=host.id if number % 4 == 0 else None,
                status="approved" if number < count - 1 else "proposed",
            )  # fmt: skip
            session.add(cohort)
            session.flush()
            session.add_all(CohortMember(cohort_id=cohort.id, participant_id=p.id) for p in members)
            if number < count - 1:
                _meeting(session, cohort, 1, HELD + timedelta(hours=number), "ended")
            if number % 10 == 0:
                _meeting(session, cohort, 2, HELD + timedelta(days=28), "cancelled")
            elif number % 7 == 0:
                _meeting(session, cohort, 2, HELD + timedelta(days=35, minutes=30), "scheduled")
        session.commit()
        return count


def _meeting(session, cohort: Cohort, number: int, starts_at: datetime, status: str) -> None:
    session.add(
        Meeting(cohort_id=cohort.id, number=number, starts_at=starts_at, status=status,
                calendar_uid=f"exports-{cohort.id}-{number}")
    )  # fmt: skip


@pytest.fixture
def coordinator(groups, console_client):
    return console_client(SLUG)


def _expected_rows(app) -> list[list[str]]:
    """What the export should hold, worked out here from the rows themselves."""
    with app.app_context():
        session = database.session()
        conditions = {c.id: c.name for c in session.exec(select(Condition))}
        stages = {s.id: s.name for s in session.exec(select(Stage))}
        hosts = {h.id: h.display_name for h in session.exec(select(Host))}
        days = ["Monday", "Tuesday", "Wednesday"]
        rows = []
        for cohort in session.exec(select(Cohort).order_by(Cohort.id)):
            meetings = session.exec(
                select(Meeting).where(Meeting.cohort_id == cohort.id, Meeting.status != "cancelled")
            ).all()
            latest = max(meetings, key=lambda meeting: meeting.number).starts_at if meetings else None
            # Without a meeting: the group's hour in the program's first week (Monday 19 January 2026).
            starts = latest or datetime(2026, 1, 19, tzinfo=UTC) + timedelta(hours=cohort.slot)
            members = session.exec(
                select(Participant)
                .join(CohortMember, CohortMember.participant_id == Participant.id)
                .where(CohortMember.cohort_id == cohort.id)
            ).all()
            for person in sorted(members, key=lambda person: (person.display_name, person.id)):
                name = "'" + person.display_name if person.display_name == FORMULA else person.display_name
                rows.append([
                    str(cohort.id), cohort.status, conditions[cohort.condition_id], cohort.language,
                    cohort.role or "", f"{days[cohort.slot // 24]} {cohort.slot % 24:02d}:00 UTC",
                    f"{starts:%Y-%m-%dT%H:%M}Z", hosts.get(cohort.host_id, ""), name, person.role,
                    stages.get(person.stage_id, "Not sure"), person.timezone,
                ])  # fmt: skip
        return rows


def _checked_out(app) -> int:
    """Connections of the app's pool in use now."""
    return app.extensions["engine"].pool.checkedout()


def _open_transactions(app) -> int:
    return open_transactions(app.extensions["engine"])


def test_the_cohorts_export_lists_every_member_as_written_out_by_hand(app, coordinator, groups):
    response = coordinator.get(EXPORT)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="demo-cohorts.csv"'
    expected = _expected_rows(app)
    assert len(expected) == groups * 6
    parsed = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert parsed == [HEADER.split(","), *expected]
    # The same, byte for byte: lines end in CRLF, and only the formula's cell needs quotes (it holds some).
    quoted = '"\'=HYPERLINK(""https://evil.example"")"'
    lines = [",".join(quoted if cell.startswith("'=") else cell for cell in row) for row in expected]
    assert response.data == "\r\n".join([HEADER, *lines, ""]).encode()


def test_a_large_export_is_sent_in_pieces_and_gives_its_connection_back(app, coordinator):
    response = coordinator.get(EXPORT)
    assert response.is_streamed
    pieces = list(response.response)
    assert len(pieces) > 2 and b"".join(pieces).startswith(HEADER.encode() + b"\r\n")
    response.close()
    assert _checked_out(app) == 0 and _open_transactions(app) == 0


def test_reading_the_whole_export_is_enough_to_give_the_connection_back(app, coordinator):
    """Some clients never close a response; reading it to the end must be enough."""
    assert coordinator.get(EXPORT).data.count(b"\r\n") == 1_200 + 1
    assert _checked_out(app) == 0 and _open_transactions(app) == 0


def test_a_client_that_leaves_mid_download_leaves_no_connection_behind(app, coordinator):
    response = coordinator.get(EXPORT)
    pieces = iter(response.response)
    first = next(pieces)
    assert first.startswith(HEADER.encode())
    # The rest is still being read from the database for this download...
    assert _checked_out(app) == 1
    # ...until the client goes: the server then closes the response, as WSGI servers do.
    response.close()
    assert _checked_out(app) == 0 and _open_transactions(app) == 0
    assert coordinator.get(EXPORT).data.count(b"\r\n") == 1_200 + 1  # and the next download is whole
