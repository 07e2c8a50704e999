"""Where a console page sends the coordinator next: back to the console page a form came from, never off
the site (a `next` that leads elsewhere is ignored)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, request


def local_console_path(target: str | None) -> str | None:
    """`target` when it is a path of this console, else None: a `next` must never lead off the site."""
    if not target or "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    if parts.path != "/console" and not parts.path.startswith("/console/"):
        return None
    return target


def form_next() -> str | None:
    """The console page the form came from (its `next` field), if it names one."""
    return local_console_path(request.form.get("next", ""))


def back(default: str):
    """Back where the form came from, else to `default`."""
    return redirect(form_next() or default)
