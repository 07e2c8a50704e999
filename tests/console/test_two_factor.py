"""Two-factor sign-in: the code after the password, codes accepted once and only near their time, recovery
codes, setting it up, admins who must have it, and resets by an admin or from the command line.

Codes are computed by `tests/totp.py`, written from RFC 6238 and checked here against the RFC's vectors,
never by the library the app uses.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from app import database
from app.auth import SECOND_STEP
from app.database import utcnow
from app.demo import seed_demo
from app.models import AuditEvent, Coordinator, RecoveryCode
from app.services.accounts import create_coordinator
from app.services.two_factor import CodeRefused, check_second_factor

from ..conftest import enrol_second_factor
from ..totp import hotp, totp

EMAIL, ADMIN, PASSWORD = "kim@example.org", "ada@example.org", "a long enough password"
WRONG_CODE_WORDS = "That code is not right, or it has expired"
USED_CODE_WORDS = "That code was used already"
RECOVERY_CODE = re.compile(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>")


@pytest.fixture
def client(app):
    """A browser with no account signed in. Kim (a coordinator of the demo) and Ada (an admin) have set up
    two-factor sign-in; Lou (a coordinator) has not. CSRF is off, as in test_auth."""
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        session = database.session()
        seed_demo(session)
        kim = create_coordinator(session, EMAIL, PASSWORD, program_slugs=("demo",))
        ada = create_coordinator(session, ADMIN, PASSWORD, is_admin=True)
        create_coordinator(session, "lou@example.org", PASSWORD, program_slugs=("demo",))
        app.config["TEST_SECRETS"] = {EMAIL: enrol_second_factor(session, kim)}
        app.config["TEST_SECRETS"][ADMIN] = enrol_second_factor(session, ada)
        session.commit()
    return app.test_client()


@pytest.fixture
def browser(app, client):
    """Another browser (same app, its own cookies)."""
    return lambda: app.test_client()


def secret_of(app, email: str = EMAIL) -> str:
    return app.config["TEST_SECRETS"][email]


def code(app, email: str = EMAIL, seconds_from_now: float = 0) -> str:
    return totp(secret_of(app, email), time.time() + seconds_from_now)


def sign_in(client, email=EMAIL, password=PASSWORD, next_=""):
    return client.post("/console/login", data={"email": email, "password": password, "next": next_})


def send_code(client, typed: str, recovery: bool = False):
    return client.post(
        "/console/login/code", query_string={"with": "recovery"} if recovery else {}, data={"code": typed}
    )


def sign_in_fully(client, app, email=EMAIL, seconds_from_now: float = 0):
    assert sign_in(client, email).location == "/console/login/code"
    done = send_code(client, code(app, email, seconds_from_now))
    assert done.status_code == 303, done.text
    return done


def signed_in(client) -> bool:
    return client.get("/console/").status_code == 200


def account(app, email: str = EMAIL) -> Coordinator:
    with app.app_context():
        return database.session().exec(select(Coordinator).where(Coordinator.email == email)).one()


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(database.session().exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def wrong_code(app, email: str = EMAIL) -> str:
    """Six digits that are not the code of this step, nor of the steps either side."""
    near = {code(app, email, seconds) for seconds in (-30, 0, 30)}
    return next(f"{n:06d}" for n in range(10) if f"{n:06d}" not in near)


def flashed(client) -> str:
    return client.get("/console/login").text


def test_the_reference_codes_agree_with_rfc_6238_test_vectors():
    """RFC 6238 Appendix B, HMAC-SHA1, eight digits, seed "12345678901234567890"."""
    seed = b"12345678901234567890"
    vectors = {
        59: "94287082",
        1111111109: "07081804",
        1111111111: "14050471",
        1234567890: "89005924",
        2000000000: "69279037",
        20000000000: "65353130",
    }
    for moment, expected in vectors.items():
        assert hotp(seed, moment // 30, digits=8) == expected
    assert totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59, digits=8) == "94287082"  # the same seed in base32


def test_signing_in_asks_for_the_code_after_the_password(client, app):
    asked = sign_in(client, next_="/console/programs/demo/hosts")
    assert asked.status_code == 303 and asked.location == "/console/login/code"
    assert not signed_in(client)  # the password alone signs no one in
    page = client.get(asked.location)
    assert "Two-factor sign-in" in page.text and 'autocomplete="one-time-code"' in page.text
    assert not events(app, "account.signed_in")

    done = send_code(client, code(app))

    assert done.status_code == 303 and done.location == "/console/programs/demo/hosts"
    assert signed_in(client)
    (event,) = events(app, "account.signed_in")
    assert event.detail == {"factor": "authenticator app"}


def test_an_account_without_a_second_factor_signs_in_with_the_password_alone(client):
    assert sign_in(client, "lou@example.org").location == "/console/"
    assert signed_in(client)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "Enter the code from your authenticator app."),
        ("123", "is not a code from your authenticator app (six digits) or one of your unused recovery"),
        ("9" * 65, "That is too long for a code."),
    ],
)
def test_a_code_that_is_not_one_is_refused_with_a_clear_message(client, typed, words):
    sign_in(client)
    refused = send_code(client, typed)
    assert refused.status_code in (401, 422) and words in refused.text
    assert 'id="error-code"' in refused.text and not signed_in(client)


def test_a_wrong_code_is_refused_and_the_right_one_still_works(client, app):
    sign_in(client)
    refused = send_code(client, wrong_code(app))
    assert refused.status_code == 401 and WRONG_CODE_WORDS in refused.text
    assert not signed_in(client)
    assert send_code(client, code(app)).status_code == 303 and signed_in(client)


def test_an_expired_code_is_refused(client, app):
    sign_in(client)
    refused = send_code(client, code(app, seconds_from_now=-90))
    assert refused.status_code == 401 and WRONG_CODE_WORDS in refused.text
    assert not signed_in(client)


def test_codes_of_the_step_before_and_after_now_are_accepted_and_no_further(db_session):
    kim = create_coordinator(db_session, EMAIL, PASSWORD)
    secret = enrol_second_factor(db_session, kim)  # two minutes ago
    now = utcnow()
    for seconds in (-60, 60):
        with pytest.raises(CodeRefused, match="not right, or it has expired"):
            check_second_factor(db_session, kim, totp(secret, now.timestamp() + seconds), now=now)
    for seconds in (-30, 0, 30):  # in this order: each accepted code's step is later than the last one
        check_second_factor(db_session, kim, totp(secret, now.timestamp() + seconds), now=now)


def test_a_code_is_accepted_once(client, app):
    now_code = code(app)
    sign_in(client)
    assert send_code(client, now_code).status_code == 303
    client.post("/console/logout")

    sign_in(client)
    replayed = send_code(client, now_code)
    assert replayed.status_code == 401 and USED_CODE_WORDS in replayed.text
    assert not signed_in(client)
    assert send_code(client, code(app, seconds_from_now=30)).status_code == 303  # the next code works


def test_a_correct_password_does_not_wipe_the_count_of_wrong_codes(client, app):
    sign_in(client)
    for _attempt in range(3):
        assert send_code(client, wrong_code(app)).status_code == 401
    sign_in(client)  # the password again: still three wrong in a row
    assert send_code(client, wrong_code(app)).status_code == 401
    locked = send_code(client, wrong_code(app))

    assert locked.status_code == 303 and locked.location == "/console/login"
    assert "Too many wrong codes in a row: this account is locked for 15 minutes" in flashed(client)
    assert events(app, "account.locked")[0].detail["factor"] == "second"
    assert send_code(client, code(app)).location == "/console/login"  # the half sign-in is over
    assert sign_in(client).status_code == 401  # and the password is refused while locked
    until = account(app).locked_until
    assert timedelta(minutes=14) < until - utcnow() <= timedelta(minutes=15)


def earlier(client, seconds: int) -> None:
    """Move this browser's password step `seconds` into the past."""
    with client.session_transaction() as cookie:
        cookie[SECOND_STEP] = {**cookie[SECOND_STEP], "since": cookie[SECOND_STEP]["since"] - seconds}


