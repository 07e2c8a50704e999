"""Emails to registrants and hosts, built from plain values and sent without any web framework.

- ``context``: the values the app passes in (programme, person, links, meeting, cohort member).
- ``messages``: one function per kind of message, and ``compose`` to turn one into an ``EmailMessage``.
- ``rendering``, ``times``, ``i18n``: templates in English and Spanish, times in each reader's zone.
- ``calendar``: the per-recipient calendar invitation; ``mime``: the message's parts and headers.
- ``sending``: SMTP, console and in-memory senders; ``catcher``: the development SMTP server.
"""
