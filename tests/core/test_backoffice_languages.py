"""The back office speaks the reader's language: signed in as each demo user, in Albanian and in Serbian (Cyrillic),
the admin index, every list the role sees and its add and change pages show none of the English words of our
models' labels (model names, field names, help texts, choices, validator messages) nor of the admin's own column
headers, actions, filters and fieldsets, nor of the English catalogue.

The English words come from the code and the catalogue, not from a list written here. What is not a translation
failure is left out: acronyms and codes (NQF, ISCO-08: all capitals or with a digit), words shorter than three
letters, words the target language itself uses (they occur in a translation whose original lacks them, such as
Albanian "data"), and the demo's own data (names, titles, codes: every text the database holds is removed from
the page before the words are read)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from core.catalogues import parse, po_path
from registry.admin_audit import MAX_VALUE

pytestmark = pytest.mark.django_db

OUR_APPS = ("core", "registry", "credentials", "outcomes")
# The back office's languages (Django's codes) and their catalogues.
LANGUAGES = {"sq": "sq", "sr": "sr"}
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
TOKEN = re.compile(r"\S+")
CODE = re.compile(r"\w[_.]\w|^[\[{]*[\"'][\w ]+[\"']:")  # identifiers, dotted codes, JSON keys


def _words(text) -> set[str]:
    """The words of an English text that a translation must replace: no acronyms, codes or short words."""
    found = set()
    for token in TOKEN.findall(str(text)):
        if any(ch.isdigit() for ch in token):
            continue
        for word in WORD.findall(token):
            if len(word) >= 3 and not word.isupper():
                found.add(word.lower())
    return found


def _model_labels() -> set[str]:
    """Every label our models show, in the code's own English."""
    texts: set[str] = set()
    with translation.override("en"):
        for app in OUR_APPS:
            for model in apps.get_app_config(app).get_models():
                meta = model._meta
                texts |= {str(meta.verbose_name), str(meta.verbose_name_plural)}
                for field in meta.get_fields():
                    if not hasattr(field, "verbose_name") or field.auto_created and not field.concrete:
                        continue
                    texts |= {str(field.verbose_name), str(field.help_text or "")}
                    for _value, label in getattr(field, "flatchoices", None) or ():
                        texts.add(str(label))
                    for validator in getattr(field, "validators", ()):
                        if isinstance(getattr(validator, "message", None), str | type(translation.gettext_lazy(""))):
                            texts.add(str(validator.message))
    return texts


def _admin_labels() -> set[str]:
    """The admin's own column headers, actions, filter titles and fieldset titles, in English."""
    texts: set[str] = set()
    with translation.override("en"):
        for model, model_admin in admin.site._registry.items():
            if model._meta.app_label not in OUR_APPS:
                continue
            for action in model_admin.actions or ():
                if callable(action):
                    texts.add(str(getattr(action, "short_description", "")))
            for column in model_admin.list_display:
                attribute = getattr(model_admin, column, None) if isinstance(column, str) else column
                if attribute is not None and hasattr(attribute, "short_description"):
                    texts.add(str(attribute.short_description))
            for list_filter in model_admin.list_filter:
                if isinstance(list_filter, type) and hasattr(list_filter, "title"):
                    texts.add(str(list_filter.title))
            for name, _options in model_admin.fieldsets or ():
                texts.add(str(name or ""))
    return texts


def _catalogue_labels() -> set[str]:
    return {entry.msgid for entry in parse(po_path("en")) if entry.msgid}


# Words a language shares with English, its own as much as English's (Albanian "standard", "personal"), and
# terms of art the back office keeps as they are (a webhook, an e-mail).
# Django's own Albanian keeps "email", "hash" and "Single Sign-On".
SHARED = {
    "sq": {"standard", "personal", "private", "mail", "webhook", "email", "hash", "single", "sign"},
    "sr": {"webhook"},
}