def test_the_code_must_follow_the_password_within_five_minutes(client, app):
    sign_in(client)
    earlier(client, 4 * 60)
    assert client.get("/console/login/code").status_code == 200
    earlier(client, 2 * 60)
    late = send_code(client, code(app))
    assert late.status_code == 303 and late.location == "/console/login"
    assert "The code must follow the password within 5 minutes" in flashed(client)
    assert not signed_in(client)


def test_the_code_step_alone_signs_no_one_in(client, app):
    """Without the password first, or from a session whose password step was for another browser."""
    assert send_code(client, code(app)).location == "/console/login"
    assert not signed_in(client)


def test_a_reset_or_new_password_between_password_and_code_ends_the_half_sign_in(client, app):
    sign_in(client)
    reset = app.test_cli_runner().invoke(args=["coordinator", "set-password", EMAIL], input=f"{PASSWORD}!\n")
    assert reset.exit_code == 0, reset.output
    assert send_code(client, code(app)).location == "/console/login"
    assert not signed_in(client)


def test_wrong_codes_count_towards_the_sign_in_rate_limit(client, app):
    statuses = [sign_in(client).status_code]
    statuses += [send_code(client, wrong_code(app)).status_code for _ in range(4)]
    statuses += [sign_in(client, email=f"guess-{n}@example.org").status_code for n in range(5)]
    statuses.append(send_code(client, code(app)).status_code)  # the eleventh attempt from this address
    assert statuses == [303] + [401] * 9 + [429]


