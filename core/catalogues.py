"""The gettext catalogues (locale/<lang>/LC_MESSAGES/django.po) read and written without polib or GNU gettext:
the check CI runs (every entry translated, none fuzzy, each .mo compiled from its .po) and the Serbian Cyrillic
catalogue made from the Latin one (`manage.py cyrillic_catalogue`; docs/languages.md).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from core.language import latin_to_cyrillic

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
CATALOGUE_LANGUAGES = ("sq", "sr_Latn", "sr", "en")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    comments: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)

    @property
    def translated(self) -> bool:
        if self.plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural.values())
        return bool(self.msgstr)


def po_path(language: str, locale_dir: Path | None = None) -> Path:
    return (locale_dir or LOCALE_DIR) / language / "LC_MESSAGES" / "django.po"


def _unquote(lines: list[str]) -> str:
    text = "".join(line[line.index('"') + 1 : line.rindex('"')] for line in lines)
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def parse(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") first; obsolete (#~) entries are left out."""
    entries = []
    for block in re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8").strip()):
        entry, parts, current = Entry(), {}, None
        for line in block.splitlines():
            if line.startswith("#~"):
                continue
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
                entry.comments.append(line)
            elif line.startswith("#"):
                entry.comments.append(line)
            elif line.startswith(("msgctxt ", "msgid_plural ", "msgid ", "msgstr")):
                current = line.split(" ", 1)[0]
                parts[current] = [line]
            elif line.startswith('"') and current:
                parts[current].append(line)
        if "msgid" not in parts:
            continue
        entry.msgid = _unquote(parts.pop("msgid"))
        entry.context = _unquote(parts.pop("msgctxt")) if "msgctxt" in parts else None
        entry.plural = _unquote(parts.pop("msgid_plural")) if "msgid_plural" in parts else None
        for key, lines in parts.items():
            if key == "msgstr":
                entry.msgstr = _unquote(lines)
            else:
                entry.msgstr_plural[int(key[7:-1])] = _unquote(lines)
        entries.append(entry)
    return entries


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    if "\n" not in text:
        return f'"{escaped}"'
    pieces = escaped.split("\n")
    lines = ['""'] + [f'"{piece}\\n"' for piece in pieces[:-1]]
    return "\n".join(lines + ([f'"{pieces[-1]}"'] if pieces[-1] else []))


def write(path: Path, entries: list[Entry]) -> None:
    blocks = []
    for entry in entries:
        lines = list(entry.comments)
        if entry.context is not None:
            lines.append(f"msgctxt {_quote(entry.context)}")
        lines.append(f"msgid {_quote(entry.msgid)}")
        if entry.plural is not None:
            lines.append(f"msgid_plural {_quote(entry.plural)}")
            lines += [f"msgstr[{n}] {_quote(text)}" for n, text in sorted(entry.msgstr_plural.items())]
        else:
            lines.append(f"msgstr {_quote(entry.msgstr)}")
        blocks.append("\n".join(lines))
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


# Placeholders, markup and entities stay as they are when a text is transliterated.
_KEEP = re.compile(r"%\([^)]*\)[sdfr]|%[sdfr]|\{[^{}]*\}|<[^>]*>|&\w+;|https?://\S+")


def to_cyrillic(text: str) -> str:
    out, position = [], 0
    for match in _KEEP.finditer(text):
        out.append(latin_to_cyrillic(text[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(latin_to_cyrillic(text[position:]))
    return "".join(out)


def cyrillic_from_latin(latin: list[Entry]) -> list[Entry]:
    """The sr (Cyrillic) catalogue: the sr_Latn one letter for letter (the header's Language line aside)."""
    out = []
    for entry in latin:
        if entry.msgid == "" and entry.context is None:
            out.append(Entry(comments=entry.comments, flags=entry.flags, msgstr=entry.msgstr.replace("sr_Latn", "sr")))
            continue
        out.append(
            Entry(
                comments=entry.comments,
                flags=entry.flags,
                context=entry.context,
                msgid=entry.msgid,
                plural=entry.plural,
                msgstr=to_cyrillic(entry.msgstr),
                msgstr_plural={n: to_cyrillic(text) for n, text in entry.msgstr_plural.items()},
            )
        )
    return out


_PLACEHOLDER = re.compile(r"%\([^)]+\)[sdfr]|\{[A-Za-z_][A-Za-z0-9_]*(?::[^}]*)?\}")


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def problems(language: str, locale_dir: Path | None = None) -> list[str]:
    """What keeps a catalogue from shipping: an entry untranslated or fuzzy, a translation whose placeholders
    (%(name)s, {name}) are not the original's, a .mo that is missing or not the compilation of its .po (the .mo
    files are committed: `make run` needs no GNU gettext)."""
    path = po_path(language, locale_dir)
    if not path.exists():
        return [f"{path} is missing"]
    found = []
    expected = {}
    for entry in parse(path):
        if entry.msgid == "" and entry.context is None:
            continue
        label = f"{language}: {entry.msgid[:60]!r}" + (f" (context {entry.context!r})" if entry.context else "")
        if "fuzzy" in entry.flags:
            found.append(f"{label} is fuzzy")
        if not entry.translated:
            found.append(f"{label} is not translated")
            continue
        wanted = _placeholders(entry.msgid) | _placeholders(entry.plural or "")
        texts = [entry.msgstr] if entry.plural is None else list(entry.msgstr_plural.values())
        if any(_placeholders(text) != wanted for text in texts if wanted or _placeholders(text)):
            found.append(f"{label}: the placeholders of the translation differ from the original's")
        key = entry.msgid if entry.context is None else f"{entry.context}\x04{entry.msgid}"
        if entry.plural is None:
            expected[key] = entry.msgstr
        else:
            for n, text in entry.msgstr_plural.items():
                expected[(key, n)] = text
    mo = path.with_suffix(".mo")
    if not mo.exists():
        return [*found, f"{mo} is missing: run manage.py compilemessages"]
    with mo.open("rb") as handle:
        compiled = {key: value for key, value in gettext.GNUTranslations(handle)._catalog.items() if key != ""}
    if compiled != expected:
        found.append(f"{mo} is not compiled from the current {path.name}: run manage.py compilemessages")
    return found
