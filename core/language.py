"""The one way a request's language is chosen (DESIGN.md "Languages"; docs/languages.md), for every page, the API
and the admin:

1. `?lang=` in the URL: sq, sr-Latn (also sr, sr-latn, sr_Latn), sr-Cyrl (also sr-cyrl, sr_Cyrl), en, in any
   letter case. On a page (not under /api/) the choice is remembered in the `django_language` cookie.
2. the `django_language` cookie (Django's language cookie; the language switch of every page sets it);
3. the browser's `Accept-Language`, as Django reads it (`sr` and `sr-RS` are Cyrillic, `sr-Latn-*` Latin), with
   Bosnian, Croatian, Montenegrin and Serbo-Croatian readers given Serbian in Latin script;
4. Albanian (settings.LANGUAGE_CODE).

Django's codes are sq, sr-latn, sr (Cyrillic) and en; the pages show the BCP 47 tags (sq, sr-Latn, sr-Cyrl, en) in
`<html lang>` and in their links. `?lang=sr` means Latin: that is what it meant before Cyrillic existed, and links
and API clients use it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# `?lang=` values (lower-cased, "_" read as "-") and the Django language each one selects.
QUERY_ALIASES = {
    "sq": "sq",
    "sq-al": "sq",
    "sq-xk": "sq",
    "sr": "sr-latn",
    "sr-latn": "sr-latn",
    "sr-latn-rs": "sr-latn",
    "sr-cyrl": "sr",
    "sr-cyrl-rs": "sr",
    "en": "en",
}
# Django's code -> the BCP 47 tag pages print and link with.
PUBLIC_TAGS = {"sq": "sq", "sr-latn": "sr-Latn", "sr": "sr-Cyrl", "en": "en"}
# Each language's own name, for the language switch.
NATIVE_NAMES = {"sq": "Shqip", "sr-latn": "Srpski", "sr": "Српски", "en": "English"}
# Readers of these languages read Serbian in Latin script best of the four.
_NEIGHBOURS = ("bs", "hr", "sh", "cnr")


def language_from_query(value: str | None) -> str | None:
    """The Django language a `?lang=` value names, or None for anything else."""
    if not value:
        return None
    return QUERY_ALIASES.get(value.strip().lower().replace("_", "-")[:16])


def _from_accept_language(header: str) -> str | None:
    for accepted, _quality in translation.trans_real.parse_accept_lang_header(header[:512]):
        if accepted == "*":
            break
        if accepted.split("-")[0] in _NEIGHBOURS:
            return "sr-latn"
        try:
            return translation.get_supported_language_variant(accepted)
        except LookupError:
            continue
    return None


def choose_language(request) -> str:
    """`?lang=`, then the cookie, then Accept-Language, then Albanian: a Django language code."""
    chosen = language_from_query(request.GET.get("lang"))
    if chosen:
        return chosen
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie:
        try:
            return translation.get_supported_language_variant(cookie)
        except LookupError:
            pass
    return _from_accept_language(request.META.get("HTTP_ACCEPT_LANGUAGE", "")) or settings.LANGUAGE_CODE


def remember_language(request, response):
    """A page asked with `?lang=` keeps that language for the next pages (the cookie), unless it already did."""
    chosen = language_from_query(request.GET.get("lang"))
    if (
        chosen
        and not request.path_info.startswith("/api/")
        and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen
        and response.status_code < 500
    ):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            chosen,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


def public_tag(code: str | None = None) -> str:
    """The BCP 47 tag of a Django language (the active one by default): sq, sr-Latn, sr-Cyrl, en."""
    return PUBLIC_TAGS.get(code or translation.get_language() or settings.LANGUAGE_CODE, "sq")


def language_links(path: str = "") -> list[dict]:
    """The language switch: each language's tag, its own name, and whether it is the one shown."""
    current = translation.get_language()
    return [
        {
            "tag": PUBLIC_TAGS[code],
            "name": NATIVE_NAMES[code],
            "current": code == current,
            "href": f"{path}?lang={PUBLIC_TAGS[code]}",
        }
        for code, _name in settings.LANGUAGES
    ]


# Serbian Latin -> Cyrillic (Vuk's alphabet, one letter for one letter; the digraphs first).
_DIGRAPHS = {"Lj": "Љ", "LJ": "Љ", "lj": "љ", "Nj": "Њ", "NJ": "Њ", "nj": "њ", "Dž": "Џ", "DŽ": "Џ", "dž": "џ"}
_LETTERS = dict(
    zip(
        "ABCČĆDĐEFGHIJKLMNOPRSŠTUVZŽabcčćdđefghijklmnoprsštuvzž",
        "АБЦЧЋДЂЕФГХИЈКЛМНОПРСШТУВЗЖабцчћдђефгхијклмнопрсштувзж",
        strict=True,
    )
)


def latin_to_cyrillic(text: str) -> str:
    """Serbian Latin text in Cyrillic letters. A word with a digit or a letter Serbian's Latin alphabet lacks
    (q, w, x, y: codes like NQA-L5-SEN, foreign names) is kept as it is, and so are the acronyms and product
    names of LATIN_IN_CYRILLIC (CSV, PDF, API...)."""
    return _WORD.sub(_word_to_cyrillic, text)


_WORD = re.compile(r"\w+(?:[-./]\w+)*")
_FOREIGN = re.compile(r"[\dqwxyQWXY]")


# Names and acronyms written in Latin letters in Serbian Cyrillic text too.
LATIN_IN_CYRILLIC = frozenset(
    {"API", "CSV", "PDF", "JSON", "REST", "OpenAPI", "ReDoc", "URL", "UTF", "ZIP", "KB", "MB"}
)
_JOINER = re.compile(r"([-./])")


def _word_to_cyrillic(match: re.Match) -> str:
    word = match.group(0)
    if _FOREIGN.search(word):
        return word
    return "".join(
        part if part in LATIN_IN_CYRILLIC or _JOINER.fullmatch(part) else _letters_to_cyrillic(part)
        for part in _JOINER.split(word)
    )


def _letters_to_cyrillic(word: str) -> str:
    out, i = [], 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in _DIGRAPHS:
            out.append(_DIGRAPHS[pair])
            i += 2
            continue
        out.append(_LETTERS.get(word[i], word[i]))
        i += 1
    return "".join(out)


def localized(values: dict | None, code: str | None = None) -> str:
    """A catalogue text kept per language ({"sq": ..., "sr": ..., "en": ...}, as snapshots and `title_sq/sr/en`
    fields hold them) in the active language: Serbian Latin for sr-latn, and for Cyrillic a `sr_cyrl` value where
    the data has one, else the Latin one transliterated; Albanian when a language has none."""
    values = values or {}
    code = code or translation.get_language() or settings.LANGUAGE_CODE
    if code == "sr":
        if values.get("sr_cyrl"):
            return values["sr_cyrl"]
        return latin_to_cyrillic(values["sr"]) if values.get("sr") else values.get("sq") or ""
    key = {"sr-latn": "sr"}.get(code, code)
    return values.get(key) or values.get("sq") or values.get("en") or ""


def language_context(request) -> dict:
    """Template context for every page: `html_lang` for <html lang> and `language_links` for the switch."""
    return {"html_lang": public_tag(), "language_links": language_links()}


class LanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware with the order above (no i18n URL prefixes: the registry's URLs are the same in every
    language, printed in QR codes)."""

    def process_request(self, request):
        translation.activate(choose_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        return remember_language(request, response)