def enrol_over_http(client, app):
    """Lou sets up two-factor sign-in on the set-up page; returns the secret and the recovery codes."""
    page = client.get("/console/account/two-factor/setup")
    assert page.status_code == 200
    key = re.search(r'<code class="secret-key"[^>]*>([A-Z2-7 ]+)</code>', page.text)[1].replace(" ", "")
    assert 'src="data:image/svg+xml' in page.text
    confirmed = client.post("/console/account/two-factor/setup", data={"code": totp(key, time.time() - 30)})
    assert confirmed.status_code == 200, confirmed.text
    return key, RECOVERY_CODE.findall(confirmed.text)


def test_a_coordinator_sets_it_up_from_the_account_page_and_gets_ten_recovery_codes(client, app):
    sign_in(client, "lou@example.org")
    assert 'href="/console/account/two-factor"' in client.get("/console/").text  # in the header
    assert "Off" in client.get("/console/account/two-factor").text
    first = client.get("/console/account/two-factor/setup").text
    again = client.get("/console/account/two-factor/setup").text
    shown = re.search(r'<code class="secret-key"[^>]*>([A-Z2-7 ]+)</code>', first)[1]
    key = shown.replace(" ", "")
    assert shown in again  # reloading the page keeps the key the app already has
    refused = client.post("/console/account/two-factor/setup", data={"code": totp(key, time.time() - 120)})
    assert refused.status_code == 422 and "That code does not match" in refused.text
    assert not account(app, "lou@example.org").two_factor_enabled

    secret, codes = enrol_over_http(client, app)

    assert secret == key == account(app, "lou@example.org").totp_secret
    assert len(codes) == len(set(codes)) == 10
    with app.app_context():
        lou = account(app, "lou@example.org")
        hashes = (
            database.session()
            .exec(select(RecoveryCode.code_hash).where(RecoveryCode.coordinator_id == lou.id))
            .all()
        )
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(c.replace("-", "") in h or c in h for c in codes for h in hashes)  # only hashes kept
    assert events(app, "account.two_factor_enabled")
    page = client.get("/console/account/two-factor").text
    assert "10 of 10 recovery codes left" in page
    assert client.get("/console/account/two-factor/setup").location == "/console/account/two-factor"

    client.post("/console/logout")
    assert sign_in(client, "lou@example.org").location == "/console/login/code"  # from now on


def test_a_recovery_code_signs_in_once_and_is_audited(client, app):
    sign_in(client, "lou@example.org")
    _secret, codes = enrol_over_http(client, app)
    client.post("/console/logout")

    sign_in(client, "lou@example.org")
    assert "Recovery code" in client.get("/console/login/code?with=recovery").text
    used = send_code(client, f"  {codes[3].upper()} ", recovery=True)  # as copied: spaces, capitals
    assert used.status_code == 303
    welcome = client.get("/console/").text
    assert "You signed in with a recovery code, which cannot be used again. You have 9 left." in welcome
    (event,) = events(app, "account.recovery_code_used")
    assert event.detail == {"codes_left": 9} and event.actor == "lou@example.org"
    assert "9 of 10 recovery codes left" in client.get("/console/account/two-factor").text
    client.post("/console/logout")

    sign_in(client, "lou@example.org")
    again = send_code(client, codes[3], recovery=True)
    assert again.status_code == 401 and "one of your unused recovery codes" in again.text
    assert send_code(client, codes[4].replace("-", "")).status_code == 303  # another one, without its dash


