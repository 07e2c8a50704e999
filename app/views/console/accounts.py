"""Console routes for admins: every coordinator account with the state of its two-factor sign-in, and
resetting the second factor of someone who lost their phone and their recovery codes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import database
from app.models import Coordinator
from app.services.two_factor import after_reset, list_account_security, reset_two_factor
from app.views.console.access import admin_required, blueprint
from app.views.lookups import row_or_404


@blueprint.get("/accounts")
@admin_required
def accounts():
    rows = list_account_security(database.session())
    return render_template("console/accounts.html", rows=rows)


@blueprint.route("/accounts/<int:coordinator_id>/reset-two-factor", methods=["GET", "POST"])
@admin_required
def reset_account_two_factor(coordinator_id: int):
    session = database.session()
    account = row_or_404(Coordinator, coordinator_id)
    if account.id == current_user.id:
        flash("Your own two-factor sign-in is changed on your account page, not here.", "error")
        return redirect(url_for("console.two_factor"), 303)
    if request.method == "GET":
        return render_template("console/reset_two_factor.html", account=account)
    reset_two_factor(session, account, actor=current_user.email, actor_id=current_user.id)
    session.commit()
    flash(
        f"Two-factor sign-in is reset for {account.email}, and every session of that account has ended. "
        f"{after_reset(account)}",
        "success",
    )
    return redirect(url_for("console.accounts"), 303)
