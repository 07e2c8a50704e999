"""Everything the service sends to people: one home, from queueing a message to handing it to the mail server.

- ``kinds``: every kind of message, by name (``MessageKind``), with its console label, when it goes out
  relative to its meeting, and the channels it may go by.
- ``queue``: putting a message in the outbox, in the caller's transaction; moving, cancelling, retrying it.
- ``building``: turning an outbox row into the email it stands for, from what the database holds at
  sending time, one builder per kind.
- ``dispatch``: the worker's part: claiming due rows, building them, sending them and recording the answer.
- ``senders``: which sender this process uses (SMTP as configured, or a test's).

The words themselves (templates in every language, MIME, calendar files, SMTP) are in the framework-free
``emails`` package, which this one feeds with plain values.
"""
