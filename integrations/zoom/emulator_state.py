"""What the Zoom emulator remembers: tokens, meetings, registrants, users' plans and settings, daily counts
and faults.

Plain in-memory state behind one lock; it knows nothing about HTTP (see emulator.py).
"""

import copy
import secrets
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from integrations.emulator_faults import Fault, FaultQueue
from integrations.zoom.emulator_phone import dial_in_settings, new_phone_passcode
from integrations.zoom.models import format_zoom_time

TOKEN_LIFETIME = 3599  # seconds, as Zoom issues them
PRO_CONCURRENT_MEETINGS = 1  # a Pro user hosts one meeting at a time; Business and above, two
LISTED_AGENDA_LENGTH = 250  # Zoom cuts agendas to this length in meeting lists

MEETING_SETTINGS_DEFAULTS: dict[str, Any] = {
    "approval_type": 2,
    "auto_recording": "none",
    "join_before_host": False,
    "mute_upon_entry": False,
    "waiting_room": False,
    "registration_type": 1,
}


class NotFound(LookupError):
    """No such meeting (Zoom's code 3001)."""


class RegistrationClosed(Exception):
    """The meeting was created without registration."""


class RegistrantNotFound(LookupError):
    """The meeting has no registrant with this id (or, when no id is given, this email)."""


class LinkNotValid(LookupError):
    """A start or join link that names no meeting, or carries a key the meeting does not have."""


class HostBusy(Exception):
    """The host already has as many meetings in progress as their plan allows."""


# A registrant's status after each action of `PUT /meetings/{meetingId}/registrants/status`.
STATUS_AFTER_ACTION = {"approve": "approved", "cancel": "cancelled", "deny": "denied"}


