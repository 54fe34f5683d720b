"""A Django template rendered once per shape with named holes, then filled per request by joining strings.

The verification page (`/v/{id}`) is the registry's most opened HTML; Django's template engine spent a third of its
CPU walking ~300 nodes to print some 25 per-certificate values into markup that is otherwise the same for every
certificate of a language (docs/performance.md, ADR 0025). A `Stencil` renders the template itself, with Django,
once for each *shape*: every truthy value of the variable context replaced by a hole (a marker of letters and
digits, which HTML escaping, URL quoting and JSON leave as they are), every falsy value and list length kept, so
`{% if %}` and `{% for %}` take the same branches as the real values would. The text is cut at the holes and
encoded (UTF-8) once; a request then only escapes its values exactly as Django's `{{ value }}` does, encodes them
and joins. The template stays the one
source of the markup and its translations.

What the caller keeps true: a value that the template compares (`{% if state != "valid" %}`), filters
(`|json_script`, `|date`) or hands to a tag belongs in `fixed()`, rendered as it is, and everything `fixed()`
depends on is in `key`; markup the view has made safe is passed as a SafeString (printed as it is, as Django
prints it). A shape is checked when it is first cut: cut twice with holes of different lengths and rendered once
with the real values by Django, all of which must agree, so a template that does more to a value than print it
raises rather than printing a wrong page (tests/core/test_stencil.py; the page's own comparison in every state
and language is tests/credentials/test_verification_page_stencil.py).
"""

from __future__ import annotations

import html
import re
import secrets
import threading
from collections.abc import Callable

from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.utils.autoreload import file_changed
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime

# Letters, digits and underscores only: escaping, URL quoting and JSON encoding leave a hole as it is. New each
# process, so no text of a catalogue or of the data can be taken for one. Two kinds, of different lengths: a shape
# is cut twice, once with each, and the two must agree (a filter or tag that changed a hole shows as a difference).
_MARKERS = tuple(secrets.token_hex(size) for size in (8, 6))
_PATH_SEPARATOR = "__"
_SEQUENCES = (list, tuple)
_ESCAPED = re.compile("[&<>\"']").search  # what html.escape changes; most values have none of it


def _hole(marker: str, path: str) -> str:
    return f"hole{marker}o{path}c{marker}hole"


def _holes(marker: str) -> re.Pattern:
    return re.compile(_hole(marker, r"(\w+?)"))


def _text(value) -> str:
    """What `{{ value }}` prints, autoescaped (django.template.base.render_value_in_context; for a plain string
    that is django.utils.html.escape, i.e. html.escape, without its lazy-argument wrapper)."""
    if type(value) is str:
        return html.escape(value) if _ESCAPED(value) else value
    value = localize(template_localtime(value))
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _walk(value, path: str, values: dict, shape: list):
    """Collect the truthy leaves of `value` into `values` by path and the rest of its structure into `shape`."""
    if isinstance(value, dict):
        for name, item in value.items():
            _walk(item, f"{path}{_PATH_SEPARATOR}{name}", values, shape)
    elif isinstance(value, _SEQUENCES):
        shape.append((path, len(value)))
        for index, item in enumerate(value):
            _walk(item, f"{path}{_PATH_SEPARATOR}{index}", values, shape)
    elif value:
        values[path] = value
    else:
        shape.append((path, value))


def _with_holes(value, path: str, marker: str):
    """`value` with each truthy leaf replaced by its hole (the template then prints the hole's name)."""
    if isinstance(value, dict):
        return {name: _with_holes(item, f"{path}{_PATH_SEPARATOR}{name}", marker) for name, item in value.items()}
    if isinstance(value, _SEQUENCES):
        return [_with_holes(item, f"{path}{_PATH_SEPARATOR}{index}", marker) for index, item in enumerate(value)]
    return _hole(marker, path) if value else value


class Stencil:
    """`Stencil("app/page.html").render(variable, key=..., fixed=...)` returns what
    `render_to_string("app/page.html", {**fixed(), **variable})` would, encoded in UTF-8 (as an HTTP response
    sends it), at the cost of escaping the values."""

    MAX_SHAPES = 512  # states x languages x optional parts; a keyset change adds a set (then the oldest go)

    def __init__(self, template_name: str):
        self.template_name = template_name
        self._shapes: dict[tuple, tuple[tuple[bytes, ...], tuple[str, ...]]] = {}
        self._lock = threading.Lock()
        setting_changed.connect(self._forget, weak=False)  # tests that change settings
        file_changed.connect(self._forget, weak=False)  # `runserver` after a template is edited

    def _forget(self, **kwargs) -> None:
        self._shapes = {}

    def render(self, variable: dict, *, key: tuple, fixed: Callable[[], dict]) -> bytes:
        """`variable`: the per-request context (names and paths of letters, digits and underscores). `key`:
        everything `fixed()` (the context that is the same for every request of this key) depends on."""
        values: dict = {}
        shape: list = []
        for name, value in variable.items():
            _walk(value, name, values, shape)
        shape_key = (key, tuple(shape))
        cut = self._shapes.get(shape_key)
        if cut is None:
            context = {**fixed(), **variable}
            cut = self._cut(context, variable)
            page = _fill(cut, values)
            if page != render_to_string(self.template_name, context).encode():
                # What the template does to a value (a filter, a comparison) or on its own (`{% now %}`, a CSRF
                # token) that a hole cannot stand for: refused, never printed wrong.
                raise ValueError(f"{self.template_name}: the template does not print every value as it is")
            with self._lock:
                if len(self._shapes) >= self.MAX_SHAPES:
                    self._shapes = {}
                self._shapes[shape_key] = cut
            return page
        return _fill(cut, values)

    def _cut(self, context: dict, variable: dict) -> tuple[tuple[bytes, ...], tuple[str, ...]]:
        cuts = []
        for marker in _MARKERS:
            holed = {**context, **{name: _with_holes(value, name, marker) for name, value in variable.items()}}
            parts = _holes(marker).split(render_to_string(self.template_name, holed))
            cuts.append((tuple(text.encode() for text in parts[0::2]), tuple(parts[1::2])))
        if cuts[0] != cuts[1]:
            raise ValueError(f"{self.template_name}: the template does not print every value as it is")
        return cuts[0]


def _fill(cut: tuple[tuple[bytes, ...], tuple[str, ...]], values: dict) -> bytes:
    texts, holes = cut
    out = [texts[0]]
    for hole, text in zip(holes, texts[1:], strict=True):
        value = values[hole]
        if type(value) is not str or _ESCAPED(value):  # else printed as it is (_text's first case, inlined)
            value = _text(value)
        out.append(value.encode())
        out.append(text)
    return b"".join(out)
