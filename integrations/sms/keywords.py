"""What a text someone sends us means: stop texts, start again, ask for help, can't come, or anything else.

Opt-out words are a carrier rule, and Twilio's default handling acts on some of them itself (see
`twilio_keyword`): the reply of someone who wants no more texts must never be read as anything else.
So CANCEL stops texts — it is never "cancel my place" — and the word a reminder asks people to reply
when they can't come is `CANT_COME_REPLY` ("NO"), which is no carrier keyword in any language.

`classify_reply` is more generous than Twilio with opt-outs: case, accents, punctuation, emoji and
polite words around the keyword are ignored, keywords of every language we write in (English, Spanish,
French, Portuguese, Chinese) count, and a few plain phrases ("please stop texting me") do too, since a
person's wish to stop counts however it is written. Twilio blocks further texts only for its own single
words, so for every other opt-out our own record must stop them.
Everything else matches whole messages only: "no puedo faltar" (I can't miss it) is not "can't come".
"""

import re
import unicodedata
from enum import StrEnum
from itertools import product


class ReplyKind(StrEnum):
    """What a text from a person asks for."""

    OPT_OUT = "opt_out"  # no more texts
    OPT_IN = "opt_in"  # texts again
    HELP = "help"  # who are you, how do I stop
    CANT_COME = "cant_come"  # not coming to the meeting the last text was about
    OTHER = "other"  # anything else: for a person to read


#: The word reminders ask people to reply when they cannot come, in every language alike
#: ("Reply NO if you can't come" / "Responda NO si no puede venir"); NON, NÃO and 不 are understood too.
CANT_COME_REPLY = "NO"

# Twilio's default opt-out handling (long codes and toll-free numbers): a message that is exactly one
# of these words, in any case, blocks (or unblocks) further texts from that number; Twilio answers HELP
# and INFO itself. REVOKE and OPTOUT were added in May 2025 for the FCC's consent-revocation rule.
TWILIO_OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
TWILIO_OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
TWILIO_HELP_KEYWORDS = frozenset({"HELP", "INFO"})