class EmulatorState:
    """The emulated Zoom account. Every public method is atomic."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        daily_limit: int,
        webhook_url: str | None,
        revoke_previous_tokens: bool = False,
    ):
        self._clock = clock
        self._lock = threading.Lock()
        self.settings: dict[str, Any] = {
            "daily_limit": daily_limit,
            "webhook_url": webhook_url,
            "revoke_previous_tokens": revoke_previous_tokens,
        }
        self.reset()

    def reset(self) -> None:
        """Forget every token, meeting, user, count and fault (settings stay)."""
        with self._lock:
            self._tokens: dict[str, datetime] = {}
            self._concurrent: dict[str, int] = {}
            self._user_settings: dict[str, dict[str, Any]] = {}
            self._meetings: dict[int, dict[str, Any]] = {}
            self._hosts: dict[int, str] = {}
            self._registrants: dict[int, list[dict[str, Any]]] = {}
            self._writes: Counter[tuple[str, date]] = Counter()
            self._faults = FaultQueue()
            self.counters: Counter[str] = Counter()
            self.log: list[dict[str, Any]] = []

    def export(self) -> dict[str, Any]:
        """What outlives a restart (see emulator_memory.py): the meetings, their hosts and registrants, and
        the users' plans; not tokens, daily counts, faults or the log."""
        with self._lock:
            return {
                "meetings": list(self._meetings.values()),
                "hosts": {str(meeting_id): host for meeting_id, host in self._hosts.items()},
                "registrants": {str(meeting_id): rows for meeting_id, rows in self._registrants.items()},
                "concurrent": dict(self._concurrent),
            }

    def restore(self, saved: dict[str, Any]) -> None:
        """Take back what `export` gave."""
        with self._lock:
            self._meetings = {int(meeting["id"]): meeting for meeting in saved["meetings"]}
            self._hosts = {int(meeting_id): host for meeting_id, host in saved["hosts"].items()}
            self._registrants = {int(meeting_id): rows for meeting_id, rows in saved["registrants"].items()}
            self._concurrent = dict(saved["concurrent"])

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change any of `daily_limit`, `webhook_url`, `revoke_previous_tokens`; the settings now in force."""
        with self._lock:
            self.settings.update({key: changes[key] for key in self.settings.keys() & changes.keys()})
            return dict(self.settings)

    def snapshot(self) -> dict[str, Any]:
        """Counters and the log of API calls, for `/_emulator/requests`."""
        with self._lock:
            return {**self.counters, "log": list(self.log)}

    def record(self, entry: dict[str, Any]) -> None:
        """Add one answered API call to the log."""
        with self._lock:
            self.counters["api_requests"] += 1
            self.log.append(entry)

    # Tokens

    def issue_token(self) -> str:
        """A new token valid for TOKEN_LIFETIME seconds; with `revoke_previous_tokens`, the only valid one."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            if self.settings["revoke_previous_tokens"]:
                self._tokens.clear()
            self._tokens[token] = self._clock() + timedelta(seconds=TOKEN_LIFETIME)
        return token

    def count(self, counter: str) -> None:
        """Count one occurrence of `counter` (such as a token request)."""
        with self._lock:
            self.counters[counter] += 1

    def token_problem(self, token: str | None) -> str | None:
        """Why `token` is refused, or None when it is valid."""
        with self._lock:
            expires_at = self._tokens.get(token or "")
        if expires_at is None:
            return "Invalid access token."
        if self._clock() >= expires_at:
            return "Access token is expired."
        return None

    def expire_tokens(self) -> None:
        """Make every issued token expired, as after an hour."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, self._clock())

    # Faults

    def add_fault(self, fault: Fault) -> None:
        """Queue a fault; faults apply in the order they were added."""
        self._faults.add(fault)

    def take_fault(self) -> Fault | None:
        """The fault for the API call being answered now, if any."""
        return self._faults.take()

    # Users

    def declare_user(self, user_id: str, concurrent: int) -> None:
        """Set how many meetings `user_id` may have in progress at once (2 on Business plans and above)."""
        with self._lock:
            self._concurrent[user_id] = concurrent

    def update_user_settings(self, user_id: str, changes: dict[str, Any]) -> None:
        """Apply a user settings update (`PATCH /users/{userId}/settings`), section by section."""
        with self._lock:
            settings = self._user_settings.setdefault(user_id, {})
            for section, values in changes.items():
                settings[section] = _merged(settings.get(section, {}), values)

    def user_settings(self, user_id: str) -> dict[str, Any]:
        """The settings a user's updates set (only those: the emulator has no defaults to add)."""
        with self._lock:
            return copy.deepcopy(self._user_settings.get(user_id, {}))

    # Meetings in progress

    def start_meeting(self, meeting_id: int, link: str) -> dict[str, Any]:
        """Start the meeting as its host, who opened `link` (path and query); the meeting.

        Starting one already in progress changes nothing. HostBusy when the host already has their plan's
        number of meetings in progress; LinkNotValid unless `link` is the meeting's start link.
        """
        with self._lock:
            meeting = self._meetings.get(meeting_id)
            if meeting is None or _link_target(meeting["start_url"]) != link:
                raise LinkNotValid(meeting_id)
            if meeting["status"] != "started":
                host = self._hosts[meeting_id]
                if self._meetings_in_progress(host) >= self._concurrent.get(host, PRO_CONCURRENT_MEETINGS):
                    raise HostBusy(host)
                meeting["status"] = "started"
            return dict(meeting)

    def end_meeting(self, meeting_id: int) -> dict[str, Any]:
        """End the meeting, freeing its host's place; the meeting."""
        with self._lock:
            meeting = self._meeting(meeting_id)
            meeting["status"] = "waiting"
            return dict(meeting)

    def joined_meeting(self, meeting_id: int, link: str) -> dict[str, Any]:
        """The meeting `link` (path and query) lets someone join: its join link with the passcode, or the
        personal link of a registrant still approved. LinkNotValid otherwise."""
        with self._lock:
            meeting = self._meetings.get(meeting_id)
            if meeting is None:
                raise LinkNotValid(meeting_id)
            approved = [r["join_url"] for r in self._registrants[meeting_id] if r["status"] == "approved"]
            if link not in {_link_target(url) for url in (meeting["join_url"], *approved)}:
                raise LinkNotValid(meeting_id)
            return dict(meeting)

    def _meetings_in_progress(self, host: str) -> int:
        return sum(
            1
            for meeting_id, hosted_by in self._hosts.items()
            if hosted_by == host and self._meetings[meeting_id]["status"] == "started"
        )

    # Meetings

    def count_host_write(self, user_id: str) -> bool:
        """Count a create/update by `user_id` today (UTC); False when the daily cap is already reached."""
        key = (user_id, self._clock().astimezone(UTC).date())
        with self._lock:
            if self._writes[key] >= self.settings["daily_limit"]:
                return False
            self._writes[key] += 1
            return True

    def host_of(self, meeting_id: int) -> str:
        """The user hosting the meeting."""
        with self._lock:
            if meeting_id not in self._hosts:
                raise NotFound(meeting_id)
            return self._hosts[meeting_id]

    def create_meeting(self, user_id: str, body: dict[str, Any], base_url: str) -> dict[str, Any]:
        """Schedule a meeting from a create request's body; the meeting as Zoom answers it."""
        meeting_id = secrets.randbelow(9 * 10**10) + 10**10  # 11 digits, like Zoom's
        now = self._clock()
        meeting = {
            "id": meeting_id,
            "uuid": secrets.token_urlsafe(16),
            "host_id": user_id,
            "host_email": user_id,
            "type": body.get("type", 2),
            "status": "waiting",
            "created_at": format_zoom_time(now),
            "topic": "",
            "agenda": "",
            "duration": 60,
            "timezone": "UTC",
            "start_time": format_zoom_time(now),
            "password": secrets.token_hex(3),
            "h323_password": new_phone_passcode(),
            "settings": {**MEETING_SETTINGS_DEFAULTS, **dial_in_settings()},
            "start_url": f"{base_url}/s/{meeting_id}?zak={secrets.token_urlsafe(24)}",
        }
        _apply_changes(meeting, body, base_url)
        with self._lock:
            self._meetings[meeting_id] = meeting
            self._hosts[meeting_id] = user_id
            self._registrants[meeting_id] = []
            self.counters["meeting_creates"] += 1
        return dict(meeting)

    def update_meeting(self, meeting_id: int, body: dict[str, Any], base_url: str) -> None:
        """Apply an update request's body."""
        with self._lock:
            _apply_changes(self._meeting(meeting_id), body, base_url)
            self.counters["meeting_updates"] += 1

    def get_meeting(self, meeting_id: int) -> dict[str, Any]:
        """The meeting as Zoom answers a get."""
        with self._lock:
            return dict(self._meeting(meeting_id))

    def delete_meeting(self, meeting_id: int) -> None:
        """Delete a meeting and its registrants."""
        with self._lock:
            self._meeting(meeting_id)
            del self._meetings[meeting_id], self._hosts[meeting_id], self._registrants[meeting_id]

    def list_meetings(self, user_id: str, kind: str) -> list[dict[str, Any]]:
        """The user's meetings as Zoom lists them (agenda cut short); `upcoming` ones not yet over."""
        now = self._clock()
        with self._lock:
            hosted = [self._meetings[mid] for mid, host in self._hosts.items() if host == user_id]
        if kind in ("upcoming", "upcoming_meetings", "live"):
            hosted = [meeting for meeting in hosted if _end_time(meeting) > now]
        listed_fields = ("id", "uuid", "host_id", "topic", "type", "start_time", "duration", "timezone")
        return [
            {
                **{key: meeting[key] for key in listed_fields},
                "agenda": meeting["agenda"][:LISTED_AGENDA_LENGTH],
                "created_at": meeting["created_at"],
                "join_url": meeting["join_url"],
            }
            for meeting in sorted(hosted, key=lambda meeting: meeting["start_time"])
        ]

    def add_registrant(self, meeting_id: int, body: dict[str, Any], base_url: str) -> dict[str, Any]:
        """Register someone; registering the same email again gives back the same registration, with the
        status it has (a cancelled one stays cancelled until approved)."""
        with self._lock:
            meeting = self._meeting(meeting_id)
            if meeting["settings"]["approval_type"] == 2:
                raise RegistrationClosed(meeting_id)
            registrants = self._registrants[meeting_id]
            registrant = next((r for r in registrants if r["email"].lower() == body["email"].lower()), None)
            if registrant is None:
                registrant_id = secrets.token_urlsafe(16)
                registrant = {
                    **body,
                    "id": registrant_id,
                    "status": "approved",
                    "create_time": format_zoom_time(self._clock()),
                    "join_url": f"{base_url}/w/{meeting_id}?tk={secrets.token_urlsafe(24)}",
                }
                registrants.append(registrant)
            return {
                "id": meeting_id,
                "registrant_id": registrant["id"],
                "join_url": registrant["join_url"],
                "topic": meeting["topic"],
                "start_time": meeting["start_time"],
            }

    def registrants(self, meeting_id: int, status: str | None = None) -> list[dict[str, Any]]:
        """The meeting's registrants (only those with `status`, when given), as Zoom lists them."""
        with self._lock:
            self._meeting(meeting_id)
            return [
                dict(registrant)
                for registrant in self._registrants[meeting_id]
                if status is None or registrant["status"] == status
            ]

    def set_registrant_status(self, meeting_id: int, action: str, named: list[dict[str, Any]]) -> None:
        """Approve, cancel or deny the registrants named by id (or by email when no id is given).

        All or nothing: one unknown registrant changes none (RegistrantNotFound).
        """
        with self._lock:
            self._meeting(meeting_id)
            found = [self._registrant(meeting_id, registrant) for registrant in named]
            for registrant in found:
                registrant["status"] = STATUS_AFTER_ACTION[action]

    def _registrant(self, meeting_id: int, named: dict[str, Any]) -> dict[str, Any]:
        for registrant in self._registrants[meeting_id]:
            if named.get("id") == registrant["id"] or (
                "id" not in named and named.get("email", "").lower() == registrant["email"].lower()
            ):
                return registrant
        raise RegistrantNotFound(named.get("id") or named.get("email"))

    def _meeting(self, meeting_id: int) -> dict[str, Any]:
        meeting = self._meetings.get(meeting_id)
        if meeting is None:
            raise NotFound(meeting_id)
        return meeting


