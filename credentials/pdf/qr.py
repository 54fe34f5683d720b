"""The verification QR code, drawn as vector squares so it prints sharp at any size.

Error correction M (DESIGN.md), byte mode. Two shortcuts keep it inside the PDF's CPU budget, both
standard-conformant:
- the mask pattern is fixed instead of chosen by the penalty rules: choosing costs ~25 ms of pure-Python
  CPU for a ~500-character URL (more than the rest of the page), and readers decode any of the eight masks
  (the tests decode the rendered page with zxing, as a phone would);
- the version is computed from the byte count instead of by `best_fit`, which encodes the data twice.
"""

from __future__ import annotations

import qrcode
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M
from qrcode.exceptions import DataOverflowError
from reportlab.pdfgen.canvas import Canvas

QR_MASK_PATTERN = 2
QUIET_ZONE_MODULES = 4  # the white margin readers need around the symbol; the layout keeps it free


def qr_version(byte_count: int, error_correction: int = ERROR_CORRECT_M) -> int:
    """The smallest QR version that holds `byte_count` bytes in byte mode."""
    for version in range(1, 41):
        count_bits = util.length_in_bits(util.MODE_8BIT_BYTE, version)
        if 4 + count_bits + 8 * byte_count <= util.BIT_LIMIT_TABLE[error_correction][version]:
            return version
    raise DataOverflowError(f"{byte_count} bytes do not fit in a QR code")


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR symbol for `text` (byte mode, smallest version that fits), without the quiet zone."""
    data = text.encode("utf-8")
    code = qrcode.QRCode(
        version=qr_version(len(data)), error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK_PATTERN
    )
    code.add_data(util.QRData(data, mode=util.MODE_8BIT_BYTE))
    code.make(fit=False)
    return code.get_matrix()


def draw_qr(canvas: Canvas, text: str, *, x: float, y: float, size: float) -> float:
    """Draw the symbol for `text` with its lower-left corner at (x, y), `size` points wide.

    `size` is the symbol itself; the caller keeps a white quiet zone of QUIET_ZONE_MODULES around it.
    The symbol is one filled path in module units (a `cm` maps them onto the page): dark modules of a row
    merge into runs, ~1,000 integer rectangles written as PDF operators, a tenth of the cost of drawing
    them one by one through reportlab's path object. Returns the width of one module in points.
    """
    matrix = qr_matrix(text)
    count = len(matrix)
    module = size / count
    ops = [f"q 0 g {module:.4f} 0 0 {-module:.4f} {x:.3f} {y + size:.3f} cm"]
    for row_index, row in enumerate(matrix):
        start = None
        for col, dark in enumerate(row):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                ops.append(f"{start} {row_index} {col - start} 1 re")
                start = None
        if start is not None:
            ops.append(f"{start} {row_index} {count - start} 1 re")
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))
    return module
