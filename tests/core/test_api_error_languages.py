"""Issue #12: every API error is in the caller's language, and one answer is in one language.

A corpus of bad requests across the API (unreadable bodies, unknown fields and parameters, wrong types, too long
input, ids that do not exist, refused callers, a throttled caller, refusals of the services) is sent with
`Accept-Language: en`, then `sq`, `sr-Latn` and `sr` (Cyrillic). Every message and field message of an Albanian or
Serbian answer differs from its English counterpart (apart from the texts listed in NAMES_ONLY, which are only
names or numbers), and a Cyrillic answer holds no Latin letters beyond codes, ids and the API's own names.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from credentials.verification.checks import signature_memo
from tests import factories

pytestmark = pytest.mark.django_db

LANGUAGES = ("sq", "sr-Latn", "sr")
# Texts that are only names or numbers: the same in every language. (None so far.)
NAMES_ONLY: frozenset[str] = frozenset()
# What a Cyrillic answer may spell in Latin letters: codes and ids (with a digit, joined by `_`, `.`, `-`, `@` or
# `/`, in capitals only, or in backticks: UTF-8, JSON, L5-SEN, token_malformed, CYRILLIC CAPITAL LETTER A...),
# lists of the API's names (`Known: lang, qr, ...`), the answer's own field names, and these formats and names.
_CODE = re.compile(r"\b\w*\d\w*\b|\b[A-Za-z0-9]+(?:[_.\-@/][A-Za-z0-9]+)+\b|\b[A-Z][A-Z0-9]*\b|`[^`]*`")
_NAME_LIST = re.compile(r"\b[a-z][a-z0-9_]*(?:, [a-z][a-z0-9_]*)+\b")
_ECHOED = re.compile(r'"[^"]*"')  # what the caller sent, quoted back: '"whim" is not a valid choice.'
_LATIN_NAMES = ("YYYY-MM-DD", "Idempotency-Key", "https")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    signature_memo.clear()
    yield
    cache.clear()


@pytest.fixture
def world(client_for):
    provider = factories.OrganisationFactory(slug="err-provider")
    provider_user = factories.UserFactory(organisation=provider)
    other_user = factories.UserFactory(organisation=factories.OrganisationFactory(slug="err-other"))
    verifier_user = factories.UserFactory(verifier=True)
    certificate = factories.CertificateFactory(enrolment=factories.issuable_enrolment(provider=provider))
    revoked = factories.CertificateFactory(
        enrolment=factories.issuable_enrolment(provider=provider), status="revoked", status_reason_code="fraud"
    )
    unfinished = factories.EnrolmentFactory(cohort=certificate.enrolment.cohort)  # no results: not eligible
    return {
        "anonymous": None,
        "provider": provider_user,
        "other": other_user,
        "verifier": verifier_user,
        "certificate": certificate,
        "revoked": revoked,
        "unfinished": unfinished,
        "client_for": client_for,
    }


def _corpus(w) -> list[tuple]:
    """(name, caller, method, path, body, extra request arguments)."""
    cert, revoked = w["certificate"], w["revoked"]
    json_type = {"content_type": "application/json"}
    return [
        ("bad JSON", "anonymous", "post", "/api/v1/verifications", b'{"qr": ', json_type),
        ("deep JSON", "anonymous", "post", "/api/v1/verifications", b"[" * 200 + b"]" * 200, json_type),
        (
            "wrong encoding",
            "anonymous",
            "post",
            "/api/v1/verifications",
            b'{"qr": "\xff\xfe"}',
            {"content_type": "application/json; charset=utf-8"},
        ),
        ("unknown field", "anonymous", "post", "/api/v1/verifications", {"credential": 1, "qr": "x"}, {}),
        ("unknown parameter", "anonymous", "get", "/api/v1/qualifications/?role=provider", None, {}),
        ("unknown filter", "provider", "get", "/api/v1/certificates/?holder=x", None, {}),
        ("bad field type", "anonymous", "post", "/api/v1/verifications", {"qr": 1}, {}),
        ("too long", "anonymous", "post", "/api/v1/verifications", {"qr": "x" * 9000}, {}),
        ("id too short", "anonymous", "get", "/api/v1/verifications/ABC", None, {}),
        ("id in Cyrillic", "anonymous", "get", "/api/v1/verifications/" + "А" * 26, None, {}),
        ("id not found", "anonymous", "get", "/api/v1/verifications/" + "0" * 25 + "Z", None, {}),
        ("bad date of birth", "anonymous", "post", "/api/v1/verifications", {"serial_number": "X-1"}, {}),
        ("batch too large", "verifier", "post", "/api/v1/verifications", {"items": [{"qr": "x"}] * 501}, {}),
        ("batch item", "verifier", "post", "/api/v1/verifications", {"items": [{"verification_id": 5}]}, {}),
        ("batch item not found", "verifier", "post", "/api/v1/verifications", {"items": [{"qr": "0" * 26}]}, {}),
        ("not authenticated", "anonymous", "post", "/api/v1/certificates", {"enrolment": 1}, {}),
        ("wrong role", "verifier", "get", "/api/v1/learners/", None, {}),
        ("not found", "other", "get", f"/api/v1/certificates/{cert.pk}/", None, {}),
        ("pdf not found", "provider", "get", "/api/v1/certificates/999999999/pdf", None, {}),
        ("no such path", "anonymous", "get", "/api/v1/no-such-thing", None, {}),
        ("status list", "anonymous", "get", "/status/999999/revocation", None, {}),
        ("catalogue changes limit", "anonymous", "get", "/api/v1/catalogue-changes?limit=0", None, {}),
        ("not eligible", "provider", "post", "/api/v1/certificates", {"enrolment": w["unfinished"].pk}, {}),
        (
            "idempotency key",
            "provider",
            "post",
            "/api/v1/certificates",
            {"enrolment": w["unfinished"].pk},
            {"HTTP_IDEMPOTENCY_KEY": "k" * 300},
        ),
        ("revoke without reason", "provider", "post", f"/api/v1/certificates/{cert.pk}/revoke", {}, {}),
        (
            "revoke unknown reason",
            "provider",
            "post",
            f"/api/v1/certificates/{cert.pk}/revoke",
            {"reason_code": "whim", "reference": "R-1"},
            {},
        ),
        (
            "revoke twice",
            "provider",
            "post",
            f"/api/v1/certificates/{revoked.pk}/revoke",
            {"reason_code": "fraud", "reference": "R-1"},
            {},
        ),
        ("suspend revoked", "provider", "post", f"/api/v1/certificates/{revoked.pk}/suspend", {"reference": "R"}, {}),
    ]


def _send(w, caller, method, path, body, extra, language):
    client = w["client_for"](w[caller])
    kwargs = dict(extra)
    if body is not None:
        kwargs["data"] = body
        if not isinstance(body, bytes):
            kwargs.setdefault("format", "json")
    return getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE=language, **kwargs)


def _texts(error: dict) -> list[str]:
    return [error["message"], *(text for field in sorted(error["fields"]) for text in error["fields"][field])]


def _latin_left(text: str, error: dict) -> str:
    text = _NAME_LIST.sub(" ", text)
    text = _ECHOED.sub(" ", text)
    for name in (*_LATIN_NAMES, *error["fields"]):
        text = text.replace(name, " ")
    text = _CODE.sub(" ", text)
    return " ".join(re.findall(r"[A-Za-z]+", text))


def _answers(w, case) -> dict[str, object]:
    name, caller, method, path, body, extra = case
    answers = {}
    for language in ("en", *LANGUAGES):
        cache.clear()
        answers[language] = _send(w, caller, method, path, body, extra, language)
    return answers


def _errors(response) -> list[dict]:
    """The answer's error, or each failed item's error of a batch (a batch answers 200 with its items)."""
    body = response.json()
    if "error" in body:
        return [body["error"]]
    return [item["error"] for item in body.get("results", []) if item.get("error")]


def test_every_error_of_the_corpus_is_in_the_asked_language_and_in_one_language(world):
    problems = []
    for case in _corpus(world):
        name = case[0]
        answers = _answers(world, case)
        english = answers["en"]
        en_errors = _errors(english)
        assert en_errors and english.status_code in (200, *range(400, 500)), (name, english.status_code)
        for language in LANGUAGES:
            response = answers[language]
            errors = _errors(response)
            assert response.status_code == english.status_code and len(errors) == len(en_errors), (name, language)
            for error, en_error in zip(errors, en_errors, strict=True):
                assert error["code"] == en_error["code"], (name, language)
                assert sorted(error["fields"]) == sorted(en_error["fields"]), (name, language)
                for own, en in zip(_texts(error), _texts(en_error), strict=True):
                    if own == en and en not in NAMES_ONLY:
                        problems.append(f"{name} [{language}]: left in English: {en!r}")
                    if language == "sr" and _latin_left(own, error):
                        problems.append(f"{name} [sr-Cyrl]: Latin letters {_latin_left(own, error)!r} in {own!r}")
    assert not problems, "\n".join(problems)


def test_a_throttled_caller_hears_it_in_its_language(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "verify_anon": "1/min",
        },
    }
    path = f"/api/v1/verifications/{world['certificate'].verification_id}"
    messages = {}
    for language in ("en", *LANGUAGES):
        cache.clear()
        signature_memo.clear()
        _send(world, "anonymous", "get", path, None, {}, language)
        refused = _send(world, "anonymous", "get", path, None, {}, language)
        assert refused.status_code == 429
        messages[language] = refused.json()["error"]["message"]
    assert len(set(messages.values())) == 4, messages
    assert not _latin_left(messages["sr"], {"fields": {}}), messages["sr"]


def test_a_cyrillic_check_finds_latin_words():
    """The corpus test's Cyrillic check can fail: English words are found, codes and the API's names are not."""
    error = {"fields": {"qr": []}}
    assert _latin_left("Непознато поље: qr. Познати: lang, qr, items.", error) == ""
    assert _latin_left("Знак 1 (CYRILLIC CAPITAL LETTER A), L5-SEN-2026-000001, token_malformed, UTF-8.", error) == ""
    assert _latin_left('"whim" није исправан избор.', error) == ""
    assert _latin_left("Унети подаци nisu ispravni.", error) == "nisu ispravni"
    assert _latin_left("Expected text.", error) == "Expected text"
