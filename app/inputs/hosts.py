"""A host as a coordinator describes them, checked: their name and addresses, what they can lead (languages,
conditions), when, and how many groups at most."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from app.inputs.fields import FieldProblem, FieldReader
from app.inputs.rules import choices, email_address, flag, number, text, time_zone

MAX_COHORTS_PER_HOST = 20


@dataclass(frozen=True)
class HostInput:
    display_name: str
    email: str
    zoom_user: str
    timezone: str
    languages: tuple[str, ...]
    conditions: tuple[str, ...]
    availability: tuple[dict[str, Any], ...]
    max_cohorts: int
    zoom_licensed: bool
    active: bool

    def as_columns(self) -> dict[str, Any]:
        columns = asdict(self)
        return {
            **columns,
            **{name: list(columns[name]) for name in ("languages", "conditions", "availability")},
        }


def validate_host(
    data: Mapping[str, Any],
    *,
    languages: Collection[str],
    conditions: Collection[str],
    email_taken: Callable[[str], bool],
) -> HostInput:
    """A host of a program that meets in `languages` about `conditions` (codes); no two of its hosts share
    an address (`email_taken`). Without a Zoom user of their own, the host's address is theirs."""
    reader = FieldReader(data)
    values = {
        "display_name": reader.read(
            "display_name", text(60, "Enter the host's name, as their groups see it.")
        ),
        "email": reader.read("email", email_address()),
        "zoom_user": reader.read("zoom_user", text(320)),
        "timezone": reader.read("timezone", time_zone),
        "languages": reader.read(
            "languages", choices(languages, "Tick at least one language the host can talk in.")
        ),
        "conditions": reader.read(
            "conditions",
            choices(conditions, "Tick at least one condition the host can lead conversations about."),
        ),
        "availability": reader.read("availability", _availability),
        "max_cohorts": reader.read("max_cohorts", number(1, MAX_COHORTS_PER_HOST)),
        "zoom_licensed": reader.read("zoom_licensed", flag),
        "active": reader.read("active", flag),
    }
    if values["email"] and email_taken(values["email"]):
        reader.fail("email", "Another host of this program already has this address.")
    reader.finish()
    values["zoom_user"] = values["zoom_user"] or values["email"]
    return HostInput(**values)


def _availability(value: Any) -> tuple[dict[str, Any], ...]:
    """The weekly times the form's grid gives (or the host's own, kept when the grid was left as it was)."""
    if not isinstance(value, list | tuple) or not value:
        raise FieldProblem("Tick at least one time when this host could usually lead a meeting.")
    return tuple(value)
