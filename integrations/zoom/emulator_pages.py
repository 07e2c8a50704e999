"""The web pages behind the emulator's start and join links: tiny, escaped, no scripts.

Zoom's own pages open the Zoom app; these only say what happened, so a demo can be clicked through.
"""

from html import escape

from werkzeug.wrappers import Response

HOST_BUSY = "The host has another meeting in progress."
LINK_NOT_VALID = "This meeting link is not valid."
WAITING_FOR_HOST = "Waiting for the host to start this meeting."
STARTED = "This meeting has started."


def meeting_page(meeting: dict, says: str, status: int = 200) -> Response:
    """A page naming the meeting's topic and what `says`."""
    return _page(meeting["topic"] or f"Meeting {meeting['id']}", says, status)


def refusal_page(says: str, status: int) -> Response:
    """A page that turns someone away."""
    return _page("Zoom", says, status)


def _page(title: str, says: str, status: int) -> Response:
    html = (
        '<!doctype html><html lang="en"><meta charset="utf-8">'
        f"<title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(says)}</p></html>"
    )
    return Response(html, status=status, mimetype="text/html")