def _phrases(*groups: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """Every phrase made by taking one choice from each group in turn ("" adds no word)."""
    return frozenset(tuple(" ".join(choice).split()) for choice in product(*groups))


# Keyword tables hold words as `_words` leaves them: lower case, no accents, no apostrophes.
_OPT_OUT = frozenset(
    {(word.lower(),) for word in TWILIO_OPT_OUT_KEYWORDS}
    # Spanish: ALTO is what carriers require of Spanish short codes; the others are what people write.
    | {("alto",), ("parar",), ("detener",), ("cancelar",), ("baja",)}
    | _phrases(("stop",), ("all", "texting", "texting me", "messaging me", "sending", "sending me texts"))
    | _phrases(("opt out", "unsubscribe me", "remove me", "take me off"), ("", "the list", "from the list"))
    | _phrases(("no more",), ("texts", "messages", "text messages"))
    | _phrases(("dar", "darme", "me doy"), ("de baja",))
    | _phrases(("no", "no quiero"), ("mas mensajes", "mas textos", "recibir mas mensajes"))
    # French: STOP is the French carriers' own word; ARRET and these are what people write.
    | {("arret",), ("arreter",), ("desabonnement",)}
    | _phrases(("", "me"), ("desabonner", "desinscrire"))
    | _phrases(("plus de", "je ne veux plus de", "je veux plus de"), ("messages", "sms", "textos"))
    # Portuguese (PARAR and CANCELAR are Spanish words too).
    | {("sair",), ("descadastrar",)}
    | _phrases(("nao quero",), ("mais mensagens", "receber mais mensagens"))
    # Chinese: 退订 (and its initials TD) is how Chinese texts are unsubscribed from.
    | {("退订",), ("td",), ("取消订阅",), ("停止",), ("停止发送",)}
)
_OPT_IN = frozenset({(word.lower(),) for word in TWILIO_OPT_IN_KEYWORDS})
_HELP = frozenset({("help",), ("info",), ("ayuda",), ("informacion",), ("aide",), ("ajuda",), ("帮助",)})
# A "no" before a can't-come phrase is still one: "No, I can't come", "Non, je ne peux pas".
_NOES = frozenset({("no",), ("non",), ("nao",), ("不",)})

_THIS_TIME = ("", "this time")
_ESTA_VEZ = ("", "esta vez")
_CANT_COME = frozenset(
    _NOES
    | {("nope",), ("not", "this", "time"), ("esta", "vez", "no"), ("pas", "cette", "fois")}
    | {("desta", "vez", "nao"), ("dessa", "vez", "nao")}
    | _phrases(
        ("", "i"),
        ("cant", "cannot", "can not"),
        ("", "come", "make it", "go", "attend", "be there", "join"),
        _THIS_TIME,
    )
    | _phrases(("", "im", "i am"), ("not coming", "not going", "not attending"), _THIS_TIME)
    | _phrases(
        ("", "i"), ("wont", "will not"), ("be there", "come", "make it", "be coming", "attend"), _THIS_TIME
    )
    | _phrases(
        ("", "yo"),
        ("no",),
        (
            "puedo",
            "podre",
            "voy",
            "ire",
            "vengo",
            "vendre",
            "asistire",
            "puedo ir",
            "podre ir",
            "puedo venir",
            "podre venir",
            "puedo asistir",
            "podre asistir",
            "voy a ir",
            "voy a poder",
            "voy a poder ir",
            "voy a poder venir",
            "voy a poder asistir",
        ),
        _ESTA_VEZ,
    )
    | _phrases(
        ("", "je"),
        ("ne peux pas", "peux pas", "ne pourrai pas", "pourrai pas"),
        ("", "venir", "y aller", "etre la", "participer"),
        ("", "cette fois"),
    )
    | _phrases(
        ("", "je"), ("ne viendrai pas", "viendrai pas", "ne serai pas la", "serai pas la"), ("", "cette fois")
    )
    | _phrases(
        ("", "eu"),
        ("nao",),
        ("posso", "poderei", "vou", "vou poder", "consigo", "vou conseguir"),
        ("", "ir", "vir", "participar", "comparecer"),
        ("", "desta vez", "dessa vez"),
    )
    # Chinese runs together without spaces: each reply is one "word", 我 (I) and 这次 (this time) or not.
    | {("不行",)}
    | {
        (f"{who}{phrase}",)
        for who in ("", "我", "这次", "我这次")
        for phrase in ("不来", "不去", "来不了", "去不了", "不能来", "不能去", "不能参加")
    }
)
# Words of courtesy around a reply, dropped from either end before matching.
_COURTESIES = (
    ("please",),
    ("pls",),
    ("thanks",),
    ("thank", "you"),
    ("sorry",),
    ("im", "sorry"),
    ("so", "sorry"),
    ("unfortunately",),
    ("hi",),
    ("hello",),
    ("por", "favor"),
    ("gracias",),
    ("muchas", "gracias"),
    ("lo", "siento"),
    ("perdon",),
    ("disculpe",),
    ("disculpa",),
    ("lamentablemente",),
    ("desafortunadamente",),
    ("hola",),
    ("merci",),
    ("merci", "beaucoup"),
    ("svp",),
    ("sil", "vous", "plait"),
    ("desole",),
    ("desolee",),
    ("malheureusement",),
    ("bonjour",),
    ("obrigado",),
    ("obrigada",),
    ("desculpe",),
    ("sinto", "muito"),
    ("infelizmente",),
    ("ola",),
    ("oi",),
    ("谢谢",),
    ("对不起",),
    ("抱歉",),
    ("不好意思",),
    ("您好",),
    ("你好",),
)
_APOSTROPHES = re.compile("['’‘`´]")
_WORD = re.compile(r"[^\W_]+")


def classify_reply(body: str) -> ReplyKind:
    """What the text `body` someone sent us asks for, in any language we write in.

    Opt-out comes first: a text that is an opt-out keyword is one whatever else it could mean.
    """
    words = _without_courtesies(_words(body))
    if words in _OPT_OUT:
        return ReplyKind.OPT_OUT
    if words in _OPT_IN:
        return ReplyKind.OPT_IN
    if words in _HELP:
        return ReplyKind.HELP
    if words in _CANT_COME or (words[:1] in _NOES and words[1:] in _CANT_COME):
        return ReplyKind.CANT_COME
    return ReplyKind.OTHER


def twilio_keyword(body: str) -> ReplyKind | None:
    """What Twilio's default opt-out handling does on its own with the text `body`, if anything.

    OPT_OUT: Twilio now refuses every text to this person from that number (error 21610) until they
    send an opt-in keyword; OPT_IN: it lifts that block; HELP: it answers with its help text. Only a
    text that is exactly one of its keywords counts ("STOP PLEASE" is not).
    """
    word = body.strip().upper()
    if word in TWILIO_OPT_OUT_KEYWORDS:
        return ReplyKind.OPT_OUT
    if word in TWILIO_OPT_IN_KEYWORDS:
        return ReplyKind.OPT_IN
    if word in TWILIO_HELP_KEYWORDS:
        return ReplyKind.HELP
    return None


def _words(body: str) -> tuple[str, ...]:
    """The words of `body` in lower case, without accents, apostrophes, punctuation or emoji."""
    decomposed = unicodedata.normalize("NFKD", body.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return tuple(_WORD.findall(_APOSTROPHES.sub("", plain)))


def _without_courtesies(words: tuple[str, ...]) -> tuple[str, ...]:
    """`words` without words of courtesy at either end ("sorry, can't come, thanks")."""
    trimmed = True
    while trimmed and words:
        trimmed = False
        for courtesy in _COURTESIES:
            size = len(courtesy)
            if words[:size] == courtesy and len(words) > size:
                words, trimmed = words[size:], True
            elif words[-size:] == courtesy and len(words) > size:
                words, trimmed = words[:-size], True
    return words
