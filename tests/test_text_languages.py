"""Narration text in the languages voices speak: sentence stops and durations read as words."""

from __future__ import annotations

import pytest

from audio_guide.script import sentences, spoken_form
from audio_guide.script import units
from audio_guide.script.units import babel_locale

PIPER_LANGUAGES = ("ar ca cs cy da de el en es fa fi fr hi hu is it ka kk lb lv ml ne nl no pl pt ro "
                   "ru sk sl sr sv sw te tr uk vi zh").split()


@pytest.mark.parametrize(("text", "expected"), [
    # Spanish: inverted marks open a sentence and are never cut from its words
    ("¿Estás bien? ¡Sí!", ["¿Estás bien?", "¡Sí!"]),
    ("Hola.¿Qué tal?¡Bien!", ["Hola.", "¿Qué tal?", "¡Bien!"]),
    ("Y entonces, ¿qué hacemos? Nada.", ["Y entonces, ¿qué hacemos?", "Nada."]),
    ("¡¿Qué?! No.", ["¡¿Qué?!", "No."]),
    ("Respira 3.5 segundos.", ["Respira 3.5 segundos."]),
    # Chinese: no space after a full-width stop
    ("你好。我很好。", ["你好。", "我很好。"]),
    ("你好！？我很好。", ["你好！？", "我很好。"]),
    ("「你好。」他说。", ["「你好。」", "他说。"]),
    ("（休息。）好。", ["（休息。）", "好。"]),
    ("他说：“好。”然后走了。", ["他说：“好。”", "然后走了。"]),
    # Japanese
    ("今日は晴れです。散歩しましょう！", ["今日は晴れです。", "散歩しましょう！"]),
    ("『はい。』いいえ。", ["『はい。』", "いいえ。"]),
    ("３．５秒です．はい．", ["３．５秒です．", "はい．"]),
    # Arabic and Urdu
    ("كيف حالك؟ أنا بخير.", ["كيف حالك؟", "أنا بخير."]),
    ("كيف حالك؟أنا بخير.", ["كيف حالك؟", "أنا بخير."]),
    ("آپ کیسے ہیں۔ میں ٹھیک ہوں۔", ["آپ کیسے ہیں۔", "میں ٹھیک ہوں۔"]),
    # Hindi: danda and double danda
    ("नमस्ते। आप कैसे हैं?", ["नमस्ते।", "आप कैसे हैं?"]),
    ("साँस लें॥ छोड़ें।", ["साँस लें॥", "छोड़ें।"]),
    # Armenian and Ethiopic
    ("Բարև։ Ինչպե՞ս ես։", ["Բարև։", "Ինչպե՞ս ես։"]),
    ("ሰላም። እንዴት ነህ?", ["ሰላም።", "እንዴት ነህ?"]),
    # Greek question mark (U+037E; the ASCII ";" it looks like is no stop)
    ("Τι κάνεις\u037e Καλά.", ["Τι κάνεις\u037e", "Καλά."]),
    ("Τι κάνεις; Καλά.", ["Τι κάνεις; Καλά."]),
    # closing guillemets and quotes stay with their sentence
    ("« Non. » Puis il part.", ["« Non. »", "Puis il part."]),
    ("« Non. »", ["« Non. »"]),
    ("«Стой.» Он ушёл.", ["«Стой.»", "Он ушёл."]),
    ("Er sagte: „Halt.“ Dann ging er.", ["Er sagte: „Halt.“", "Dann ging er."]),
    ("»Halt.« »Warum?«", ["»Halt.«", "»Warum?«"]),
])
def test_sentences_in_other_languages(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("es", "Mantén 30s.", "Mantén 30 segundos."),
    ("es", "1m30s", "1 minuto 30 segundos"),
    ("es", "1.5s", "1,5 segundos"),           # CLDR's decimal sign; the engine reads "1,5"
    ("es", "10 min, 1 hr, 500ms", "10 minutos, 1 hora, 500 milisegundos"),
    ("es-MX", "1.5s", "1.5 segundos"),        # Mexico writes a decimal point
    ("de", "1m30s", "1 Minute 30 Sekunden"),
    ("de", "2h", "2 Stunden"),
    ("fr", "30s", "30 secondes"),             # CLDR's no-break space becomes a plain one
    ("fr", "1.5s", "1,5 seconde"),
    ("zh", "30s", "30秒钟"),
    ("zh-CN", "保持30s。", "保持30秒钟。"),     # no space between Chinese words and the duration
    ("ar", "30s", "30 ثانية"),
    ("ar", "1m", "دقيقة"),                    # Arabic says "a minute", without the one
    ("ru", "1m30s", "1 минута 30 секунд"),
    ("ru", "1.5s", "1,5 секунды"),
    ("pt-BR", "2m", "2 minutos"),
    ("pt-BR", "500ms", "500 milissegundos"),
    ("en-GB", "1m30s", "1 minute 30 seconds"),
    ("es", "05s", "05 segundos"),             # the digits are kept as written
])
def test_durations_in_the_guides_language(language: str, text: str, expected: str) -> None:
    assert spoken_form(text, language=language) == expected


