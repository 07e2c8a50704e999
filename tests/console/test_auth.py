"""Signing in to the console: passwords, lock-out, rate limit, session expiry, safe redirects, CSRF; signing
out and changing the password end every session of the account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import extract_parameters, profiles
from sqlmodel import select

from app import create_app, database
from app.auth import LAST_SEEN, SIGNED_IN_AT, load_coordinator
from app.database import utcnow
from app.demo import seed_demo
from app.models import AuditEvent, Coordinator
from app.services.accounts import authenticate, create_coordinator, find_by_email

EMAIL, PASSWORD = "kim@example.org", "a long enough password"
OTHER_EMAIL = "lou@example.org"
NEW_PASSWORD = "a brand new long password"
REFUSED = "We could not sign you in with that email address and password"


@pytest.fixture
def client(app):
    """A browser with no account signed in; an account for kim@example.org exists. CSRF is checked in one
    test of its own."""
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        session = database.session()
        seed_demo(session)
        create_coordinator(session, EMAIL, PASSWORD, program_slugs=("demo",))
        create_coordinator(session, OTHER_EMAIL, PASSWORD, program_slugs=("demo",))
        session.commit()
    return app.test_client()


@pytest.fixture
def browser(app, client):
    """Another browser (same app, its own cookies), with CSRF off like `client`."""
    return lambda: app.test_client()


def sign_in(client, email=EMAIL, password=PASSWORD, next_=""):
    return client.post("/console/login", data={"email": email, "password": password, "next": next_})


def account(app) -> Coordinator:
    with app.app_context():
        return database.session().exec(select(Coordinator).where(Coordinator.email == EMAIL)).one()


def actions(app) -> list[str]:
    with app.app_context():
        return list(database.session().exec(select(AuditEvent.action).order_by(AuditEvent.id)).all())


def test_console_pages_ask_to_sign_in_first_and_lead_back(client):
    asked = client.get("/console/programs/demo/hosts")
    assert asked.status_code == 302
    assert asked.location == "/console/login?next=/console/programs/demo/hosts"
    page = client.get(asked.location)
    assert "Sign in to the console" in page.text

    signed_in = sign_in(client, next_="/console/programs/demo/hosts")
    assert signed_in.status_code == 303 and signed_in.location == "/console/programs/demo/hosts"
    assert EMAIL in client.get("/console/").text


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, repeat=None):
    form = {
        "current_password": current,
        "new_password": new,
        "repeat_password": new if repeat is None else repeat,
    }
    return client.post("/console/account/password", data=form)


def signed_in(client) -> bool:
    return client.get("/console/").status_code == 200


def test_signing_out_ends_the_session(client, app):
    sign_in(client)
    out = client.post("/console/logout", follow_redirects=True)
    assert "You are signed out, here and in every other browser" in out.text
    assert client.get("/console/").status_code == 302
    assert actions(app)[-2:] == ["account.signed_in", "account.signed_out"]


def test_a_copy_of_the_session_cookie_stops_working_once_signed_out(client, browser):
    sign_in(client)
    thief = browser()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert signed_in(thief)  # the copy works as long as the session does

    client.post("/console/logout")

    assert not signed_in(thief)
    assert thief.get("/console/programs/demo/hosts").location.startswith("/console/login")


def test_signing_out_signs_out_every_browser_of_the_account_only(client, browser):
    sign_in(client)
    laptop, colleague = browser(), browser()
    sign_in(laptop)
    sign_in(colleague, email=OTHER_EMAIL)

    client.post("/console/logout")

    assert not signed_in(laptop)
    assert signed_in(colleague)
    assert sign_in(laptop).status_code == 303 and signed_in(laptop)  # signing in again works as ever


def test_changing_the_password_signs_out_the_other_browsers_but_not_this_one(client, browser, app):
    sign_in(client)
    laptop, colleague = browser(), browser()
    sign_in(laptop)
    sign_in(colleague, email=OTHER_EMAIL)
    old_cookie = client.get_cookie("session").value

    changed = change_password(client)

    assert changed.status_code == 303 and changed.location == "/console/"
    assert "Your password is changed" in client.get(changed.location, follow_redirects=True).text
    assert signed_in(client)
    assert not signed_in(laptop)
    assert signed_in(colleague)
    thief = browser()
    thief.set_cookie("session", old_cookie)
    assert not signed_in(thief)
    assert "account.password_changed" in actions(app)
    assert sign_in(laptop).status_code == 401
    assert sign_in(laptop, password=NEW_PASSWORD).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "repeat", "field", "message"),
    [
        ("", NEW_PASSWORD, None, "current_password", "Enter your current password."),
        (PASSWORD, "", "", "new_password", "Enter a new password."),
        (PASSWORD, NEW_PASSWORD, "", "repeat_password", "Enter the new password a second time."),
        (
            PASSWORD,
            NEW_PASSWORD,
            NEW_PASSWORD + "!",
            "repeat_password",
            "The two new passwords are not the same.",
        ),
        (
            "not my password at all",
            NEW_PASSWORD,
            None,
            "current_password",
            "That is not your current password.",
        ),
        (PASSWORD, "too short", None, "new_password", "at least 12 characters long"),
        (PASSWORD, PASSWORD, None, "new_password", "Choose a password other than your current one."),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    client, browser, current, new, repeat, field, message
):
    sign_in(client)
    laptop = browser()
    sign_in(laptop)

    refused = change_password(client, current, new, repeat)

    assert refused.status_code == 422
    assert message in refused.text and f'id="error-{field}"' in refused.text
    assert PASSWORD not in refused.text and NEW_PASSWORD not in refused.text  # never sent back
    assert signed_in(client) and signed_in(laptop)
    client.post("/console/logout")
    assert sign_in(client).status_code == 303


def test_wrong_current_passwords_lock_the_account_like_wrong_sign_ins(client, app):
    sign_in(client)
    for _attempt in range(5):
        assert change_password(client, current="a wrong guess, again").status_code == 422
    locked = change_password(client)
    assert locked.status_code == 422 and "Too many wrong passwords" in locked.text
    assert "account.locked" in actions(app)
    client.post("/console/logout")
    assert sign_in(client).status_code == 401


def test_password_changes_are_rate_limited(client):
    sign_in(client)
    statuses = [change_password(client, current="a wrong guess, again").status_code for _ in range(11)]
    assert statuses == [422] * 10 + [429]


def test_the_password_page_is_for_signed_in_coordinators_only(client):
    asked = client.get("/console/account/password")
    assert asked.status_code == 302 and asked.location.startswith("/console/login")
    sign_in(client)
    page = client.get("/console/account/password")
    assert page.status_code == 200 and "Change your password" in page.text
    assert 'autocomplete="current-password"' in page.text and 'autocomplete="new-password"' in page.text
    assert 'href="/console/account/password"' in client.get("/console/").text


def test_a_session_names_the_account_and_its_current_token(client, app):
    with app.app_context():
        kim = database.session().exec(select(Coordinator).where(Coordinator.email == EMAIL)).one()
        assert load_coordinator(kim.get_id()).id == kim.id
        account_id, token = kim.get_id().split(":")
        assert len(token) >= 40
        for forged in (account_id, f"{account_id}:", f"{account_id}:{token[:-1]}", f"x:{token}", ""):
            assert load_coordinator(forged) is None
    # A session cookie from before session tokens (the id alone) signs in no one.
    with client.session_transaction() as cookie:
        cookie["_user_id"] = account_id
        cookie["_fresh"] = True
    assert not signed_in(client)


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client):
    wrong = sign_in(client, password="not the password at all")
    unknown = sign_in(client, email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert REFUSED in wrong.text and REFUSED in unknown.text
    assert client.get("/console/").status_code == 302


def test_an_empty_form_says_what_is_missing(client):
    page = sign_in(client, email="", password="")
    assert page.status_code == 422
    assert "Enter your email address." in page.text and "Enter your password." in page.text


def test_five_wrong_passwords_in_a_row_lock_the_account_for_fifteen_minutes(client, app):
    for _attempt in range(5):
        assert sign_in(client, password="a wrong guess, again").status_code == 401
    locked = sign_in(client)
    assert locked.status_code == 401 and REFUSED in locked.text  # the same words: nothing given away
    assert "locked for 15 minutes" in locked.text
    until = account(app).locked_until
    assert timedelta(minutes=14) < until - utcnow() <= timedelta(minutes=15)
    assert "account.locked" in actions(app)

    with app.app_context():  # fifteen minutes later
        session = database.session()
        kim = session.exec(select(Coordinator).where(Coordinator.email == EMAIL)).one()
        kim.locked_until = utcnow() - timedelta(seconds=1)
        session.commit()
    assert sign_in(client).status_code == 303
    assert account(app).failed_logins == 0 and account(app).locked_until is None


def test_a_success_resets_the_count_of_wrong_passwords(client, app):
    for _attempt in range(4):
        sign_in(client, password="a wrong guess, again")
    assert sign_in(client).status_code == 303
    client.post("/console/logout")
    for _attempt in range(4):
        sign_in(client, password="a wrong guess, again")
    assert sign_in(client).status_code == 303


def test_a_switched_off_account_cannot_sign_in(client, app):
    with app.app_context():
        session = database.session()
        session.exec(select(Coordinator).where(Coordinator.email == EMAIL)).one().active = False
        session.commit()
    refused = sign_in(client)
    assert refused.status_code == 401 and "This account is switched off" in refused.text
    assert client.get("/console/").status_code == 302


def test_an_idle_session_is_signed_out_with_a_clear_message(client):
    sign_in(client)
    with client.session_transaction() as cookie:
        cookie[LAST_SEEN] -= 59 * 60
    assert client.get("/console/").status_code == 200  # active within the hour: still signed in
    with client.session_transaction() as cookie:
        cookie[LAST_SEEN] -= 61 * 60
    ended = client.get("/console/programs/demo/hosts")
    assert ended.status_code == 302 and ended.location.startswith("/console/login")
    page = client.get(ended.location)
    assert "You were signed out after 60 minutes without activity" in page.text
    assert client.get("/console/").status_code == 302


def test_a_session_ends_eight_hours_after_signing_in_however_busy(client, app):
    sign_in(client)
    assert app.permanent_session_lifetime == timedelta(hours=8)
    with client.session_transaction() as cookie:
        assert cookie.permanent
        cookie[SIGNED_IN_AT] -= 8 * 3600 + 1
    page = client.get("/console/", follow_redirects=True)
    assert "signed in more than 8 hours ago" in page.text
    assert client.get("/console/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/console/",
        "//evil.example/console/",
        "/\\evil.example/console/",
        "javascript:alert(1)",
        "/p/demo",
        "/consoleevil",
        "console/programs",
    ],
)
def test_signing_in_never_leads_off_the_console(client, target):
    assert sign_in(client, next_=target).location == "/console/"


def test_the_sign_in_form_is_refused_without_its_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    refused = sign_in(client)
    assert refused.status_code == 400
    assert client.get("/console/").status_code == 302


def test_sign_in_attempts_are_limited_per_address(client, app):
    statuses = [sign_in(client, email=f"guess-{n}@example.org").status_code for n in range(11)]
    assert statuses == [401] * 10 + [429]
    assert "Too many attempts" in sign_in(client).text


def test_an_admin_made_with_the_command_can_sign_in(app, client):
    result = app.test_cli_runner().invoke(
        args=["coordinator", "create", "ana@example.org", "--admin", "--program", "demo"],
        input="another long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "set up two-factor sign-in" in result.output
    assert sign_in(client, "Ana@Example.org", "another long password").status_code == 303
    first_page = client.get("/console/", follow_redirects=True)  # an admin's first stop: the second factor
    assert "ana@example.org (admin)" in first_page.text and "Set up two-factor sign-in" in first_page.text


def test_an_administrator_resets_a_forgotten_password_with_a_command(app, client, browser):
    thief = browser()
    sign_in(thief)
    for _attempt in range(5):
        sign_in(client, password="a wrong guess, again")
    reset = app.test_cli_runner().invoke(
        args=["coordinator", "set-password", EMAIL], input=f"{NEW_PASSWORD}\n"
    )
    assert reset.exit_code == 0, reset.output
    assert "every session of the account has ended" in reset.output

    assert not signed_in(thief)
    assert sign_in(client, password=PASSWORD).status_code == 401
    assert sign_in(client, password=NEW_PASSWORD).status_code == 303  # the lock-out is lifted too
    assert "account.password_reset" in actions(app)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("nobody@example.org", NEW_PASSWORD, "There is no account for nobody@example.org."),
        (EMAIL, "short", "at least"),
    ],
)
def test_a_password_reset_the_command_cannot_make_says_why_and_changes_nothing(
    app, client, email, password, message
):
    result = app.test_cli_runner().invoke(args=["coordinator", "set-password", email], input=f"{password}\n")
    assert result.exit_code != 0 and message in result.output
    assert sign_in(client).status_code == 303  # the old password still works


def test_outside_the_test_suite_passwords_are_hashed_at_full_cost(app, database_url, settings_for, tmp_path):
    """The suite hashes cheaply (`app.hashing`); a deployed app never does, and a password hashed more cheaply
    than the deployment's hasher would is hashed again at its next sign-in. Hashes are read by argon2's
    own parser."""
    with app.app_context():
        create_coordinator(database.session(), "cheap@example.org", "a long enough password")
        database.session().commit()
    deployed = create_app({"SETTINGS": settings_for(database_url, tmp_path / "deployed")})
    try:
        with deployed.app_context():
            session = database.session()
            made = create_coordinator(session, "full@example.org", "another long password")
            cheap = find_by_email(session, "cheap@example.org")
            assert extract_parameters(cheap.password_hash) == profiles.CHEAPEST
            authenticate(session, "cheap@example.org", "a long enough password", now=utcnow())
            assert extract_parameters(made.password_hash) == profiles.RFC_9106_LOW_MEMORY
            assert extract_parameters(cheap.password_hash) == profiles.RFC_9106_LOW_MEMORY
    finally:
        deployed.extensions["engine"].dispose()
