"""What we text back to a person's text, in their language: who we are and how to stop (HELP), that their
"can't come" is noted and how to change their mind, and that texts have stopped.

Texts show on lock screens, so they name the program as every text does (its neutral title, or a generic
one when even that names a diagnosis: `app.messages.text_building.shown_name`), and not its organisation
(whose name may say what illness its members have). The Spanish wording keeps to letters of
the GSM-7 alphabet (no á, í, ó, ú), so that a text fits one segment of 160 characters instead of 70 where
the names in it allow.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import force_locale, gettext

from app.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from app.links import signed_url
from app.models import Meeting, Participant, Program
from emails.times import format_weekday_time
from integrations.sms import fits_one_segment

SERVICE_NAME = "Peer Meet-ups"
# Words that say which language a text from a number we do not know was written in, as `classify_reply`
# understands them (lower case, without accents); the first language whose word appears wins, so PARAR and
# CANCELAR, Portuguese too, are answered in Spanish. Chinese is told by its characters.
LANGUAGE_WORDS = {
    "es": frozenset({"ayuda", "informacion", "alto", "parar", "detener", "cancelar", "baja", "quiero"}),
    "fr": frozenset({"aide", "arret", "arreter", "desabonner", "desinscrire", "veux", "plus", "merci"}),
    "pt_BR": frozenset({"ajuda", "sair", "descadastrar", "quero", "nao", "mais", "obrigado", "obrigada"}),
}


def reply_locale(body: str, person: Participant | None) -> str:
    """The language to answer in: the registrant's own, else that of the words they wrote."""
    if person is not None and person.locale in SUPPORTED_LOCALES:
        return person.locale
    if any(unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH") for char in body):
        return "zh_Hans"
    plain = unicodedata.normalize("NFKD", body.casefold()).encode("ascii", "ignore").decode()
    words = set(re.findall(r"[a-z]+", plain))
    return next((locale for locale, known in LANGUAGE_WORDS.items() if known & words), DEFAULT_LOCALE)


def help_answer(program: Program | None, title: str | None, locale: str) -> str:
    """Who we are (`title`: the program's name as texts show it), how to reach a person, and how to stop: in
    one segment when the names allow."""
    with force_locale(locale):
        if program is None:
            return gettext(
                "%(service)s: texts about peer support meet-ups. Reply STOP to stop them.",
                service=SERVICE_NAME,
            )
        email = program.contact_email
        full = gettext(
            "%(title)s: reminders of your meet-ups. Questions: %(email)s. Reply STOP to stop them.",
            title=title,
            email=email,
        )
        short = gettext("Questions: %(email)s. Reply STOP to stop texts.", email=email)
    return full if fits_one_segment(full) or not fits_one_segment(short) else short


def not_coming_answer(program: Program, person: Participant, meeting: Meeting) -> str:
    """Their "can't come" is noted, with the link to their page, where they can say they will come after
    all."""
    when = format_weekday_time(meeting.starts_at, person.timezone, person.locale)
    link = signed_url("selfservice.manage", "manage", {"participant": person.id}, slug=program.slug)
    with force_locale(person.locale):
        return gettext(
            "Thank you: we noted you can't come on %(when)s. Changed your mind? %(link)s",
            when=when,
            link=link,
        )


def stopped_answer(locale: str) -> str:
    """Texts have stopped, and how to have them again."""
    with force_locale(locale):
        return gettext("You will get no more texts from us. Reply START to get them again.")