@pytest.mark.parametrize("language", ["x-klingon", "tlh", "qaa", "zz"])
def test_unknown_language_leaves_durations_as_written(language: str) -> None:
    text = "Hold 30s, then 1m30s, 1.5s or 10 min."
    assert spoken_form(text, language=language) == text


def test_region_babel_lacks_falls_back_to_the_language() -> None:
    assert spoken_form("30s", language="fr-XY") == "30 secondes"
    assert spoken_form("30s", language="en-x-private") == "30 seconds"


@pytest.mark.parametrize("language", PIPER_LANGUAGES)
def test_every_voice_language_gets_its_own_words(language: str) -> None:
    text = "Hold 30s, then 1m30s, 1.5s, 500ms, 2h and 10 min."
    english = ("Hold 30 seconds, then 1 minute 30 seconds, 1.5 seconds, 500 milliseconds, "
               "2 hours and 10 minutes.")
    spoken = spoken_form(text, language=language)
    if language == "en":
        assert spoken == english
    else:
        assert spoken != english
        assert "seconds" not in spoken
        assert "30" in spoken and "500" in spoken  # numbers stay digits for the engine to read
    assert "\u00a0" not in spoken and "\u202f" not in spoken


@pytest.mark.parametrize("language", PIPER_LANGUAGES)
def test_babel_failure_leaves_the_text_as_written(language: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise KeyError("end")   # what Icelandic's CLDR data raised inside babel.lists

    monkeypatch.setattr(units, "format_unit", broken)
    assert spoken_form("Hold 30s, then 1m30s.", language=language) == "Hold 30s, then 1m30s."


def test_age_words_are_english_only() -> None:
    assert spoken_form("Common in your 40s.", language="en-GB") == "Common in your 40s."
    assert spoken_form("Since the 1990s.", language="es") == "Since the 1990s."   # four digits: a year
    assert spoken_form("the 30s", language="es") == "the 30 segundos"


def test_lexicon_applies_after_the_words() -> None:
    assert spoken_form("Espera 30s, Piper.", [("piper", "páiper")], language="es") == \
        "Espera 30 segundos, páiper."
    assert spoken_form("Espera 30s.", [("segundos", "seg")], language="es") == "Espera 30 seg."


def test_english_is_the_default_and_unchanged() -> None:
    text = "Hold for 30s, then 1m30s... or 5 min. Wait 500ms and 1.5s."
    assert spoken_form(text, language="en") == spoken_form(text) == (
        "Hold for 30 seconds, then 1 minute 30 seconds... or 5 minutes. "
        "Wait 500 milliseconds and 1.5 seconds.")


def test_locales_are_looked_up_once() -> None:
    assert babel_locale("es-MX") is babel_locale("es-MX")
    assert babel_locale("tlh") is None