def _apply_changes(meeting: dict[str, Any], body: dict[str, Any], base_url: str) -> None:
    """Write a create or update body onto a meeting, as Zoom does."""
    for key in ("topic", "agenda", "duration", "timezone", "password", "type"):
        if key in body:
            meeting[key] = body[key]
    if "start_time" in body:
        # Only times with an offset get here: the spec's `date-time` format refuses Zoom's local form.
        meeting["start_time"] = format_zoom_time(datetime.fromisoformat(body["start_time"]))
    changes = body.get("settings", {})
    meeting["settings"] = {**meeting["settings"], **changes}
    if "global_dial_in_countries" in changes:
        meeting["settings"].update(dial_in_settings(changes["global_dial_in_countries"]))
    # The passcode is part of the join link, so the link changes with it, and so do the digits phones key in.
    if "password" in body or "join_url" not in meeting:
        meeting["join_url"] = f"{base_url}/j/{meeting['id']}?pwd={secrets.token_urlsafe(12)}"
        meeting["h323_password"] = new_phone_passcode()
    if meeting["settings"]["approval_type"] != 2:
        meeting["registration_url"] = f"{base_url}/meeting/register/{meeting['uuid']}"


def _merged(current: Any, change: Any) -> Any:
    """`change` written over `current`, nested objects field by field, as Zoom applies a settings update."""
    if not (isinstance(current, dict) and isinstance(change, dict)):
        return copy.deepcopy(change)
    return {**current, **{key: _merged(current.get(key), value) for key, value in change.items()}}


def _link_target(url: str) -> str:
    """A link's path and query, which carry the meeting and its key (the host may differ behind a proxy)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _end_time(meeting: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(meeting["start_time"]) + timedelta(minutes=meeting["duration"])
