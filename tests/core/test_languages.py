"""One way to choose the language (core/language.py) and every public page in each of the four languages: the
switch on every page, `<html lang>`, no English left on the Albanian and Serbian pages (beyond proper names),
Serbian in Cyrillic really in Cyrillic, one date format per language, API errors in one language."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from rest_framework import serializers

from core.api.errors import registry_exception_handler
from core.language import choose_language, latin_to_cyrillic, localized
from credentials.services.lifecycle import certificate_revoke
from tests import factories

pytestmark = pytest.mark.django_db

LANGUAGES = {"sq": "sq", "sr-Latn": "sr-latn", "sr-Cyrl": "sr", "en": "en"}
# Words no Albanian or Serbian sentence has; any of them on such a page is English left behind.
ENGLISH = re.compile(
    r"\b(the|and|of|this|is|was|with|for|by|from|your|certificate|verify|verification|valid|holder|hours|"
    r"language|employed|graduates|sign in|back office|award|checks|provider)\b",
    re.IGNORECASE,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _visible_text(content: str, *, proper_names=()) -> str:
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    content = re.sub(r'\s(title|aria-label|placeholder|alt)="([^"]*)"', r" > \2 <", content)  # read by people too
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", content))
    for name in proper_names:
        text = text.replace(name, " ")
    # Names of languages in the switch, codes and products.
    for fixed in ("Shqip", "Srpski", "Српски", "English", "OpenAPI", "ReDoc", "REST", "API", "QR", "CSV", "JSON"):
        text = text.replace(fixed, " ")
    return " ".join(text.split())


def _pages(certificate) -> list[str]:
    return ["/", "/v/", f"/v/{certificate.verification_id}", "/impact/"]


@pytest.fixture
def certificate():
    return factories.CertificateFactory()


def _names(certificate) -> list[str]:
    snap = certificate.snapshot
    return [
        snap["holder"]["full_name"],
        snap["provider"]["name"],
        snap["awarding_body"]["name"],
        snap["serial_number"],
        snap["qualification"]["code"],
    ]


@pytest.mark.parametrize("tag", ["sq", "sr-Latn", "sr-Cyrl"])
def test_no_english_is_left_on_the_albanian_and_serbian_pages(client, certificate, tag):
    for path in _pages(certificate):
        response = client.get(f"{path}?lang={tag}")
        assert response.status_code == 200, path
        content = response.content.decode()
        assert f'<html lang="{tag}">' in content, path
        text = _visible_text(content, proper_names=_names(certificate))
        leftovers = sorted({m.group(0) for m in ENGLISH.finditer(text)})
        assert not leftovers, f"{path} in {tag}: English words {leftovers} in: {text[:400]}"


@pytest.mark.parametrize("tag", LANGUAGES)
def test_every_page_has_the_language_switch_and_names_the_current_language(client, certificate, tag):
    for path in _pages(certificate):
        content = client.get(f"{path}?lang={tag}").content.decode()
        switch = re.search(r'<nav class="lang".*?</nav>', content, flags=re.S).group(0)
        assert re.findall(r'hreflang="([^"]+)"', switch) == ["sq", "sr-Latn", "sr-Cyrl", "en"], path
        assert re.search(rf'hreflang="{tag}"[^>]*aria-current="true"', switch), path


def test_the_cyrillic_pages_are_in_cyrillic(client, certificate):
    certificate_revoke(actor=None, certificate=certificate, reason_code="issued_in_error", reference="R-1")
    page = client.get(f"/v/{certificate.verification_id}?lang=sr-Cyrl").content.decode()
    assert "<strong>ОПОЗВАН</strong>" in page
    assert "Провера сертификата" in page
    title = localized(certificate.snapshot["qualification"]["title"], "sr")
    assert title and not re.search(r"[a-zčćđšž]{3,}", title)  # transliterated, letter for letter
    impact = client.get("/impact/?lang=sr-Cyrl").content.decode()
    assert "Запосленост по генерацији" in impact
    home = client.get("/?lang=sr-Cyrl").content.decode()
    assert "Провери" in home or "Проверите сертификат" in home


@pytest.mark.parametrize(
    ("tag", "revoked", "date"),
    [("sq", "E REVOKUAR", "01.09.2023"), ("sr-Latn", "OPOZVAN", "01.09.2023."), ("en", "REVOKED", "1 Sep 2023")],
)
def test_statuses_are_words_and_dates_have_one_format_per_language(client, tag, revoked, date):
    certificate = factories.CertificateFactory()
    certificate_revoke(actor=None, certificate=certificate, reason_code="issued_in_error", reference="R-1")
    page = client.get(f"/v/{certificate.verification_id}?lang={tag}").content.decode()
    assert f"<strong>{revoked}</strong>" in page
    assert "DËSHTOI" not in page and "FAILED" not in page
    with translation.override(LANGUAGES[tag]):
        from django.utils.formats import date_format

        assert date_format(__import__("datetime").date(2023, 9, 1)) == date
    # The revocation date never breaks across lines on a phone.
    assert re.search(r'<span class="date">[^<]+</span>', page)


def _request(path="/", *, query="", cookie=None, accept=""):
    from django.test import RequestFactory

    request = RequestFactory().get(f"{path}{query}", HTTP_ACCEPT_LANGUAGE=accept)
    if cookie:
        request.COOKIES["django_language"] = cookie
    return request


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        ("?lang=en", "sr", "sq", "en"),  # ?lang= first
        ("?lang=sr", None, "", "sr-latn"),  # sr keeps meaning Latin, as before
        ("?lang=sr-Cyrl", None, "", "sr"),
        ("?lang=SR_CYRL", None, "", "sr"),
        ("?lang=sr-Latn", None, "", "sr-latn"),
        ("?lang=xx", "en", "sq", "en"),  # a language we do not have: the cookie next
        ("", "sr", "en", "sr"),  # the cookie before Accept-Language
        ("", None, "de-DE, sr-Latn-RS;q=0.8, en;q=0.5", "sr-latn"),
        ("", None, "sr-RS", "sr"),  # Serbian is Cyrillic unless Latin is asked for
        ("", None, "hr", "sr-latn"),  # Croatian, Bosnian, Montenegrin readers: Serbian in Latin script
        ("", None, "fr", "sq"),  # then Albanian
        ("", None, "", "sq"),
    ],
)
def test_the_one_order_of_choice(query, cookie, accept, expected):
    assert choose_language(_request(query=query, cookie=cookie, accept=accept)) == expected


def test_a_page_remembers_the_language_asked_for_but_the_api_sets_no_cookie(certificate):
    client = Client()
    response = client.get("/?lang=sr-Cyrl")
    assert response.cookies["django_language"].value == "sr"
    assert client.get("/").content.decode().count('<html lang="sr-Cyrl">') == 1  # the cookie chose it
    api = Client().get(f"/api/v1/verifications/{certificate.verification_id}?lang=en")
    assert "django_language" not in api.cookies and api["Content-Language"] == "en"


def test_cyrillic_transliteration_keeps_codes_and_placeholders():
    from core.catalogues import to_cyrillic

    assert latin_to_cyrillic("Ljiljana Đurić, NQA-L5-SEN, džep") == "Љиљана Ђурић, NQA-L5-SEN, џеп"
    assert to_cyrillic('Za %(seconds)d sekundi {n} <span class="date">dan</span>') == (
        'За %(seconds)d секунди {n} <span class="date">дан</span>'
    )


class _Input(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


@pytest.mark.parametrize(
    ("language", "message", "required"),
    [
        ("sq", "Të dhënat nuk janë të vlefshme.", "Kjo fushë është e detyrueshme."),
        ("sr-latn", "Uneti podaci nisu ispravni.", "Ovo polje je obavezno."),
        ("sr", "Унети подаци нису исправни.", "Ово поље је обавезно."),
        ("en", "The input is not valid.", "This field is required."),
    ],
)
def test_an_api_error_is_in_one_language_its_field_messages_included(language, message, required):
    with translation.override(language):
        serializer = _Input(data={"count": "many"})
        assert not serializer.is_valid()
        try:
            serializer.is_valid(raise_exception=True)
        except serializers.ValidationError as exc:
            body = registry_exception_handler(exc, {}).data["error"]
    assert body["message"] == message
    assert body["fields"]["name"] == [required]
    assert body["fields"]["count"] != ["A valid integer is required."] or language == "en"


def test_an_unknown_api_path_answers_in_the_asked_language(client):
    body = client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="sq").json()["error"]
    assert body["message"] == "Këtu nuk ka asgjë."


def test_a_service_error_is_translated_whole_or_left_whole_in_english():
    from core.errors import DomainError

    known = DomainError("curriculum_withdrawn", "The curriculum is withdrawn.", fields={"curriculum": ["Withdrawn."]})
    with translation.override("sq"):
        body = registry_exception_handler(known, {}).data["error"]
    assert body["message"] == "Kurrikula është tërhequr."
    assert body["fields"] == {"curriculum": ["E tërhequr."]}
    with translation.override("sr"):
        assert registry_exception_handler(known, {}).data["error"]["message"] == "Курикулум је повучен."

    # One message the catalogue does not know (built with a value): the whole answer stays in English.
    partly = DomainError(
        "delivery_mode_not_offered", "The curriculum is withdrawn.", fields={"x": ["Only on Mondays."]}
    )
    with translation.override("sq"):
        body = registry_exception_handler(partly, {}).data["error"]
    assert body["message"] == "The curriculum is withdrawn." and body["fields"] == {"x": ["Only on Mondays."]}


def test_the_home_page_shows_the_demo_logins_only_on_a_debug_server_with_the_demo_data(client, settings):
    from registry.demo import DEMO_PASSWORD

    settings.DEBUG = False
    factories.UserFactory(username="admin")
    assert DEMO_PASSWORD not in client.get("/").content.decode()
    settings.DEBUG = True
    page = client.get("/?lang=sq").content.decode()
    assert DEMO_PASSWORD in page and "Hyrjet demonstruese" in page and "<code>qpgj</code>" in page
    for path in ("/v/", "/impact/", "/admin/", "/api/docs/"):
        assert f'href="{path}' in page


def test_the_home_page_without_the_demo_data_shows_no_logins_even_in_debug(client, settings):
    from registry.demo import DEMO_PASSWORD

    settings.DEBUG = True
    assert DEMO_PASSWORD not in client.get("/").content.decode()
