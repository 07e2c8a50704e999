"""Security headers on every page, cookie flags, HTTPS behind a trusted proxy, and no trust in proxy headers
otherwise."""

from __future__ import annotations

import csv
import io

import pytest
from flask import url_for
from sqlmodel import func, select

from app import create_app, database
from app.database import utcnow
from app.demo import seed_demo
from app.links import make_token
from app.messages.text_links import text_link_code
from app.models import (
    Cohort,
    Concern,
    Condition,
    Coordinator,
    Host,
    OutboundMessage,
    Participant,
    Stage,
    TextReply,
    ZoomOperation,
    ZoomUser,
)
from app.services.approval import approve_cohort
from app.services.proposals import propose_cohorts

from .test_settings import PRODUCTION


@pytest.mark.parametrize("path", ["/healthz", "/console/login", "/no-such-page"])
def test_every_response_forbids_inline_script_framing_and_referrers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would mean nothing


def test_pages_are_never_cached_but_static_files_may_be(client):
    assert client.get("/console/login").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/site.css").headers.get("Cache-Control", "")


# The signed links each route follows, by endpoint (or blueprint), and one valid step of routes that take one.
LINK_PURPOSES = {
    "public.verify": "verify",
    "selfservice.unsubscribe": "unsubscribe",
    "selfservice": "manage",
    "survey": "survey",
    "hosts": "host",
    "debriefs": "host",
    "answers.answer": "answer",
    "answers.seat": "seat",
    "answers.add_time": "add_time",
    "absence": "absence",
}
STEPS = {"selfservice.take_break": "pause", "selfservice.confirm": "withdraw"}
# Routes that show personal data when all goes well: the walk must reach them, or it proves little.
PERSONAL_DATA = {
    "console.program", "console.cohort", "console.export_cohorts", "console.export_results",
    "console.waitlist", "console.meeting", "console.attendance", "console.results", "console.hosts",
    "selfservice.manage", "hosts.page", "survey.answer", "api.program_facts", "answers.answer",
    "console.texts", "console.unknown_texts", "console.concerns",
}  # fmt: skip


def _approved_demo(app) -> dict:
    """The demo program with registrants, proposed groups and one approved; the ids each route may take."""
    with app.app_context():
        session = database.session()
        program = seed_demo(session, registrants=40)
        propose_cohorts(session, program, today=utcnow().date())

        def first(model) -> int:
            return session.exec(select(model.id).order_by(model.id)).first()

        cohort = session.get(Cohort, first(Cohort))
        cohort.host_id = first(Host)  # hosted, so that its host's pages have a meeting to show
        meeting = approve_cohort(session, cohort, actor="test", now=utcnow())
        participant = first(Participant)
        texts = [  # one from a registrant, one from a number we do not know
            TextReply(message_sid=f"SM{n:032x}", program_id=program_id, participant_id=sender, body="Hello",
                      meaning="other", from_number="+15550100000")
            for n, (program_id, sender) in enumerate([(program.id, participant), (None, None)])
        ]  # fmt: skip
        session.add_all(texts)
        concern = Concern(program_id=program.id, reporter="member", participant_id=participant, body="Hm")
        session.add(concern)
        session.commit()

        return {
            "slug": program.slug,
            "cohort_id": cohort.id,
            "meeting_id": meeting.id,
            "participant_id": participant,
            "host_id": cohort.host_id,
            "condition_id": first(Condition),
            "stage_id": first(Stage),
            "run_id": 1,
            "message_id": first(OutboundMessage),
            "code": text_link_code(first(OutboundMessage)),
            "operation_id": first(ZoomOperation),
            "zoom_user_id": first(ZoomUser),
            "reply_id": texts[1].id,
            "concern_id": concern.id,
            "payload": {
                "participant": participant,
                "p": participant,
                "m": meeting.id,
                "h": cohort.host_id,
                "s": 13,
            },
            "answer": "coming",
            "choice": "stay",
        }


def _path(rule, values: dict) -> str:
    """The address of `rule` for these values: signed links made for the route's purpose."""
    arguments = {name: values[name] for name in rule.arguments if name in values}
    if "token" in rule.arguments:
        purpose = LINK_PURPOSES.get(rule.endpoint) or LINK_PURPOSES[rule.endpoint.partition(".")[0]]
        arguments["token"] = make_token(purpose, values["payload"])
    if "step" in rule.arguments:
        arguments["step"] = STEPS[rule.endpoint]
    return url_for(rule.endpoint, **arguments)


def test_no_answer_but_a_static_file_may_be_stored_by_any_cache(app, console_client):
    values = _approved_demo(app)
    coordinator = console_client(admin=True)
    console_client("demo", email="colleague@example.org")
    with app.app_context():
        values["coordinator_id"] = database.session().exec(select(func.max(Coordinator.id))).one()
    headers, reached = {}, set()
    with app.test_request_context():
        rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
        paths = {rule.endpoint: (_path(rule, values), rule.methods & {"GET", "POST"}) for rule in rules}
    for endpoint, (path, methods) in sorted(paths.items()):
        for method in sorted(methods):
            answer = coordinator.open(path, method=method)
            headers[f"{method} {path} ({answer.status_code} {answer.mimetype})"] = answer.headers.get(
                "Cache-Control"
            )
            if method == "GET" and answer.status_code == 200:
                reached.add(endpoint)
    cacheable = {request: value for request, value in headers.items() if value != "no-store"}
    assert not cacheable
    assert not PERSONAL_DATA - reached, "the walk did not reach these pages' personal data"
    assert len(headers) >= len(rules)


@pytest.mark.parametrize("export", ["cohorts.csv", "results.csv"])
def test_csv_exports_are_never_stored_by_any_cache(app, console_client, export):
    slug = _approved_demo(app)["slug"]
    answer = console_client(admin=True).get(f"/console/programs/{slug}/{export}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert next(csv.reader(io.StringIO(answer.get_data(as_text=True))))  # a header row, as exported
    assert answer.headers.getlist("Cache-Control") == ["no-store"]


def test_behind_a_trusted_proxy_https_is_recognised_and_hsts_sent(settings_for, database_url, tmp_path):
    settings = settings_for(database_url, tmp_path / "instance", PROXY_HOPS="1")
    app = create_app({"TESTING": True, "SETTINGS": settings})
    response = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    app.extensions["engine"].dispose()


def test_without_a_proxy_forwarded_headers_are_ignored(client):
    response = client.get(
        "/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert "Strict-Transport-Security" not in response.headers


def _session_cookie(app) -> str:
    """The Set-Cookie header of the session the sign-in page starts (it keeps the form's CSRF token)."""
    cookies = app.test_client().get("/console/login").headers.getlist("Set-Cookie")
    return next(cookie for cookie in cookies if cookie.startswith("session="))


def test_in_production_the_session_cookie_travels_only_over_https_and_never_to_scripts(
    settings_for, database_url, tmp_path
):
    production = {key: value for key, value in PRODUCTION.items() if key != "DATABASE_URL"}
    settings = settings_for(database_url, tmp_path / "instance", **production)
    app = create_app({"SETTINGS": settings})
    flags = [flag.strip() for flag in _session_cookie(app).split(";")]
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= set(flags)
    app.extensions["engine"].dispose()


def test_in_development_the_session_cookie_works_over_plain_http_but_is_hidden_from_scripts(app):
    flags = [flag.strip() for flag in _session_cookie(app).split(";")]
    assert "HttpOnly" in flags and "SameSite=Lax" in flags
    assert "Secure" not in flags  # http://127.0.0.1 would never send it back
