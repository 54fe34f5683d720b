"""The bitstring of a W3C Bitstring Status List: encoded and decoded.

Index 0 is the left-most (most significant) bit of the first byte; index `size - 1` the right-most bit of the
last byte. The list travels GZIP-compressed (RFC 1952) and multibase-encoded as base64url without padding, which
multibase marks with the prefix `u`. GZIP is written with mtime 0, so the same bits always give the same text
(and the same signature and ETag)."""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Iterable

MULTIBASE_BASE64URL = "u"
# A status list bitstring is 16 KiB for the spec's minimum of 131,072 entries; anything that inflates far beyond
# what we ever publish is refused before it is held in memory (a gzip bomb in an uploaded list).
MAX_DECODED_BYTES = 16 * 1024 * 1024


class BitstringError(ValueError):
    pass


def bitstring(indexes: Iterable[int], size: int) -> bytes:
    """`size` bits (a multiple of 8), every bit 0 but those at `indexes`."""
    if size <= 0 or size % 8:
        raise BitstringError("a bitstring's size is a positive multiple of 8")
    bits = bytearray(size // 8)
    for index in indexes:
        if not 0 <= index < size:
            raise BitstringError(f"index {index} is outside a list of {size}")
        bits[index >> 3] |= 0x80 >> (index & 7)
    return bytes(bits)


def encode(bits: bytes) -> str:
    """GZIP, then multibase base64url without padding (`u...`)."""
    compressed = gzip.compress(bits, compresslevel=9, mtime=0)
    return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def encode_list(indexes: Iterable[int], size: int) -> str:
    return encode(bitstring(indexes, size))


def decode(encoded: str, *, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """The bits of an `encodedList`. Raises BitstringError on anything that is not multibase base64url of a GZIP
    stream, or that inflates beyond `max_bytes`."""
    if not isinstance(encoded, str) or not encoded.startswith(MULTIBASE_BASE64URL):
        raise BitstringError("an encodedList is multibase base64url: it starts with 'u'")
    text = encoded[1:]
    if not text or any(c in text for c in "=+/ \n\r\t"):
        raise BitstringError("an encodedList is base64url without padding")
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BitstringError("an encodedList is base64url without padding") from exc
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # GZIP framing only
    try:
        bits = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as exc:
        raise BitstringError("an encodedList is GZIP-compressed") from exc
    if len(bits) > max_bytes:
        raise BitstringError("the encodedList inflates beyond any status list")
    if not inflater.eof:
        raise BitstringError("the encodedList's GZIP stream is truncated")
    return bits


def bit(bits: bytes, index: int) -> bool:
    """The bit at `index` (0: the left-most bit of the first byte). IndexError outside the bitstring."""
    if index < 0 or index >= len(bits) * 8:
        raise IndexError(f"index {index} is outside a bitstring of {len(bits) * 8} bits")
    return bool(bits[index >> 3] & (0x80 >> (index & 7)))


def set_indexes(bits: bytes) -> list[int]:
    """Every index whose bit is 1, in order."""
    return [(i << 3) + j for i, byte in enumerate(bits) if byte for j in range(8) if byte & (0x80 >> j)]
