"""Signed, expiring links for people without an account (verify, manage, survey, host start link).

Each purpose has its own salt, so a token made for one purpose is refused for every other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

LIFETIMES = {
    "verify": timedelta(days=3),
    "manage": timedelta(days=180),
    "unsubscribe": timedelta(days=365),
    "survey": timedelta(days=30),
    "host": timedelta(days=120),
    "answer": timedelta(days=120),  # "I'll be there" / "I can't come this time", until the meeting
    "seat": timedelta(days=14),  # a place offered to someone waiting
    "add_time": timedelta(days=60),  # a suggested time, added to a waiting person's times
    "absence": timedelta(days=60),  # stay, pause or leave, asked after meetings missed without notice
}


class LinkError(ValueError):
    """The link was tampered with, made for another purpose, or is too old."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in LIFETIMES:
        raise KeyError(f"unknown link purpose {purpose!r}")
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"peer-meetups/{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str) -> dict[str, Any]:
    try:
        return _serializer(purpose).loads(token, max_age=int(LIFETIMES[purpose].total_seconds()))
    except SignatureExpired:
        raise LinkError("This link has expired.", expired=True) from None
    except BadSignature:
        raise LinkError("This link is not valid.") from None


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute address on BASE_URL, as emails need, whether a request is being served or a worker runs."""
    base = urlsplit(current_app.config["SETTINGS"].base_url)
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def signed_url(endpoint: str, purpose: str, payload: dict[str, Any], **values: Any) -> str:
    return absolute_url(endpoint, token=make_token(purpose, payload), **values)


def signed_path(endpoint: str, purpose: str, payload: dict[str, Any], **values: Any) -> str:
    """A signed link on this site, relative to the page being served: for pages, where the site's address
    as the visitor reached it is the right one."""
    return url_for(endpoint, token=make_token(purpose, payload), **values)


def answer_links(
    program_slug: str, participant_id: int, meeting_id: int, *, link: Callable[..., str] = signed_url
) -> dict[str, str]:
    """A member's two answers for one meeting, one link each (absolute, for emails, unless `link` says)."""
    payload = {"p": participant_id, "m": meeting_id}
    return {
        f"{answer}_url": link("answers.answer", "answer", payload, slug=program_slug, answer=answer)
        for answer in ("coming", "not_coming")
    }


def absence_links(program_slug: str, participant_id: int) -> dict[str, str]:
    """The three answers to "do you want to stay?", one link each."""
    payload = {"p": participant_id}
    return {
        f"{choice}_url": signed_url("absence.answer", "absence", payload, slug=program_slug, choice=choice)
        for choice in ("stay", "pause", "leave")
    }


def add_time_link(
    program_slug: str, participant_id: int, slot: int, *, link: Callable[..., str] = signed_url
) -> str:
    """The one-click link that adds a suggested time to a waiting person's times."""
    return link("answers.add_time", "add_time", {"p": participant_id, "s": slot}, slug=program_slug)


def verify_link(program_slug: str, participant_id: int, nonce: str | None) -> str:
    """The link that confirms a registrant's address, and applies the answers held under `nonce` (if any)."""
    payload = {"participant": participant_id, "nonce": nonce}
    return signed_url("public.verify", "verify", payload, slug=program_slug)


def participant_links(program_slug: str, participant_id: int) -> dict[str, str]:
    """The self-service and one-click unsubscribe links that every email to a registrant carries."""
    payload = {"participant": participant_id}
    return {
        "manage_url": signed_url("selfservice.manage", "manage", payload, slug=program_slug),
        "unsubscribe_url": signed_url("selfservice.unsubscribe", "unsubscribe", payload, slug=program_slug),
    }
