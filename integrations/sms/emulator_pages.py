"""The emulator's phone page: every conversation, and a form to text our number as someone would.

Tiny, escaped, no scripts: a developer reads what was sent and answers it, STOP included.
"""

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from werkzeug.wrappers import Response

TITLE = "SMS emulator"


def phone_page(
    messages: Iterable[Mapping[str, Any]], our_numbers: Iterable[str], problem: str = ""
) -> Response:
    """The page: one section per person's number, their texts in order, then the reply form."""
    ours = set(our_numbers)
    conversations: dict[str, list[Mapping[str, Any]]] = {}
    for message in messages:
        person = message["from"] if message["direction"] == "inbound" else message["to"]
        conversations.setdefault(person, []).append(message)
    sections = "".join(
        _conversation(person, texts) for person, texts in conversations.items() if person not in ours
    )
    options = "".join(f'<option value="{escape(person)}">' for person in conversations if person not in ours)
    notice = f'<p role="alert">{escape(problem)}</p>' if problem else ""
    html = (
        '<!doctype html><html lang="en"><meta charset="utf-8">'
        f"<title>{TITLE}</title><h1>{TITLE}</h1>"
        f"{sections or '<p>No texts yet.</p>'}"
        f"<h2>Text our number</h2>{notice}"
        '<form method="post" action="/phone">'
        '<label>From <input name="from" list="people" placeholder="+15551234567" required></label> '
        '<label>Text <input name="body" required></label> <button type="submit">Send</button>'
        f'<datalist id="people">{options}</datalist></form></html>'
    )
    return Response(html, status=400 if problem else 200, mimetype="text/html")


def _conversation(person: str, texts: list[Mapping[str, Any]]) -> str:
    rows = "".join(
        "<li>"
        f"{'←' if text['direction'] == 'inbound' else '→'} "
        f"<time>{escape(text['date_created'])}</time> "
        f"<q>{escape(text['body'])}</q> "
        f"<small>{escape(text['status'])}</small></li>"
        for text in texts
    )
    return f"<section><h2>{escape(person)}</h2><ol>{rows}</ol></section>"
