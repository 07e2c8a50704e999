"""Console routes for one's own two-factor sign-in: setting up an authenticator app (QR code and key),
the recovery codes, moving to a new phone and, for coordinators who are not admins, turning it off."""

from __future__ import annotations

from collections.abc import Callable

import segno
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import database
from app.database import utcnow
from app.inputs.accounts import validate_code
from app.inputs.fields import InvalidInput
from app.models import Coordinator
from app.services.accounts import AccountError
from app.services.two_factor import (
    RECOVERY_CODE_COUNT,
    CodeRefused,
    confirm_enrolment,
    provisioning_uri,
    recovery_codes_left,
    regenerate_recovery_codes,
    restart_enrolment,
    start_enrolment,
    turn_off_two_factor,
)
from app.views.console.access import blueprint

KEY_GROUP = 4  # the key for typing by hand, in groups as authenticator apps show them


@blueprint.get("/account/two-factor")
def two_factor():
    coordinator = current_user._get_current_object()
    left = recovery_codes_left(database.session(), coordinator) if coordinator.two_factor_enabled else 0
    return render_template(
        "console/two_factor.html", coordinator=coordinator, codes_left=left, code_count=RECOVERY_CODE_COUNT
    )


@blueprint.route("/account/two-factor/setup", methods=["GET", "POST"])
def set_up_two_factor():
    coordinator = current_user._get_current_object()
    if coordinator.two_factor_enabled:
        flash("Two-factor sign-in is already on for your account.", "success")
        return redirect(url_for("console.two_factor"), 303)
    session = database.session()
    start_enrolment(session, coordinator)
    session.commit()  # the same key until it is confirmed, so reloading the page keeps matching the app
    if request.method != "POST":
        return _setup_page(coordinator)
    try:
        code = validate_code(request.form)
    except InvalidInput as invalid:
        return _setup_page(coordinator, invalid.errors), 422
    try:
        codes = confirm_enrolment(session, coordinator, code, now=utcnow())
    except CodeRefused as refused:
        return _setup_page(coordinator, {"code": str(refused)}), 422
    session.commit()
    return render_template("console/recovery_codes.html", codes=codes, new_setup=True)


@blueprint.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
def new_recovery_codes():
    return _with_code(
        "recovery_codes",
        lambda session, coordinator, code: render_template(
            "console/recovery_codes.html",
            codes=regenerate_recovery_codes(session, coordinator, code, now=utcnow()),
            new_setup=False,
        ),
    )


@blueprint.route("/account/two-factor/new-phone", methods=["GET", "POST"])
def move_two_factor_to_new_phone():
    def restart(session, coordinator: Coordinator, code: str):
        restart_enrolment(session, coordinator, code, now=utcnow())
        flash(
            "Your old authenticator app and recovery codes no longer work. Now add your new app.", "warning"
        )
        return redirect(url_for("console.set_up_two_factor"), 303)

    return _with_code("new_phone", restart)


@blueprint.route("/account/two-factor/turn-off", methods=["GET", "POST"])
def turn_off_two_factor_view():
    def turn_off(session, coordinator: Coordinator, code: str):
        turn_off_two_factor(session, coordinator, code, now=utcnow())
        flash("Two-factor sign-in is off: you sign in with your password alone.", "success")
        return redirect(url_for("console.two_factor"), 303)

    return _with_code("turn_off", turn_off)


def _with_code(action: str, carry_out: Callable):
    """A change that needs a current code: the page asking for it, then `carry_out(session, coordinator,
    code)`, whose answer is the response, committed. A refused code is said on the page, and counted."""
    coordinator = current_user._get_current_object()
    if not coordinator.two_factor_enabled:
        return redirect(url_for("console.two_factor"), 303)
    if request.method != "POST":
        return _code_page(action)
    try:
        code = validate_code(request.form)
    except InvalidInput as invalid:
        return _code_page(action, invalid.errors), 422
    session = database.session()
    try:
        response = carry_out(session, coordinator, code)
    except CodeRefused as refused:
        session.commit()  # a wrong code counts towards the lock-out, as at sign-in
        return _code_page(action, {"code": str(refused)}), 422
    except AccountError as refused:
        flash(str(refused), "error")
        return redirect(url_for("console.two_factor"), 303)
    session.commit()
    return response


def _code_page(action: str, errors: dict[str, str] | None = None):
    return render_template("console/two_factor_change.html", action=action, errors=errors or {})


def _setup_page(coordinator: Coordinator, errors: dict[str, str] | None = None):
    uri = provisioning_uri(coordinator)
    secret = coordinator.totp_secret
    return render_template(
        "console/two_factor_setup.html",
        errors=errors or {},
        qr_code=segno.make(uri, error="m").svg_data_uri(scale=5, border=4),
        key=" ".join(secret[i : i + KEY_GROUP] for i in range(0, len(secret), KEY_GROUP)),
    )
