"""Put one rendered message, for one recipient, into MIME.

Structure, with a meeting::

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain; charset=utf-8
    │   ├── text/html; charset=utf-8
    │   └── text/calendar; method=REQUEST|CANCEL; charset=utf-8
    └── application/ics; name=invite.ics   (attachment, the same calendar file)

and without one, just the ``multipart/alternative`` of text and HTML.

Why this shape: Outlook only treats a calendar as an invitation (with its accept/decline bar and
automatic update) when it is a ``text/calendar`` part whose ``method=`` matches the file's METHOD,
and it looks for it only in the first child of ``multipart/mixed``. Gmail reads the same inline part
to show its invitation card. Other clients (Apple Mail on iOS, many webmails) ignore a calendar
alternative and offer only attachments, hence the ``invite.ics`` copy, which is also what a person
taps to add the event by hand. Google Calendar and Thunderbird send invitations in this same form.
Plain text comes first and HTML after it, so clients that cannot show HTML, and screen readers set
to prefer text, get a complete message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from emails.calendar import CalendarInvite
from emails.context import Person, require_absolute_url, single_line
from emails.policy import OUTGOING
from emails.rendering import Rendered

# Quoted-printable keeps every part 7-bit clean, so no relay needs 8BITMIME for Spanish accents,
# while the text stays readable in a raw message.
TEXT_ENCODING = "quoted-printable"


def build_message(
    rendered: Rendered,
    *,
    sender: Address,
    recipient: Person,
    reply_to: str,
    unsubscribe_url: str | None,
    invite: CalendarInvite | None = None,
) -> EmailMessage:
    """Build the message that goes to ``recipient`` alone.

    ``sender`` is the From address (``MAIL_FROM`` with the programme's name); replies go to
    ``reply_to``. ``unsubscribe_url`` must be an absolute URL that accepts a one-click POST
    (RFC 8058); it goes out as one plain line (see ``emails.policy``). Without one (a coordinator's
    alert, which is no mailing) the message carries no List-Unsubscribe. Raises ``ValueError`` if the
    subject holds a line break, since it would start a new header, or if the unsubscribe URL could
    not travel as one line.
    """
    message = EmailMessage(policy=OUTGOING)
    message["Subject"] = rendered.subject
    message["From"] = sender
    message["To"] = Address(single_line(recipient.display_name), addr_spec=recipient.email)
    message["Reply-To"] = reply_to
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.domain)
    # Tells mail servers and out-of-office robots that no person wrote this, so they do not answer it.
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url is not None:
        message["List-Unsubscribe"] = f"<{require_absolute_url(unsubscribe_url)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text, cte=TEXT_ENCODING)
    message.add_alternative(rendered.html, subtype="html", cte=TEXT_ENCODING)
    if invite is not None:
        _attach_invite(message, invite)
    # After the parts: setting content replaces every Content-* header of the message.
    message["Content-Language"] = rendered.language
    return message


def _attach_invite(message: EmailMessage, invite: CalendarInvite) -> None:
    message.add_alternative(
        invite.data.decode("utf-8"),
        subtype="calendar",
        params={"method": invite.method.value},
        cte=TEXT_ENCODING,
    )
    message.add_attachment(invite.data, maintype="application", subtype="ics", filename="invite.ics")