def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(client, app):
    sign_in(client, "lou@example.org")
    secret, old_codes = enrol_over_http(client, app)
    refused = client.post("/console/account/two-factor/recovery-codes", data={"code": old_codes[0] + "0"})
    assert refused.status_code == 422 and "one of your unused recovery codes" in refused.text

    made = client.post("/console/account/two-factor/recovery-codes", data={"code": totp(secret, time.time())})

    new_codes = RECOVERY_CODE.findall(made.text)
    assert made.status_code == 200 and len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert "The ones you had before no longer work" in made.text
    client.post("/console/logout")
    sign_in(client, "lou@example.org")
    assert send_code(client, old_codes[1], recovery=True).status_code == 401
    assert send_code(client, new_codes[0], recovery=True).status_code == 303


def test_moving_to_a_new_phone_needs_a_code_and_replaces_the_key(client, app):
    sign_in_fully(client, app)
    old_secret = secret_of(app)
    wrong = client.post("/console/account/two-factor/new-phone", data={"code": wrong_code(app)})
    assert wrong.status_code == 422 and account(app).totp_secret == old_secret

    moved = client.post(
        "/console/account/two-factor/new-phone", data={"code": code(app, seconds_from_now=30)}
    )

    assert moved.location == "/console/account/two-factor/setup"
    assert account(app).totp_secret not in (None, old_secret) and not account(app).two_factor_enabled
    assert events(app, "account.two_factor_restarted")


def test_a_coordinator_turns_it_off_with_a_code_but_an_admin_cannot(client, app, browser):
    sign_in_fully(client, app)
    wrong = client.post("/console/account/two-factor/turn-off", data={"code": "not a code"})
    assert wrong.status_code == 422 and account(app).two_factor_enabled
    off = client.post("/console/account/two-factor/turn-off", data={"code": code(app, seconds_from_now=30)})
    assert off.location == "/console/account/two-factor"
    assert not account(app).two_factor_enabled and events(app, "account.two_factor_disabled")
    for change in ("recovery-codes", "new-phone", "turn-off"):  # nothing to change any more
        assert client.get(f"/console/account/two-factor/{change}").location == "/console/account/two-factor"
    client.post("/console/logout")
    assert sign_in(client).location == "/console/"  # the password alone again

    admin = browser()
    sign_in_fully(admin, app, ADMIN)
    assert "cannot be turned off" in admin.get("/console/account/two-factor").text
    refused = admin.post("/console/account/two-factor/turn-off", data={"code": code(app, ADMIN, 30)})
    assert refused.status_code == 303 and account(app, ADMIN).two_factor_enabled
    assert "Administrators always sign in with two factors" in admin.get(refused.location).text


def test_an_admin_without_a_second_factor_reaches_only_the_set_up_page(client, app):
    with app.app_context():
        create_coordinator(database.session(), "new-admin@example.org", PASSWORD, is_admin=True)
        database.session().commit()
    assert sign_in(client, "new-admin@example.org").location == "/console/"
    for path in ("/console/", "/console/programs/demo", "/console/accounts", "/console/account/password"):
        assert client.get(path).location == "/console/account/two-factor/setup", path
    posted = client.post("/console/programs/new", data={"slug": "sneaky", "name": "Sneaky"})
    assert posted.location == "/console/account/two-factor/setup"
    setup = client.get("/console/account/two-factor/setup")
    assert setup.status_code == 200 and "Administrators sign in with a code" in setup.text

    enrol_over_http(client, app)

    assert signed_in(client)
    assert client.get("/console/accounts").status_code == 200