def _native_words(language: str) -> set[str]:
    """Words the language's own translations use where the original has no such word (Albanian "data" is a
    date, not data): on its page they are that language. Read from every catalogue Django merges for it (its own
    admin's and ours)."""
    from django.utils.translation import trans_real

    native = set(SHARED[language])
    for key, translated in trans_real.translation(language)._catalog.items():
        msgid = str(key[1] if isinstance(key, tuple) else key).split("\x04")[-1]
        native |= _words(translated) - _words(msgid)
        # Proper names (Europass, Pearson): capitalised inside the original and kept by its translation.
        native |= {word.lower() for word in WORD.findall(msgid)[1:] if word[0].isupper() and word in translated}
    return native


class _VisibleText(HTMLParser):
    """The text a reader sees: text nodes outside <script>/<style>, and the words written on buttons; not what is
    marked as another language (the language switch names each language in itself: "English", "Srpski")."""

    def __init__(self, language: str):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0
        self._language = language.split("-")[0]
        self._foreign: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        elif tag != "html" and attributes.get("lang") and not attributes["lang"].lower().startswith(self._language):
            self._foreign.append(tag)
            self._hidden += 1
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1
        elif self._foreign and tag == self._foreign[-1]:
            self._foreign.pop()
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def _visible_text(html: str, language: str) -> str:
    parser = _VisibleText(language)
    parser.feed(html)
    return "\n".join(parser.parts)


def _data_texts() -> re.Pattern:
    """Every text the database holds (names, titles, codes, references) and every record's name: user data,
    not labels. Longest first, so a title goes before the word it contains."""
    texts: set[str] = set()
    for app in (*OUR_APPS, "auth", "authtoken"):
        for model in apps.get_app_config(app).get_models():
            fields = [f.attname for f in model._meta.concrete_fields if f.get_internal_type() in TEXT_FIELDS]
            json_fields = [f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"]
            for obj in model._default_manager.all():
                texts.add(str(obj))
                texts |= {value[: MAX_VALUE - 1] for value in map(str, (getattr(obj, name) for name in fields))}
                texts |= {str(getattr(obj, name) or "") for name in fields}
                for name in json_fields:
                    texts |= set(_json_strings(getattr(obj, name)))
    values = sorted((t for t in texts if len(t) >= 3), key=len, reverse=True)
    # Whole values only: a code such as "ids" never cuts a word out of a label.
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, values)) + r")(?!\w)")


TEXT_FIELDS = ("CharField", "TextField", "SlugField", "EmailField", "URLField")


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _without_data(text: str, data: re.Pattern) -> str:
    return data.sub(" ", text)


def _pages(user) -> list[str]:
    """The admin index, and each list the user may see with its add page and its first record's change page."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            pages.append(reverse("admin:{}_{}_add".format(*info)))
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return pages


@pytest.fixture(scope="module")
def english_words():
    return {
        word: text for text in sorted(_model_labels() | _admin_labels() | _catalogue_labels()) for word in _words(text)
    }


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    from registry.demo import USERS
    from registry.models import User

    return [User.objects.get(username=username) for username, *_ in USERS]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_back_office_page_is_in_the_readers_language(demo, english_words, language):
    data = _data_texts()
    native = _native_words(LANGUAGES[language])
    suspects = {word: text for word, text in english_words.items() if word not in native}
    found: dict[str, set[str]] = {}
    for user in demo:
        client = Client()
        client.force_login(user)
        client.cookies["django_language"] = language
        for page in _pages(user):
            response = client.get(page)
            assert response.status_code == 200, (user.username, page, response.status_code)
            assert response.headers["Content-Language"] == language
            text = _without_data(_visible_text(response.content.decode(), language), data)
            # Identifiers (inclusive_education, registry.duty) are codes, not words.
            text = " ".join(token for token in text.split() if not CODE.search(token))
            for match in WORD.finditer(text):
                word = match.group()
                if word.lower() in suspects and not word.isupper():
                    context = text[max(0, match.start() - 40) : match.end() + 40]
                    found.setdefault(f"{word} (from {suspects[word.lower()]!r})", set()).add(
                        f"{user.username} {page}: ...{context}..."
                    )
    assert not found, f"{len(found)} English word(s) on the {language} back office:\n" + "\n".join(
        f"{word}: {sorted(pages)[:2]}" for word, pages in sorted(found.items())
    )
