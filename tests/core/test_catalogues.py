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


def test_every_message_in_the_code_is_in_the_catalogues(tmp_path, settings):
    """makemessages, run into a scratch copy, finds no message the committed catalogues lack: a string marked for
    translation and never extracted would silently stay in English. Needs GNU gettext's xgettext (CI installs it:
    .ci/install-gettext); elsewhere the test skips, unless REQUIRE_GETTEXT is set."""
    import os
    import shutil
    from pathlib import Path

    from django.conf import settings as django_settings
    from django.core.management import call_command

    if not shutil.which("xgettext"):
        if os.environ.get("REQUIRE_GETTEXT"):
            pytest.fail("xgettext is required (REQUIRE_GETTEXT is set): .ci/install-gettext installs it")
        pytest.skip("needs GNU gettext's xgettext (.ci/install-gettext)")
    # makemessages writes a file's messages into the first locale path whose parent holds the file: the scratch
    # copy must sit in the project's root (it is removed afterwards; the real locale/ is never written).
    root = Path(django_settings.BASE_DIR)
    scratch = root / f".makemessages-check-{os.getpid()}"
    shutil.copytree(po_path("sq").parents[2], scratch)
    settings.LOCALE_PATHS = [scratch]
    cwd = os.getcwd()
    os.chdir(root)
    try:
        call_command(
            "makemessages",
            locale=["sq"],
            ignore_patterns=[".venv/*", "tests/*", "var/*", "bench/*", "locale/*", ".makemessages-check-*"],
            no_obsolete=True,
            verbosity=0,
        )
        in_code = {(e.context, e.msgid) for e in parse(po_path("sq", scratch))}
    finally:
        os.chdir(cwd)
        shutil.rmtree(scratch, ignore_errors=True)
    in_catalogue = {(e.context, e.msgid) for e in parse(po_path("sq"))}
    missing = sorted(msgid[:70] for _context, msgid in in_code - in_catalogue)
    assert not missing, (
        f"{len(missing)} message(s) not in locale/ (run makemessages, translate, cyrillic_catalogue, "
        f"compilemessages: docs/languages.md): {missing[:15]}"
    )
