"""The verification QR code: encoded once per certificate and stored, drawn from the stored symbol.

A symbol is stored as compact bytes (`encode_symbol`): one byte for its width in modules, then its modules
row by row, one bit each (dark = 1), padded to a whole byte; 467 bytes for a ~290-character URL (version 11). Rendering
only reads these bits (`draw_qr`): no QR arithmetic per print.

Error correction M (DESIGN.md). The text is cut into segments (ISO/IEC 18004 allows several in a symbol): a run
of at least MIN_ALPHANUMERIC_RUN characters of the QR alphanumeric set (0-9, A-Z, space and $%*+-./:) is one
alphanumeric segment, 5.5 bits a character, and the rest is byte mode, 8 bits a byte. The verification URL's id
and its compact token (upper-case base32, credentials/tokens.py) are such runs: the symbol is a version 10-11
instead of 17 (ADR 0017). Two shortcuts that are standard-conformant:
- the mask pattern is fixed instead of chosen by the penalty rules (choosing costs ~25 ms of pure-Python
  CPU for a ~500-character URL), and readers decode any of the eight masks (the tests decode the rendered
  page with zxing, as a phone would);
- the version is the smallest that holds the segments, computed from their lengths.

The encoder is the qrcode library's algorithm (its tables: block structure, capacities, alignment
positions, BCH codes) with the two slow steps done differently: the Reed-Solomon remainder is a shift
register over one Python integer with a precomputed product table, and the modules are placed along
positions computed once per version. ~0.3 ms instead of ~4 ms per URL, so issuing 10,000 certificates
does not pay 40 s for their QR codes; a test holds it module for module to the library's own output.
"""

from __future__ import annotations

import functools
import hashlib
import operator
import re
from typing import TYPE_CHECKING

from qrcode import util
from qrcode.base import rs_blocks
from qrcode.constants import ERROR_CORRECT_M
from qrcode.exceptions import DataOverflowError

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

QR_MASK_PATTERN = 2
QUIET_ZONE_MODULES = 4  # the white margin readers need around the symbol; the layout keeps it free
_DARK_RUN = re.compile("1+")
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
# A shorter run saves less than switching modes costs (two segment headers, ~35 bits: ~14 characters' saving).
MIN_ALPHANUMERIC_RUN = 20
_ALPHANUMERIC_RUN = re.compile(r"[0-9A-Z $%*+\-./:]{" + str(MIN_ALPHANUMERIC_RUN) + ",}")
_ALPHANUMERIC_VALUE = {ord(char): value for value, char in enumerate(ALPHANUMERIC)}

Segment = tuple[int, bytes]  # (util.MODE_8BIT_BYTE or util.MODE_ALPHA_NUM, the characters as bytes)


def qr_version(byte_count: int, error_correction: int = ERROR_CORRECT_M) -> int:
    """The smallest QR version that holds `byte_count` bytes in byte mode."""
    for version in range(1, 41):
        count_bits = util.length_in_bits(util.MODE_8BIT_BYTE, version)
        if 4 + count_bits + 8 * byte_count <= util.BIT_LIMIT_TABLE[error_correction][version]:
            return version
    raise DataOverflowError(f"{byte_count} bytes do not fit in a QR code")


def segments(text: str) -> list[Segment]:
    """`text` cut into byte-mode and alphanumeric-mode segments (long alphanumeric runs alone)."""
    out: list[Segment] = []
    position = 0
    for run in _ALPHANUMERIC_RUN.finditer(text):
        if run.start() > position:
            out.append((util.MODE_8BIT_BYTE, text[position : run.start()].encode("utf-8")))
        out.append((util.MODE_ALPHA_NUM, run.group().encode("ascii")))
        position = run.end()
    if position < len(text) or not out:
        out.append((util.MODE_8BIT_BYTE, text[position:].encode("utf-8")))
    return out


