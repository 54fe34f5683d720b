"""The gettext catalogues ship complete: every entry translated, none fuzzy, each committed .mo compiled from its
.po (so `make run` needs no GNU gettext), and the Cyrillic catalogue the letter-for-letter twin of the Latin one."""

from __future__ import annotations

import pytest

from core.catalogues import CATALOGUE_LANGUAGES, cyrillic_from_latin, parse, po_path, problems


@pytest.mark.parametrize("language", CATALOGUE_LANGUAGES)
def test_the_catalogue_is_complete_and_compiled(language):
    found = problems(language)
    assert not found, "\n".join(found[:40]) + (f"\n... and {len(found) - 40} more" if len(found) > 40 else "")


def test_the_cyrillic_catalogue_is_the_latin_one_transliterated():
    expected = {
        (e.context, e.msgid): (e.msgstr, e.msgstr_plural) for e in cyrillic_from_latin(parse(po_path("sr_Latn")))
    }
    actual = {(e.context, e.msgid): (e.msgstr, e.msgstr_plural) for e in parse(po_path("sr"))}
    expected.pop((None, ""), None)
    actual.pop((None, ""), None)
    drifted = sorted(k[1][:60] for k in expected if actual.get(k) != expected[k])
    assert not drifted, (
        f"locale/sr differs from locale/sr_Latn transliterated (manage.py cyrillic_catalogue): {drifted[:10]}"
    )
    assert set(actual) == set(expected)


def _catalogue(tmp_path, body: str):
    path = po_path("sq", tmp_path)
    path.parent.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    path.write_text(header + body, encoding="utf-8")
    return path


def test_the_check_finds_untranslated_fuzzy_and_broken_entries(tmp_path):
    _catalogue(
        tmp_path,
        'msgid "Holder"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Verify"\nmsgstr "Verifiko"\n\n'
        'msgid "Try again in %(seconds)s seconds."\nmsgstr "Provoni përsëri pas %(sekonda)s sekondash."\n',
    )
    found = "\n".join(problems("sq", tmp_path))
    assert "'Holder' is not translated" in found
    assert "'Verify' is fuzzy" in found
    assert "placeholders of the translation differ" in found
    assert "django.mo is missing" in found


def test_the_check_finds_a_compiled_catalogue_older_than_its_source(tmp_path):
    import shutil

    real = po_path("sq")
    copy = po_path("sq", tmp_path)
    copy.parent.mkdir(parents=True)
    shutil.copy(real, copy)
    shutil.copy(real.with_suffix(".mo"), copy.with_suffix(".mo"))
    assert problems("sq", tmp_path) == []
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace('msgstr "Mbajtësi"', 'msgstr "Zotëruesi"', 1), encoding="utf-8")
    assert any("is not compiled from the current" in p for p in problems("sq", tmp_path))
