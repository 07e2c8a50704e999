"""Console route for one's own time zone: the zone every time in the console is shown in."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import database
from app.inputs.accounts import validate_time_zone
from app.inputs.fields import InvalidInput
from app.inputs.rules import known_timezones
from app.services.account_zone import set_time_zone
from app.views.console.access import blueprint
from app.views.console.local_time import viewer_zone


@blueprint.route("/account/time-zone", methods=["GET", "POST"])
def time_zone():
    if request.method == "GET":
        return _page(viewer_zone())
    try:
        zone = validate_time_zone(request.form)
    except InvalidInput as invalid:
        return _page(request.form.get("timezone", ""), invalid.errors), 422
    session = database.session()
    set_time_zone(session, current_user._get_current_object(), zone)
    session.commit()
    flash(f"Times in the console are now shown in {zone}.", "success")
    return redirect(url_for("console.time_zone"), 303)


def _page(chosen: str, errors: dict[str, str] | None = None):
    return render_template(
        "console/time_zone.html",
        chosen=chosen,
        chosen_yet=current_user.timezone is not None,
        zones=sorted(known_timezones()),
        errors=errors or {},
    )
