"""Console routes: adjusting cohorts by hand — members, host, time, split, merge, lock, backfill.

Every form carries the version of each cohort it was drawn from, so a change made meanwhile by someone else
is refused instead of overwritten. A change that breaks a matching rule is not made at once: the cohort
page comes back with the warnings and a button that makes it anyway.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from app import database
from app.database import utcnow
from app.models import Cohort, Participant
from app.services.adjustments import AdjustmentError, NeedsOverride, StaleCohort
from app.services.adjustments.backfill import backfill_cohort
from app.services.adjustments.cohort_edits import merge_cohorts, set_host, set_locked, set_slot, split_cohort
from app.services.adjustments.moves import move_member
from app.services.keep_apart import KeepApartError, record_for_member, remove_for_member
from app.views.console.access import blueprint, find_program_row, load_program, program_row
from app.views.console.cohort_page import override_request, render_cohort


def _attempt(program, cohort: Cohort, change: Callable[[bool], str]):
    """Make `change` (given whether the coordinator confirmed an override) and flash what it did."""
    session = database.session()
    try:
        done = change(request.form.get("override") == "yes")
    except NeedsOverride as refusal:
        session.rollback()
        return render_cohort(program, cohort, override=override_request(refusal.warnings), status=409)
    except StaleCohort as error:
        session.rollback()
        flash(f"{error} The page now shows the group as it is; please make your change again.", "error")
        return redirect(url_for("console.cohort", slug=program.slug, cohort_id=cohort.id))
    except AdjustmentError as error:
        session.rollback()
        flash(str(error), "error")
        return redirect(url_for("console.cohort", slug=program.slug, cohort_id=cohort.id))
    session.commit()
    flash(done, "success")
    return redirect(url_for("console.cohort", slug=program.slug, cohort_id=cohort.id))


def _actor() -> dict:
    return {"actor": current_user.email, "coordinator_id": current_user.id}


def _version(name: str = "version") -> int:
    version = request.form.get(name, type=int)
    if version is None:
        abort(400)
    return version


@blueprint.post("/programs/<slug>/participants/<int:participant_id>/move")
def move_participant(slug: str, participant_id: int):
    """Move a registrant to a cohort (`to` = its id) or to the waitlist (`to` = "waitlist"); a group number
    typed in `to_number` wins over the choice offered in `to`."""
    program = load_program(slug)
    session = database.session()
    person = program_row(program, Participant, participant_id)
    origin_id = request.form.get("from", type=int)
    origin = program_row(program, Cohort, origin_id) if origin_id else None
    typed = request.form.get("to_number", "").strip()
    if typed:
        target = find_program_row(program, Cohort, int(typed) if typed.isdigit() else None)
        if target is None:
            if origin is None:
                abort(404)
            flash(f"There is no group {typed} in this program: please check the number.", "error")
            return redirect(url_for("console.cohort", slug=program.slug, cohort_id=origin.id))
    else:
        destination = request.form.get("to", "")
        target = None if destination == "waitlist" else program_row(program, Cohort, _number(destination))
    shown = origin or target
    if shown is None:
        abort(400)
    versions = {
        int(key.removeprefix("version-")): int(value)
        for key, value in request.form.items()
        if key.startswith("version-") and value.isdigit()
    }

    def change(override: bool) -> str:
        move_member(
            session, person, target, override=override, now=utcnow(), expected_versions=versions, **_actor()
        )
        return f"{person.display_name} moved to " + (f"group {target.id}." if target else "the waitlist.")

    return _attempt(program, shown, change)


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/host")
def change_host(slug: str, cohort_id: int):
    program = load_program(slug)
    cohort = program_row(program, Cohort, cohort_id)
    host_id = request.form.get("host_id", type=int)

    def change(override: bool) -> str:
        set_host(
            database.session(), cohort, host_id, expected_version=_version(), override=override, now=utcnow(),
            **_actor(),
        )  # fmt: skip
        return "Host changed." if host_id else "The group has no host now."

    return _attempt(program, cohort, change)


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/slot")
def change_slot(slug: str, cohort_id: int):
    program = load_program(slug)
    cohort = program_row(program, Cohort, cohort_id)
    slot = _number(request.form.get("slot", ""))

    def change(override: bool) -> str:
        set_slot(database.session(), cohort, slot, expected_version=_version(), override=override, **_actor())
        return "Meeting time changed."

    return _attempt(program, cohort, change)


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/split")
def split(slug: str, cohort_id: int):
    program = load_program(slug)
    cohort = program_row(program, Cohort, cohort_id)
    chosen = [int(value) for value in request.form.getlist("participant_id") if value.isdigit()]
    if not chosen:
        flash("Tick the members who should form the new group.", "error")
        return redirect(url_for("console.cohort", slug=slug, cohort_id=cohort_id))

    def change(override: bool) -> str:
        new = split_cohort(
            database.session(), cohort, chosen, expected_version=_version(), override=override, **_actor()
        )
        return f"{len(chosen)} members now form group {new.id}."

    return _attempt(program, cohort, change)


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/merge")
def merge(slug: str, cohort_id: int):
    program = load_program(slug)
    cohort = program_row(program, Cohort, cohort_id)
    other = program_row(program, Cohort, _number(request.form.get("other", "")))
    versions = {cohort.id: _version(), other.id: _version(f"version-{other.id}")}

    def change(override: bool) -> str:
        merge_cohorts(
            database.session(), cohort, other, expected_versions=versions, override=override, **_actor()
        )
        return f"Group {other.id}'s members joined this group."

    return _attempt(program, cohort, change)


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/lock")
def lock(slug: str, cohort_id: int):
    program = load_program(slug)
    cohort = program_row(program, Cohort, cohort_id)
    locked = request.form.get("locked") == "yes"

    def change(_override: bool) -> str:
        set_locked(database.session(), cohort, locked, expected_version=_version(), **_actor())
        return "Group locked: proposing again keeps it as it is." if locked else "Group unlocked."

    return _attempt(program, cohort, change)


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/backfill")
def backfill(slug: str, cohort_id: int):
    program = load_program(slug)
    cohort = program_row(program, Cohort, cohort_id)

    def change(_override: bool) -> str:
        added = backfill_cohort(database.session(), cohort, now=utcnow(), **_actor())
        return f"Added from the waitlist: {', '.join(person.display_name for person in added)}."

    return _attempt(program, cohort, change)


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/keep-apart")
def record_keep_apart(slug: str, cohort_id: int):
    """Record, for a member, that they asked not to be grouped again with another member (the other is
    not told)."""
    return _keep_apart_change(
        slug, cohort_id, record_for_member, "{asker} will not be grouped again with {other}."
    )


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/keep-apart/remove")
def remove_keep_apart(slug: str, cohort_id: int):
    """Remove a member's keep-apart request: the matcher may group the two together again."""
    return _keep_apart_change(
        slug, cohort_id, remove_for_member, "{asker}'s request not to meet {other} again is removed."
    )


def _keep_apart_change(slug: str, cohort_id: int, change: Callable, done: str):
    program = load_program(slug)
    cohort = program_row(program, Cohort, cohort_id)
    asker = program_row(program, Participant, _number(request.form.get("participant_id", "")))
    other = program_row(program, Participant, _number(request.form.get("other_id", "")))
    session = database.session()
    try:
        change(session, cohort, asker, other.id, **_actor())
    except KeepApartError as error:
        session.rollback()
        flash(str(error), "error")
        return redirect(url_for("console.cohort", slug=slug, cohort_id=cohort.id))
    session.commit()
    flash(done.format(asker=asker.display_name, other=other.display_name), "success")
    return redirect(url_for("console.cohort", slug=slug, cohort_id=cohort.id))


def _number(value: str) -> int:
    if not value.isdigit():
        abort(400)
    return int(value)
