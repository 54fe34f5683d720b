"""JSON from strangers, refused before it is parsed when it nests too deeply.

Python's `json` recurses once per level of nesting: a body of 100,000 `[` (200 kB, far under the upload limit)
raises RecursionError, which nobody catches as bad input, so it became a 500. Every JSON we did not write
ourselves (request bodies, the parts of a QR token) goes through `loads` here, which first measures the nesting
depth without recursing: one linear regular-expression pass over the text, skipping string literals, stopping
at the first level beyond the limit. Real payloads nest two or three levels; 64 leaves ample room.
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 64

# A string literal (to the end of the text when it is never closed: the optional closing quote keeps the pass
# linear, as a failed match is never retried from a later quote), or one bracket.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
_OPENING = frozenset("[{")


class TooDeeplyNested(ValueError):
    """The JSON nests deeper than allowed. A ValueError, as any other malformed JSON is."""

    def __init__(self, max_depth: int):
        super().__init__(f"JSON nested deeper than {max_depth} levels")
        self.max_depth = max_depth


def nesting_exceeds(text: str, max_depth: int = MAX_DEPTH) -> bool:
    """Whether arrays/objects in `text` nest deeper than `max_depth` (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= max_depth:  # nearly every body: no scan at all
        return False
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth > max_depth:
                return True
        elif token[0] != '"' and depth:
            depth -= 1
    return False


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, **kwargs):
    """`json.loads`, refusing (TooDeeplyNested) what nests deeper than `max_depth` before parsing it.
    Bytes are decoded as UTF-8 (UnicodeDecodeError, a ValueError, when they are not)."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8")
    if nesting_exceeds(text, max_depth):
        raise TooDeeplyNested(max_depth)
    return json.loads(text, **kwargs)
