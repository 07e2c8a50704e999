"""Reading people's replies, in every language we write in (English, Spanish, French, Portuguese, Chinese):
stop, start, help, can't come, or anything else."""

import pytest

from integrations.sms.keywords import CANT_COME_REPLY, ReplyKind, classify_reply, twilio_keyword

OPT_OUT = [
    "STOP",
    "stop",
    " Stop. ",
    "STOPALL",
    "Unsubscribe",
    "CANCEL",  # a carrier opt-out word: never "cancel my place"
    "end",
    "Quit!",
    "REVOKE",
    "optout",
    "Opt out",
    "Opt-out",
    "stop all",
    "STOP please",
    "Please stop texting me",
    "Stop 🛑",
    "No more texts",
    "Remove me from the list",
    # Spanish
    "ALTO",
    "alto",
    "Parar",
    "CANCELAR",
    "Detener",
    "Baja",
    "Darme de baja",
    "No más mensajes",
    "Por favor, no quiero recibir más mensajes",
    # French
    "ARRÊT",
    "Arrêter, merci",
    "Me désinscrire",
    "Plus de SMS s'il vous plaît",
    # Portuguese
    "Sair",
    "Não quero receber mais mensagens, obrigada",
    # Chinese
    "退订",
    "TD",
    "取消订阅。谢谢",
]
OPT_IN = ["START", "start", "Yes", "UNSTOP", "unstop."]
HELP = ["HELP", "help?", "Info", "AYUDA", "Ayuda por favor", "Información", "AIDE", "Ajuda", "帮助"]
CANT_COME = [
    "NO",
    "no",
    "No.",
    "no!!",
    "Nope",
    "No thanks",
    "Can't come",
    "can’t come",  # a curly apostrophe
    "cant make it",
    "I cannot come this time",
    "Sorry, I can't make it",
    "No, I can't come. Sorry!",
    "I won't be there",
    "Not this time",
    "I'm not coming",
    "cannot",
    # Spanish
    "No puedo",
    "no puedo ir",
    "No podré ir",
    "No voy",
    "No iré",
    "No, no puedo venir esta vez",
    "Lo siento, no podré asistir",
    "Esta vez no",
    "No voy a poder",
    "NO PUEDO. Gracias",
    # French
    "NON",
    "Non, je ne peux pas venir",
    "Désolée, je ne pourrai pas être là cette fois",
    "Je ne viendrai pas, merci",
    "Pas cette fois",
    # Portuguese
    "NÃO",
    "Não posso ir",
    "Desculpe, não vou conseguir participar desta vez",
    "Eu não vou",
    # Chinese
    "不",
    "不能来",
    "对不起，我这次来不了",
    "不行，谢谢",
]
OTHER = [
    "",
    "   ",
    "Yes, see you there",
    "Sí",
    "OK",
    "Thanks!",
    "What time is it again?",
    "I can't wait!",
    "No problem, I'll be there",
    "No puedo faltar",  # "I can't miss it": a "no puedo" that means the opposite
    "No voy a faltar",
    "Stop by after?",
    "The end of the meeting was great",
    "cancel my place",  # not a lone carrier keyword, and not our can't-come word either
    "Necesito ayuda con el enlace",
    "Je ne peux pas attendre !",  # "I can't wait!"
    "Oui, à bientôt",
    "Não vou faltar",  # "I won't miss it"
    "好的，我会来",  # "OK, I will come"
    "我不能不来",  # "I can't not come"
    "👍",
]


@pytest.mark.parametrize("body", OPT_OUT)
def test_opt_out_words_in_every_language_stop_texts(body):
    assert classify_reply(body) is ReplyKind.OPT_OUT


@pytest.mark.parametrize("body", OPT_IN)
def test_twilios_opt_in_words_start_texts_again(body):
    assert classify_reply(body) is ReplyKind.OPT_IN


@pytest.mark.parametrize("body", HELP)
def test_help_words_ask_for_help(body):
    assert classify_reply(body) is ReplyKind.HELP


@pytest.mark.parametrize("body", CANT_COME)
def test_cant_come_replies_in_english_and_spanish(body):
    assert classify_reply(body) is ReplyKind.CANT_COME


@pytest.mark.parametrize("body", OTHER)
def test_anything_else_is_left_for_a_person(body):
    assert classify_reply(body) is ReplyKind.OTHER


def test_the_word_reminders_ask_for_is_a_cant_come_reply_and_no_carrier_keyword():
    assert classify_reply(CANT_COME_REPLY) is ReplyKind.CANT_COME
    assert twilio_keyword(CANT_COME_REPLY) is None


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("STOP", ReplyKind.OPT_OUT),
        ("  cancel ", ReplyKind.OPT_OUT),
        ("OptOut", ReplyKind.OPT_OUT),
        ("Yes", ReplyKind.OPT_IN),
        ("unstop", ReplyKind.OPT_IN),
        ("INFO", ReplyKind.HELP),
        # Twilio acts on lone English keywords only; these are ours to honour.
        ("STOP PLEASE", None),
        ("Please cancel", None),
        ("ALTO", None),
        ("PARAR", None),
        ("AYUDA", None),
        ("NO", None),
    ],
)
def test_what_twilio_does_on_its_own(body, kind):
    assert twilio_keyword(body) is kind


@pytest.mark.parametrize("body", ["STOP PLEASE", "Please cancel", "ALTO", "PARAR"])
def test_every_opt_out_twilio_leaves_alone_is_still_one_for_us(body):
    assert twilio_keyword(body) is None
    assert classify_reply(body) is ReplyKind.OPT_OUT
