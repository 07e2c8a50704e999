"""Text messages (SMS): each kind's words, from ``emails/templates/<kind>/sms.txt``, in the reader's language.

A text is short and plain: the program's name as others may see it, the meeting's time in the recipient's
own zone, one short link, and how to stop texts. It never names a condition. Whether it fits one segment
is the sender's concern, which chooses how much of the name to keep.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_time

from emails.context import require_absolute_url, single_line
from emails.rendering import render_template
from emails.times import localise


def text_message(kind: str, *, program: str, when: str, link: str, locale: str) -> str:
    """The words of a text of ``kind``; ``when`` as `text_time` writes it, ``link`` an absolute URL."""
    context = {"program": program, "when": when, "link": require_absolute_url(link)}
    return single_line(render_template(f"{kind}/sms.txt", context, locale))


def text_time(moment_utc: datetime, timezone: str, locale: str) -> str:
    """A meeting's start, briefly, in ``timezone``: ``Tue 3 Mar, 2:00 PM`` or ``mar 3 mar, 14:00``."""
    local, babel_locale = localise(moment_utc, timezone, locale)
    day = format_date(local, format="EEE d MMM", locale=babel_locale)
    return f"{day}, {format_time(local, format='short', tzinfo=local.tzinfo, locale=babel_locale)}"
