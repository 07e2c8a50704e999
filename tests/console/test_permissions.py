"""Who may reach every console route, found in the app's URL map so routes added later are covered too.

Anonymous visitors are sent to sign in; a coordinator of another program is told the page does not exist
(404), so the console never confirms which programs a deployment runs; the program's own coordinator and an
admin get the page. URL parameters are filled with the demo program's slug and ids of rows that exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select
from werkzeug.routing import Rule

from app import database
from app.database import utcnow
from app.demo import seed_demo
from app.models import AuditEvent, Cohort, CohortMember, Condition, Coordinator, Host, Participant, Program
from app.services.accounts import create_coordinator
from app.services.approval import approve_cohort

from ..conftest import enrol_second_factor

PUBLIC = {"console.login", "console.login_code"}  # the code step answers only a half-signed-in session
SIGNS_OUT = {"console.logout"}  # would end the session the next requests rely on


@dataclass(frozen=True)
class Route:
    rule: Rule
    url: str
    complete: bool  # every id names a row of the demo program, so the page can be expected to exist

    @property
    def name(self) -> str:
        return self.rule.endpoint

    def allows(self, method: str) -> bool:
        return method in self.rule.methods

    @property
    def under_program(self) -> bool:
        return "slug" in self.rule.arguments


@pytest.fixture
def routes(app) -> list[Route]:
    """Every console route with its parameters filled, in a world with one cohort approved (so meetings,
    Zoom operations and messages exist) and one proposed, a second program with nothing in it, and the
    account of a colleague with two-factor sign-in (for the admins' accounts pages)."""
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        session = database.session()
        demo = seed_demo(session, registrants=8)
        session.add(
            Program(slug="other", name="Other", organisation="Elsewhere", contact_email="o@example.org")
        )
        for approve in (True, False):
            _group(session, demo, approve=approve)
        colleague = create_coordinator(session, "colleague@example.org", "a long enough test password")
        enrol_second_factor(session, colleague)
        session.commit()
        rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("console.")]
        return [_fill(session, app, demo, rule) for rule in rules]


def _group(session, demo: Program, *, approve: bool) -> None:
    members = session.exec(
        select(Participant).outerjoin(CohortMember).where(CohortMember.id.is_(None)).limit(3)
    ).all()
    cohort = Cohort(
        program_id=demo.id,
        condition_id=members[0].condition_id,
        language="en",
        slot=14,
        host_id=session.exec(select(Host.id)).first(),
    )
    session.add(cohort)
    session.flush()
    for member in members:
        if member.condition_id != cohort.condition_id:
            member.condition_id, member.stage_id = cohort.condition_id, None
        session.add(CohortMember(cohort_id=cohort.id, participant_id=member.id))
    session.flush()
    if approve:
        approve_cohort(session, cohort, actor="test", now=utcnow())


def _fill(session, app, demo: Program, rule: Rule) -> Route:
    values, complete = {}, True
    for argument in rule.arguments:
        if argument == "slug":
            values[argument] = demo.slug
            continue
        row_id = _existing_id(session, demo, argument) if argument.endswith("_id") else None
        complete = complete and row_id is not None
        values[argument] = row_id if row_id is not None else 0
    with app.test_request_context():
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
    return Route(rule, url, complete)


def _existing_id(session, demo: Program, argument: str) -> int | None:
    """The first row of the table an `x_id` argument names (`run_id` → matchrun), in the demo program."""
    key = argument.removesuffix("_id").replace("_", "")
    tables = SQLModel.metadata.tables
    names = [key] if key in tables else sorted(name for name in tables if name.endswith(key))
    if not names:
        return None
    table = tables[names[0]]
    query = select(func.min(table.c.id))
    if "program_id" in table.c:
        query = query.where(table.c.program_id == demo.id)
    return session.exec(query).one()


def _problems(client, routes: list[Route], method: str, expect) -> list[str]:
    """Each route where `expect(status, location)` is false, as "METHOD url → status" lines."""
    problems = []
    for route in routes:
        response = client.open(route.url, method=method)
        if not expect(response.status_code, response.location):
            problems.append(
                f"{method} {route.url} ({route.name}) → {response.status_code} {response.location or ''}"
            )
    return problems


def signs_in(status: int, location: str | None) -> bool:
    return status == 302 and (location or "").startswith("/console/login")


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(app, routes):
    client = app.test_client()
    guarded = [route for route in routes if route.name not in PUBLIC]
    problems = _problems(client, [r for r in guarded if r.allows("GET")], "GET", signs_in)
    problems += _problems(client, [r for r in guarded if r.allows("POST")], "POST", signs_in)
    assert not problems, "\n".join(problems)
    assert len(guarded) >= 10