def test_an_admin_without_a_second_factor_can_sign_out(client, app):
    with app.app_context():
        create_coordinator(database.session(), "new-admin@example.org", PASSWORD, is_admin=True)
        database.session().commit()
    sign_in(client, "new-admin@example.org")
    out = client.post("/console/logout")
    assert out.location == "/console/login"
    assert client.get("/console/").location.startswith("/console/login")


def test_an_admin_resets_a_coordinator_s_second_factor_which_is_audited_and_ends_their_sessions(
    client, app, browser
):
    kim_laptop = browser()
    sign_in_fully(kim_laptop, app)
    admin = browser()
    sign_in_fully(admin, app, ADMIN)
    listing = admin.get("/console/accounts")
    assert listing.status_code == 200 and EMAIL in listing.text and "lou@example.org" in listing.text
    kim = account(app)
    confirm = admin.get(f"/console/accounts/{kim.id}/reset-two-factor")
    assert confirm.status_code == 200 and "Every session of the account ends" in confirm.text
    assert account(app).two_factor_enabled  # asking changes nothing

    done = admin.post(f"/console/accounts/{kim.id}/reset-two-factor")

    assert done.location == "/console/accounts"
    assert f"Two-factor sign-in is reset for {EMAIL}" in admin.get(done.location).text
    assert not signed_in(kim_laptop)
    kim = account(app)
    assert (kim.totp_secret, kim.totp_confirmed_at, kim.totp_last_step) == (None, None, None)
    with app.app_context():
        assert (
            not database.session()
            .exec(select(RecoveryCode).where(RecoveryCode.coordinator_id == kim.id))
            .all()
        )
    (event,) = events(app, "account.two_factor_reset")
    ada = account(app, ADMIN)
    assert (event.actor, event.coordinator_id) == (ADMIN, ada.id)
    assert (event.subject_type, event.subject_id, event.detail) == (
        "coordinator",
        str(kim.id),
        {"account": EMAIL},
    )
    assert sign_in(kim_laptop).location == "/console/"  # the password alone, until set up again


def test_an_admin_cannot_reset_their_own_second_factor_from_the_accounts_page(client, app):
    sign_in_fully(client, app, ADMIN)
    own = client.post(f"/console/accounts/{account(app, ADMIN).id}/reset-two-factor")
    assert own.location == "/console/account/two-factor"
    assert account(app, ADMIN).two_factor_enabled and not events(app, "account.two_factor_reset")


def test_a_coordinator_cannot_see_accounts_or_reset_anyone(client, app):
    sign_in_fully(client, app)
    assert 'href="/console/accounts"' not in client.get("/console/").text
    ada = account(app, ADMIN)
    assert client.get("/console/accounts").status_code == 403
    assert client.get(f"/console/accounts/{ada.id}/reset-two-factor").status_code == 403
    assert client.post(f"/console/accounts/{ada.id}/reset-two-factor").status_code == 403
    assert account(app, ADMIN).two_factor_enabled and not events(app, "account.two_factor_reset")


def test_the_command_resets_the_last_admin_s_second_factor(client, app, browser):
    admin_laptop = browser()
    sign_in_fully(admin_laptop, app, ADMIN)

    result = app.test_cli_runner().invoke(args=["coordinator", "reset-2fa", "Ada@Example.org"])

    assert result.exit_code == 0, result.output
    assert (
        f"Two-factor sign-in is reset for {ADMIN}; every session of the account has ended." in result.output
    )
    assert admin_laptop.get("/console/").location.startswith("/console/login")  # signed out, not only demoted
    assert not account(app, ADMIN).two_factor_enabled
    (event,) = events(app, "account.two_factor_reset")
    assert (event.actor, event.coordinator_id, event.subject_id) == (
        "command line",
        None,
        str(account(app, ADMIN).id),
    )
    assert sign_in(admin_laptop, ADMIN).location == "/console/"
    assert admin_laptop.get("/console/").location == "/console/account/two-factor/setup"  # set it up again


def test_the_reset_command_says_when_there_is_no_such_account(client, app):
    result = app.test_cli_runner().invoke(args=["coordinator", "reset-2fa", "nobody@example.org"])
    assert result.exit_code != 0 and "There is no account for nobody@example.org." in result.output
    assert not events(app, "account.two_factor_reset")
