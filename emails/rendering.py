"""Turn a kind of message and its context into subject, preview, text and HTML, outside any web app.

Each kind is one folder under ``emails/templates/<kind>/`` holding ``subject.txt``, ``preview.txt``,
``body.txt`` and ``body.html``; the bodies extend ``base.txt`` and ``base.html``, which carry the
greeting, the footer and the layout. One Jinja environment per language: autoescaping is on for
``.html`` templates only (plain text must show ``<`` as ``<``, not ``&lt;``), undefined variables
raise instead of rendering as blanks, and ``{% trans %}`` blocks are looked up in that language's
catalogue with whitespace trimmed so translators see one clean sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from emails.context import require_absolute_url, single_line
from emails.i18n import catalogue_language, language_tag, translations

TEMPLATE_EXTENSIONS = ("jinja2.ext.i18n",)


@dataclass(frozen=True)
class Rendered:
    """One message's words, ready to be put into MIME parts."""

    subject: str
    preview: str
    text: str
    html: str
    language: str  # BCP 47, as `<html lang>` and Content-Language want it


def render(kind: str, context: Mapping[str, Any], locale: str) -> Rendered:
    """Render every template of ``kind`` in the language of ``locale``.

    Raises ``jinja2.UndefinedError`` when the context lacks a variable a template uses, and
    ``ValueError`` when the HTML would carry a link that is not an absolute http(s) URL.
    """
    language = language_tag(catalogue_language(locale))
    preview = single_line(render_template(f"{kind}/preview.txt", context, locale))
    variables = {**context, "preview": preview, "language": language}
    html = render_template(f"{kind}/body.html", variables, locale)
    _check_links(html, f"{kind}/body.html")
    return Rendered(
        subject=single_line(render_template(f"{kind}/subject.txt", context, locale)),
        preview=preview,
        text=_tidy_paragraphs(render_template(f"{kind}/body.txt", variables, locale)),
        html=html,
        language=language,
    )


def render_template(name: str, context: Mapping[str, Any], locale: str) -> str:
    """Render one template file of ``emails/templates`` in the language of ``locale``."""
    return environment(catalogue_language(locale)).get_template(name).render(context).strip()


@cache
def environment(language: str) -> Environment:
    """The Jinja environment that writes in ``language``."""
    env = Environment(
        loader=PackageLoader("emails", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=TEMPLATE_EXTENSIONS,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def _tidy_paragraphs(text: str) -> str:
    # Template tags leave uneven runs of blank lines behind; one blank line between paragraphs
    # reads best on a small screen.
    return re.sub(r"\n{3,}", "\n\n", text) + "\n"


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links.extend(value or "" for name, value in attrs if name in ("href", "src"))


def _check_links(html: str, template: str) -> None:
    # The app passes every URL in the context; a relative one means a bug upstream, and a patient
    # reading on a phone would tap a link that goes nowhere. Better to fail in the outbox, loudly.
    collector = _LinkCollector()
    collector.feed(html)
    for link in collector.links:
        try:
            require_absolute_url(link)
        except ValueError as error:
            raise ValueError(f"{template}: {error}") from None
