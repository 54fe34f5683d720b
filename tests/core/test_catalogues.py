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
