"""Who is signed in: Flask-Login's view of coordinator accounts, and how long a console session lasts.

The session cookie names the account and its current session token (`Coordinator.get_id`); a cookie with
an older token loads no one, so signing out or changing the password ends every copy of the session.
A session also ends after PERMANENT_SESSION_LIFETIME from signing in, however busy, and after
CONSOLE_IDLE_TIMEOUT without a request. Both are checked here on the server from times kept in the signed
session cookie, so an old cookie a browser kept (or refreshed) does not outlive them.

An account with two-factor sign-in is half signed in between its password and its code: the session holds
the account's id and session token (not a Flask-Login sign-in) for SECOND_STEP_TIME, and the code step
loads the account as `load_coordinator` does, so a reset or a new password in the meantime ends it too.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app, session
from flask_login import login_user, logout_user

from app import database
from app.models import Coordinator
from app.models.account import SESSION_ID_SEPARATOR

SIGNED_IN_AT = "console_signed_in_at"
LAST_SEEN = "console_last_seen"
SECOND_STEP = "console_second_step"
SECOND_STEP_TIME = timedelta(minutes=5)


class SessionEnd(StrEnum):
    IDLE = "idle"
    EXPIRED = "expired"


def load_coordinator(user_id: str) -> Coordinator | None:
    """The account a session names, only while the session's token is the account's current one."""
    account_id, separator, token = user_id.partition(SESSION_ID_SEPARATOR)
    if not (account_id.isdigit() and separator and token):
        return None  # a cookie from before session tokens, or not ours
    coordinator = database.session().get(Coordinator, int(account_id))
    if coordinator is None or not hmac.compare_digest(coordinator.session_token.encode(), token.encode()):
        return None
    return coordinator


def start_session(coordinator: Coordinator, now: datetime) -> None:
    """Sign in with a fresh session, so nothing from before signing in (or another account) carries over."""
    session.clear()
    login_user(coordinator)
    session.permanent = True
    session[SIGNED_IN_AT] = session[LAST_SEEN] = int(now.timestamp())


@dataclass(frozen=True)
class SecondStep:
    """An account whose password was right and whose code is awaited; `next` is where to go after."""

    coordinator: Coordinator
    next: str


def start_second_step(coordinator: Coordinator, now: datetime, next_: str | None) -> None:
    """Remember, for SECOND_STEP_TIME, whose password was right; in a fresh session, as signing in is."""
    session.clear()
    session[SECOND_STEP] = {
        "account": coordinator.get_id(),
        "since": int(now.timestamp()),
        "next": next_ or "",
    }


def second_step(now: datetime) -> SecondStep | None:
    """The half-signed-in account of this session, while it is recent and its session token current."""
    pending = session.get(SECOND_STEP)
    if not isinstance(pending, dict) or not isinstance(pending.get("since"), int):
        return None
    if int(now.timestamp()) - pending["since"] > SECOND_STEP_TIME.total_seconds():
        return None
    coordinator = load_coordinator(str(pending.get("account", "")))
    if coordinator is None or not coordinator.active:
        return None
    return SecondStep(coordinator, str(pending.get("next", "")))


def end_second_step() -> None:
    session.pop(SECOND_STEP, None)


def end_session() -> None:
    logout_user()
    session.clear()


def session_end(now: datetime) -> SessionEnd | None:
    """Why the signed-in session is over, if it is; otherwise note this request as the latest activity.

    A session without the times (signed in some other way, e.g. by a test client) starts counting now.
    """
    moment = int(now.timestamp())
    signed_in_at = session.setdefault(SIGNED_IN_AT, moment)
    last_seen = session.get(LAST_SEEN, moment)
    if moment - signed_in_at > current_app.permanent_session_lifetime.total_seconds():
        return SessionEnd.EXPIRED
    if moment - last_seen > current_app.config["CONSOLE_IDLE_TIMEOUT"].total_seconds():
        return SessionEnd.IDLE
    session[LAST_SEEN] = moment
    return None
