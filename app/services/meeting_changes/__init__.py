"""Changes after approval: moving a meeting (`rescheduling`), cancelling a cohort (`cancellation`), and the
places members leave behind (`open_places`).

Everything is written in the caller's transaction; the worker carries out the Zoom calls and the emails.
Every recipient's calendar entry keeps the meeting's UID, and each change raises its SEQUENCE, so
calendars replace the entry instead of adding a second one.
"""


class MeetingChangeError(ValueError):
    """The change was refused; the message says why in plain words."""