def _segment_bits(shape: tuple[int, int], version: int) -> int:
    mode, length = shape
    body = 8 * length if mode == util.MODE_8BIT_BYTE else 11 * (length // 2) + 6 * (length % 2)
    return 4 + util.length_in_bits(mode, version) + body


def segments_version(parts: list[Segment], error_correction: int = ERROR_CORRECT_M) -> int:
    """The smallest QR version that holds `parts`."""
    return _version_for(tuple((mode, len(data)) for mode, data in parts), error_correction)


@functools.lru_cache(maxsize=4096)
def _version_for(shape: tuple[tuple[int, int], ...], error_correction: int) -> int:
    """The smallest version for segments of these modes and lengths (issuance meets the same few shapes)."""
    for version in range(1, 41):
        if sum(_segment_bits(part, version) for part in shape) <= util.BIT_LIMIT_TABLE[error_correction][version]:
            return version
    raise DataOverflowError(f"{sum(length for _, length in shape)} characters do not fit in a QR code")


def text_digest(text: str) -> str:
    """What a stored symbol is keyed by: the SHA-256 of the exact text it encodes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------- encoding


def encode_symbol(text: str) -> bytes:
    """The QR symbol for `text` (its `segments`, error correction M, mask 2, smallest version), packed."""
    parts = segments(text)
    version = segments_version(parts)
    gather, bits, mask = _placement(version)
    codewords = _codewords(parts, version)
    placed = format((int.from_bytes(codewords, "big") << (bits - 8 * len(codewords))) ^ mask, f"0{bits}b")
    cells = "".join(gather("01" + placed))  # every module, row by row: "0"/"1" of a pattern, or a data bit
    size = 17 + 4 * version
    cells += "0" * (-len(cells) % 8)
    return bytes([size]) + int(cells, 2).to_bytes(len(cells) // 8, "big")


def symbol_rows(symbol: bytes) -> list[str]:
    """The rows of a packed symbol as strings of "0" (light) and "1" (dark)."""
    size = symbol[0]
    bits = format(int.from_bytes(symbol[1:], "big"), f"0{8 * (len(symbol) - 1)}b")
    return [bits[row * size : (row + 1) * size] for row in range(size)]


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR symbol for `text` as rows of booleans (dark = True), without the quiet zone."""
    return [[bit == "1" for bit in row] for row in symbol_rows(encode_symbol(text))]


def _segment_value(segment: Segment, version: int) -> tuple[int, int]:
    """A segment's bits (mode indicator, character count, data) as an integer, and how many bits they are."""
    mode, data = segment
    count_bits = util.length_in_bits(mode, version)
    value, length = (mode << count_bits) | len(data), 4 + count_bits
    if mode == util.MODE_8BIT_BYTE:
        return (value << (8 * len(data))) | int.from_bytes(data, "big"), length + 8 * len(data)
    for index in range(0, len(data) - 1, 2):
        value = (value << 11) | (45 * _ALPHANUMERIC_VALUE[data[index]] + _ALPHANUMERIC_VALUE[data[index + 1]])
    if len(data) % 2:
        value = (value << 6) | _ALPHANUMERIC_VALUE[data[-1]]
    return value, length + 11 * (len(data) // 2) + 6 * (len(data) % 2)


def _codewords(parts: list[Segment], version: int) -> bytes:
    """Data codewords (each segment's mode, count and data; terminator, padding) interleaved with their error
    correction."""
    blocks, capacity, interleave_data, interleave_ec = _block_structure(version)
    value, length = 0, 0
    for part in parts:
        bits, count = _segment_value(part, version)
        value, length = (value << count) | bits, length + count
    terminator = min(4, 8 * capacity - length)
    length += terminator
    pad = -length % 8
    value <<= terminator + pad
    length += pad
    stream = value.to_bytes(length // 8, "big")
    stream += (b"\xec\x11" * capacity)[: capacity - len(stream)]

    ec, offset = [], 0
    for data_count, ec_count in blocks:
        ec.append(_rs_remainder(stream[offset : offset + data_count], ec_count))
        offset += data_count
    return bytes(interleave_data(stream)) + bytes(interleave_ec(b"".join(ec)))


def _interleaving(counts: list[int]):
    """Reads the blocks of `counts` bytes, stored one after the other, in QR order: the first byte of each
    block, then the second of each, ... (a shorter block skipped once it ends). Returns an itemgetter."""
    starts = [sum(counts[:i]) for i in range(len(counts))]
    order = [
        start + index
        for index in range(max(counts))
        for start, count in zip(starts, counts, strict=True)
        if index < count
    ]
    return operator.itemgetter(*order)


@functools.cache
def _block_structure(version: int):
    """(data and error correction byte counts per block, data capacity, the data interleaving, the error
    correction interleaving) of a version at error correction M."""
    blocks = [(block.data_count, block.total_count - block.data_count) for block in rs_blocks(version, ERROR_CORRECT_M)]
    return (
        blocks,
        sum(data for data, _ in blocks),
        _interleaving([data for data, _ in blocks]),
        _interleaving([ec for _, ec in blocks]),
    )


# GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _power in range(255, 512):
    _EXP[_power] = _EXP[_power - 255]


@functools.cache
def _rs_products(ec_count: int) -> tuple[int, ...]:
    """For each byte f, f times the generator polynomial (without its leading 1), as one integer."""
    generator = [1]
    for power in range(ec_count):
        # multiply by (x - alpha^power)
        term = _EXP[power]
        generator = [
            a ^ (_EXP[_LOG[b] + _LOG[term]] if b else 0) for a, b in zip([*generator, 0], [0, *generator], strict=True)
        ]
    tail = generator[1:]
    return tuple(
        int.from_bytes(bytes(_EXP[_LOG[f] + _LOG[g]] if f and g else 0 for g in tail), "big") for f in range(256)
    )


def _rs_remainder(chunk: bytes, ec_count: int) -> bytes:
    """The error correction bytes of `chunk`. The remainder is linear (GF(2^8) sums are XORs), so it is the XOR
    of each byte's own remainder at its position, read from a table made once per block shape: one C-level pass
    (`map`, `reduce`) instead of a Python step per byte."""
    tables = _rs_position_tables(len(chunk), ec_count)
    return functools.reduce(operator.xor, map(operator.getitem, tables, chunk), 0).to_bytes(ec_count, "big")


@functools.cache
def _rs_position_tables(data_count: int, ec_count: int) -> tuple[tuple[int, ...], ...]:
    """For each position of a block of `data_count` bytes, the remainder of each byte value alone at that position
    (all other bytes zero), as integers: the shift register run over the byte, then over the zeros after it."""
    products = _rs_products(ec_count)
    shift = 8 * (ec_count - 1)
    keep = (1 << (8 * ec_count)) - 1
    column = list(products)  # a byte in the last position: one step of the register from zero
    tables = [tuple(column)]
    for _ in range(data_count - 1):  # one more zero byte after it
        column = [((r << 8) & keep) ^ products[r >> shift] for r in column]
        tables.append(tuple(column))
    return tuple(reversed(tables))


@functools.cache
def _placement(version: int):
    """How a version's modules are filled, precomputed: an itemgetter that, applied to "01" followed by the data
    bits in placement order, returns every module's "0"/"1" row by row (a function pattern's module reads index
    0 or 1, a data module its bit); the number of data bits; the mask over them."""
    cells, positions, mask = _layout(version)
    sources = [cell - 48 for cell in cells]  # b"0"/b"1": index 0 or 1 of "01"
    for order, position in enumerate(positions):
        sources[position] = 2 + order
    return operator.itemgetter(*sources), len(positions), mask


@functools.cache
def _layout(version: int) -> tuple[bytes, tuple[int, ...], int]:
    """The function patterns of a version (finders, timing, alignment, format and version information for
    error correction M and mask 2) as b"0"/b"1" cells, the data positions in placement order, and the
    mask over those positions as an integer (first position = highest bit)."""
    size = 17 + 4 * version
    grid: list[list[bool | None]] = [[None] * size for _ in range(size)]

    for top, left in ((0, 0), (size - 7, 0), (0, size - 7)):
        for r in range(-1, 8):
            for c in range(-1, 8):
                if 0 <= top + r < size and 0 <= left + c < size:
                    ring = r in (0, 6) or c in (0, 6)
                    grid[top + r][left + c] = (0 <= r <= 6 and 0 <= c <= 6 and ring) or (2 <= r <= 4 and 2 <= c <= 4)
    centres = util.pattern_position(version)
    for row in centres:
        for col in centres:
            if grid[row][col] is not None:
                continue
            for r in range(-2, 3):
                for c in range(-2, 3):
                    grid[row + r][col + c] = abs(r) == 2 or abs(c) == 2 or (r == 0 and c == 0)
    for i in range(8, size - 8):
        if grid[i][6] is None:
            grid[i][6] = i % 2 == 0
        if grid[6][i] is None:
            grid[6][i] = i % 2 == 0

    format_bits = util.BCH_type_info((ERROR_CORRECT_M << 3) | QR_MASK_PATTERN)
    for i in range(15):
        dark = (format_bits >> i) & 1 == 1
        grid[i if i < 6 else i + 1 if i < 8 else size - 15 + i][8] = dark
        grid[8][size - i - 1 if i < 8 else 15 - i if i < 9 else 15 - i - 1] = dark
    grid[size - 8][8] = True
    if version >= 7:
        version_bits = util.BCH_type_number(version)
        for i in range(18):
            dark = (version_bits >> i) & 1 == 1
            grid[i // 3][i % 3 + size - 11] = dark
            grid[i % 3 + size - 11][i // 3] = dark

    positions, mask = [], 0
    row, step = size - 1, -1
    for right in range(size - 1, 0, -2):
        col = right - 1 if right <= 6 else right
        while True:
            for c in (col, col - 1):
                if grid[row][c] is None:
                    positions.append(row * size + c)
                    mask = (mask << 1) | (c % 3 == 0)  # mask pattern 2
            row += step
            if row < 0 or row >= size:
                row -= step
                step = -step
                break
    cells = bytes(49 if dark else 48 for line in grid for dark in line)
    return cells, tuple(positions), mask


# ---------------------------------------------------------------------------------------------- drawing


def draw_qr(canvas: Canvas, symbol: bytes, *, x: float, y: float, size: float) -> float:
    """Draw a packed symbol with its lower-left corner at (x, y), `size` points wide.

    `size` is the symbol itself; the caller keeps a white quiet zone of QUIET_ZONE_MODULES around it.
    Returns the width of one module in points (see `qr_operators`).
    """
    operators, module = qr_operators(symbol, x=x, y=y, size=size)
    canvas.addLiteral(operators)
    return module


def qr_operators(symbol: bytes, *, x: float, y: float, size: float) -> tuple[str, float]:
    """A packed symbol as PDF page operators, and the width of one module in points.

    The symbol is one filled path in module units (a `cm` maps them onto the page): dark modules of a row
    merge into runs, ~1,000 integer rectangles written as PDF operators, a tenth of the cost of drawing
    them one by one through reportlab's path object.
    """
    rows = symbol_rows(symbol)
    module = size / len(rows)
    ops = [f"q 0 g {module:.4f} 0 0 {-module:.4f} {x:.3f} {y + size:.3f} cm"]
    for row_index, row in enumerate(rows):
        for run in _DARK_RUN.finditer(row):
            ops.append(f"{run.start()} {row_index} {run.end() - run.start()} 1 re")
    ops.append("f Q")
    return "\n".join(ops), module