def test_a_coordinator_of_another_program_finds_nothing_there_and_each_attempt_is_recorded(
    app, routes, console_client
):
    client = console_client("other", email="outsider@example.org")
    scoped = [route for route in routes if route.under_program]
    gets, posts = [r for r in scoped if r.allows("GET")], [r for r in scoped if r.allows("POST")]
    problems = _problems(client, gets, "GET", lambda status, _: status == 404)
    problems += _problems(client, posts, "POST", lambda status, _: status == 404)
    assert not problems, "\n".join(problems)
    assert "Patient Café" not in client.get("/console/").text
    refusals = _refusals(app)
    assert len(refusals) == len(gets) + len(posts)
    assert {(event.method, event.path) for event in refusals} == {("GET", r.url) for r in gets} | {
        ("POST", r.url) for r in posts
    }
    assert {(event.actor, event.program) for event in refusals} == {("outsider@example.org", "demo")}


@dataclass(frozen=True)
class Refusal:
    actor: str
    program: str
    method: str
    path: str
    subject: str


def _refusals(app) -> list[Refusal]:
    with app.app_context():
        session = database.session()
        rows = session.exec(
            select(AuditEvent, Coordinator.email, Program.slug)
            .join(Coordinator, Coordinator.id == AuditEvent.coordinator_id)
            .join(Program, Program.id == AuditEvent.program_id)
            .where(AuditEvent.action == "access.refused")
        ).all()
        return [
            Refusal(email, slug, event.detail["method"], event.detail["path"], event.subject_type)
            for event, email, slug in rows
        ]


def test_a_row_of_another_program_under_ones_own_is_refused_and_recorded(app, routes, console_client):
    client = console_client("other", email="outsider@example.org")
    with app.app_context():
        demo_cohort = database.session().exec(select(func.min(Cohort.id))).one()
    page = f"/console/programs/other/cohorts/{demo_cohort}"

    assert client.get(page).status_code == 404
    assert client.post(f"{page}/lock").status_code == 404

    assert _refusals(app) == [
        Refusal("outsider@example.org", "demo", "GET", page, "cohort"),
        Refusal("outsider@example.org", "demo", "POST", f"{page}/lock", "cohort"),
    ]
    activity = console_client("demo").get("/console/programs/demo/activity").text
    assert "Was refused: not a coordinator of this program" in activity


def test_a_mistyped_id_or_program_is_not_an_attempt(app, routes, console_client):
    with app.app_context():
        demo_cohort = database.session().exec(select(func.min(Cohort.id))).one()
    admin = console_client(admin=True)
    assert admin.get(f"/console/programs/other/cohorts/{demo_cohort}").status_code == 404
    assert console_client("other").get("/console/programs/nowhere").status_code == 404
    assert console_client("other").get("/console/programs/other/cohorts/999999").status_code == 404
    assert _refusals(app) == []


@pytest.mark.parametrize("admin", [False, True], ids=["coordinator of the program", "admin"])
def test_the_programs_coordinator_and_admins_reach_every_page(app, routes, console_client, admin):
    client = console_client(admin=True) if admin else console_client("demo")
    pages = [route for route in routes if route.allows("GET")]
    problems = []
    for route in pages:
        problems += _problems(client, [route], "GET", _reachable(route, admin))
    assert not problems, "\n".join(problems)
    assert {"console.hosts", "console.activity", "console.edit_program"} <= {route.name for route in pages}


def _reachable(route: Route, admin: bool):
    if not route.complete:  # no row of its kind exists to name, so it may be missing, but never forbidden
        return lambda status, _: status != 403 and status < 500
    if route.under_program or admin:
        return lambda status, _: status not in (403, 404) and status < 500
    return lambda status, _: status != 404 and status < 500  # deployment-wide pages may be for admins only


def test_every_console_form_refuses_a_post_without_its_csrf_token(app, routes, console_client):
    client = console_client("demo", admin=True)
    app.config["WTF_CSRF_ENABLED"] = True
    posts = [route for route in routes if route.allows("POST") and route.name not in SIGNS_OUT]
    problems = _problems(client, posts, "POST", lambda status, _: status == 400)
    problems += _problems(
        client, [r for r in routes if r.name in SIGNS_OUT], "POST", lambda status, _: status == 400
    )
    assert not problems, "\n".join(problems)
    assert client.get("/console/").status_code == 200  # still signed in: signing out needs the token too
    with app.app_context():
        assert database.session().exec(select(func.count()).select_from(Condition)).one() == 4
