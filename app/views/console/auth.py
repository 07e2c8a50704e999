"""Console routes: signing in (the password, then the code of an account with two-factor sign-in) and out,
changing one's password, and ending sessions that ran too long or sat idle."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import database
from app.auth import (
    SECOND_STEP_TIME,
    SessionEnd,
    end_second_step,
    end_session,
    second_step,
    session_end,
    start_second_step,
    start_session,
)
from app.database import utcnow
from app.extensions import limiter
from app.inputs.accounts import validate_code, validate_password_change, validate_sign_in
from app.inputs.fields import InvalidInput
from app.services.account_zone import adopt_browser_zone
from app.services.accounts import (
    LOCKOUT_PERIOD,
    MAX_FAILED_LOGINS,
    MIN_PASSWORD_LENGTH,
    PasswordChangeRefused,
    Refusal,
    SignInRefused,
    authenticate,
    change_password,
    complete_sign_in,
    is_locked,
    sign_out,
)
from app.services.two_factor import CodeRefused, Factor, check_second_factor, recovery_codes_left
from app.views.console.access import blueprint
from app.views.console.navigation import local_console_path

REFUSALS = {
    Refusal.CREDENTIALS: (
        "We could not sign you in with that email address and password. Please check them and try again. "
        f"After {MAX_FAILED_LOGINS} wrong passwords in a row, an account is locked for "
        f"{int(LOCKOUT_PERIOD.total_seconds() // 60)} minutes."
    ),
    Refusal.INACTIVE: "This account is switched off. Please ask an administrator to switch it on again.",
}


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


# Passwords and codes share one count per address: the code step gives no second allowance of guesses.
sign_in_limit = limiter.shared_limit(_login_rate_limit, scope="console-sign-in", methods=["POST"])


@blueprint.before_request
def end_stale_session():
    """Sign out a session that lasted too long or sat idle, and say so on the sign-in page."""
    if not current_user.is_authenticated:
        return None
    ended = session_end(utcnow())
    if ended is None:
        return None
    end_session()
    if ended == SessionEnd.IDLE:
        minutes = int(current_app.config["CONSOLE_IDLE_TIMEOUT"].total_seconds() // 60)
        flash(
            f"You were signed out after {minutes} minutes without activity. Please sign in again.", "warning"
        )
    else:
        hours = int(current_app.permanent_session_lifetime.total_seconds() // 3600)
        flash(
            f"You were signed out because you signed in more than {hours} hours ago. Please sign in again.",
            "warning",
        )
    back = request.full_path.rstrip("?") if request.method == "GET" else None  # a form sent is not a page
    return redirect(url_for("console.login", next=local_console_path(back)))


@blueprint.route("/login", methods=["GET", "POST"])
@sign_in_limit
def login():
    next_page = local_console_path(
        request.form.get("next") if request.method == "POST" else request.args.get("next")
    )
    if current_user.is_authenticated:
        return redirect(next_page or url_for("console.programs"))
    if request.method == "GET":
        return _login_page(next_page)
    try:
        typed = validate_sign_in(request.form)
    except InvalidInput as invalid:
        return _login_page(next_page, invalid.errors), 422
    session = database.session()
    try:
        coordinator = authenticate(session, typed.email, typed.password, now=utcnow())
    except SignInRefused as refused:
        session.commit()  # failed attempts and lock-outs count even though signing in failed
        flash(REFUSALS[refused.reason], "error")
        return _login_page(next_page), 401
    if coordinator.two_factor_enabled:
        session.commit()
        start_second_step(coordinator, utcnow(), next_page)
        return redirect(url_for("console.login_code"), 303)
    complete_sign_in(session, coordinator, now=utcnow())
    adopt_browser_zone(session, coordinator, request.form.get("browser_zone"))
    session.commit()
    start_session(coordinator, utcnow())
    return redirect(next_page or url_for("console.programs"), 303)


@blueprint.route("/login/code", methods=["GET", "POST"])
@sign_in_limit
def login_code():
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("console.programs"))
    now = utcnow()
    step = second_step(now)
    if step is None:
        minutes = int(SECOND_STEP_TIME.total_seconds() // 60)
        flash(
            "Please sign in with your email address and password first. The code must follow the password "
            f"within {minutes} minutes.",
            "warning",
        )
        return redirect(url_for("console.login"), 303)
    if request.method == "GET":
        return _code_page()
    try:
        code = validate_code(request.form)
    except InvalidInput as invalid:
        return _code_page(invalid.errors), 422
    session, coordinator = database.session(), step.coordinator
    try:
        factor = check_second_factor(session, coordinator, code, now=now)
    except CodeRefused as refused:
        session.commit()  # wrong codes count towards the lock-out
        if is_locked(coordinator, now):
            end_second_step()
            flash(str(refused), "error")
            return redirect(url_for("console.login"), 303)
        return _code_page({"code": str(refused)}), 401
    complete_sign_in(session, coordinator, now=now, factor=factor.value)
    adopt_browser_zone(session, coordinator, request.form.get("browser_zone"))
    left = recovery_codes_left(session, coordinator)
    session.commit()
    start_session(coordinator, now)
    if factor == Factor.RECOVERY_CODE:
        flash(
            f"You signed in with a recovery code, which cannot be used again. You have {left} left. "
            "Lost your phone? Set up your new one on the two-factor page of your account.",
            "warning",
        )
    return redirect(local_console_path(step.next) or url_for("console.programs"), 303)


@blueprint.post("/logout")
def logout():
    session = database.session()
    sign_out(session, current_user._get_current_object())
    session.commit()
    end_session()
    flash("You are signed out, here and in every other browser signed in to this account.", "success")
    return redirect(url_for("console.login"), 303)


@blueprint.route("/account/password", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def account_password():
    if request.method == "GET":
        return _password_page()
    try:
        typed = validate_password_change(request.form)
    except InvalidInput as invalid:
        return _password_page(invalid.errors), 422
    session = database.session()
    coordinator = current_user._get_current_object()
    try:
        change_password(session, coordinator, typed.current, typed.new, now=utcnow())
    except PasswordChangeRefused as refused:
        session.commit()  # a wrong current password counts towards the lock-out even so
        return _password_page({refused.field: str(refused)}), 422
    session.commit()
    start_session(coordinator, utcnow())  # this browser goes on, with the account's new session token
    flash("Your password is changed. Every other browser signed in to this account is signed out.", "success")
    return redirect(url_for("console.programs"), 303)


def _login_page(next_page: str | None, errors: dict[str, str] | None = None):
    email = request.form.get("email", "")
    return render_template("console/login.html", next=next_page, email=email, errors=errors or {})


def _code_page(errors: dict[str, str] | None = None):
    recovery = request.args.get("with") == "recovery"
    return render_template("console/login_code.html", errors=errors or {}, recovery=recovery)


def _password_page(errors: dict[str, str] | None = None):
    return render_template("console/password.html", errors=errors or {}, min_length=MIN_PASSWORD_LENGTH)
