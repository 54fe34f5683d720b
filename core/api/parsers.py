"""The API's request body parsers (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

A body the API cannot read is the client's mistake and answers 400 in the error shape, whatever it is: nested
deeper than `core.json_depth.MAX_DEPTH` (`too_deeply_nested`; DRF's parser let Python's recursion limit turn
100,000 levels into a 500), not in the charset it declares, or not JSON (`malformed_request`, with the line and
column). The messages are in the request's language.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

from core import json_depth


class TooDeeplyNested(ParseError):
    default_code = "too_deeply_nested"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (strict: no NaN or Infinity) that measures the nesting before parsing."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(_("The request body is not valid %(encoding)s text.") % {"encoding": encoding}) from None
        try:
            return json_depth.loads(text, parse_constant=strict_constant if self.strict else None)
        except json_depth.TooDeeplyNested as exc:
            raise TooDeeplyNested(_("The JSON nests deeper than %(max)d levels.") % {"max": exc.max_depth}) from None
        except ValueError as exc:
            raise ParseError(_json_error_message(exc)) from None


def _json_error_message(exc: ValueError) -> str:
    """Where the JSON breaks, in the request's language (Python's own explanation is English)."""
    if getattr(exc, "lineno", None) is not None:
        return _("The request body is not valid JSON (line %(line)d, column %(column)d).") % {
            "line": exc.lineno,
            "column": exc.colno,
        }
    return _("The request body is not valid JSON.")


def decode_text_body(stream, *, encoding: str = "utf-8-sig") -> str:
    """A text body (e.g. `text/csv`) as a string; a 400 when it is not in `encoding` (UTF-8, with or without
    a byte-order mark), not a 500."""
    try:
        return stream.read().decode(encoding)
    except UnicodeDecodeError:
        raise ParseError(_("The request body is not valid UTF-8 text.")) from None
