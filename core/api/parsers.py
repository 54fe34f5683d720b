"""The API's request body parsers (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

A body the API cannot read is the client's mistake and answers 400 in the error shape, whatever it is: nested
deeper than `core.json_depth.MAX_DEPTH` (`too_deeply_nested`; DRF's parser let Python's recursion limit turn
100,000 levels into a 500), not in the charset it declares, or not JSON (`malformed_request`).
"""

from __future__ import annotations

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
            raise ParseError(f"The request body is not valid {encoding} text.") from None
        try:
            return json_depth.loads(text, parse_constant=strict_constant if self.strict else None)
        except json_depth.TooDeeplyNested as exc:
            raise TooDeeplyNested(f"The JSON nests deeper than {exc.max_depth} levels.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


def decode_text_body(stream, *, encoding: str = "utf-8-sig") -> str:
    """A text body (e.g. `text/csv`) as a string; a 400 when it is not in `encoding` (UTF-8, with or without
    a byte-order mark), not a 500."""
    try:
        return stream.read().decode(encoding)
    except UnicodeDecodeError:
        raise ParseError("The request body is not valid UTF-8 text.") from None
