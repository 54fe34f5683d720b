"""The printed certificate (A4, page 1) and its transcript (page 2), drawn with reportlab's canvas.

Rendering reads only the frozen snapshot, the certificate's current status (a watermark when it is not
valid) and the verification URL for the QR: what was printed never changes (DESIGN.md rule 6). The same
input gives the same bytes (`invariant=1`, creation date = the snapshot's issue date), so a render can be
cached and compared. Fonts are DejaVu Sans, embedded as subsets, so every Albanian, Serbian Latin and
Cyrillic name prints and extracts back as text. Every PDF is sealed with the registry's seal certificate
(credentials/pdf/seal.py, ADR 0013), its signing time the same issue date, so sealed bytes are reproducible.
"""

from __future__ import annotations

import datetime
import functools
import io
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from credentials.pdf import labels, qr
from credentials.pdf.labels import LANGUAGE_PAIRS, label
from credentials.pdf.qr import QUIET_ZONE_MODULES, draw_qr, qr_operators
from credentials.pdf.seal import begin_seal, finish_seal
from credentials.pdf.typeset import ALPHABETS, CertificateFont, draw_string, start_document

# Bump when the layout changes, or the certificate wording of any print language (the fonts' shared numbering,
# ADR 0024): it is part of the cache key, so old renders are not served again.
RENDER_VERSION = 5

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LEFT, RIGHT = MARGIN, PAGE_WIDTH - MARGIN
HOLDER_QR_SIZE = 15 * mm  # the transcript's small QR to the holder's page (a short URL: 0.6 mm modules)
QR_SIZE = 44 * mm  # the symbol itself; DESIGN.md asks for at least 35 mm (0.68-0.77 mm modules: ADR 0017)

NAVY = (0.07, 0.19, 0.38)
GOLD = (0.70, 0.55, 0.22)
INK = (0.10, 0.10, 0.12)
GREY = (0.40, 0.42, 0.46)
RULE = (0.78, 0.80, 0.84)
RED = (0.75, 0.08, 0.08)
WHITE = (1, 1, 1)

CREATOR = "Kosovo Qualification and Credential Registry"


@functools.cache
def register_fonts() -> None:
    """Register the embedded fonts once per process (parsing the TTF files is the slow part)."""
    pdfmetrics.registerFont(CertificateFont(REGULAR, str(FONTS_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(CertificateFont(BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))


_preparing = threading.Lock()


def prepare_fonts() -> None:
    """Once per process: the fonts' shared subsets (the alphabets and every print language's wording), built and
    compressed, and the wording's encoded strings (credentials/pdf/typeset.py). A thread that renders meanwhile
    waits: a half-prepared font would number glyphs from nothing."""
    register_fonts()
    fonts = [pdfmetrics.getFont(name) for name in (REGULAR, BOLD)]
    if all(font.prepared for font in fonts):
        return
    with _preparing:
        texts = labels.all_wording()
        wording = {text for text in texts if "{" not in text}
        for font in fonts:
            if not font.prepared:
                font.prepare(ALPHABETS + "".join(sorted(texts)), wording)


@dataclass(frozen=True)
class CertificatePrint:
    """What one certificate needs to be drawn: the snapshot, its status now, the QR text and its symbol.

    `qr_symbol` is the symbol stored with the certificate (credentials.pdf.qr); the API always passes it, so a
    print never encodes the QR. Without it (the layout sample, a hand-made print) it is encoded here."""

    snapshot: dict
    status: str
    verification_url: str
    qr_symbol: bytes | None = None


# ---------------------------------------------------------------------------------------------- public API


def render_certificate_pdf(item: CertificatePrint, *, lang: str) -> bytes:
    """One certificate (certificate page and transcript) as PDF bytes."""
    snap = item.snapshot
    primary, _ = LANGUAGE_PAIRS[lang]
    title = f"{label('doc_title', primary, serial=snap['serial_number'])} — {snap['holder']['full_name']}"
    return _render(
        [item],
        lang=lang,
        title=title,
        author=snap["provider"]["name"],
        subject=_title(snap["qualification"]["title"], primary),
        created=_date(snap["issued_on"]),
    )


def render_certificates_pdf(items: list[CertificatePrint], *, lang: str, cohort_code: str) -> bytes:
    """Several certificates in one PDF, for printing a cohort at once."""
    if not items:
        raise ValueError("Nothing to render.")
    primary, _ = LANGUAGE_PAIRS[lang]
    first = items[0].snapshot
    return _render(
        items,
        lang=lang,
        title=label("cohort_title", primary, code=cohort_code),
        author=first["provider"]["name"],
        subject=_title(first["qualification"]["title"], primary),
        created=max(_date(i.snapshot["issued_on"]) for i in items),
    )


def human_code(verification_id: str) -> str:
    """The verification id in short blocks for reading aloud or typing (26 chars -> 4-4-4-4-4-3-3).

    Crockford base32 ignores hyphens when decoding, so the grouped form is still the id.
    """
    blocks = -(-len(verification_id) // 4)
    size, extra = divmod(len(verification_id), blocks)
    out, start = [], 0
    for index in range(blocks):
        end = start + size + (1 if index < extra else 0)
        out.append(verification_id[start:end])
        start = end
    return "-".join(out)


def url_without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


# ---------------------------------------------------------------------------------------------- document


def _render(items: Iterable[CertificatePrint], *, lang, title, author, subject, created: datetime.date) -> bytes:
    prepare_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=REGULAR)
    start_document(canvas, (REGULAR, BOLD))
    seal = begin_seal(canvas, issued_on=created)
    stamp = f"D:{created:%Y%m%d}000000+00'00'"
    canvas._doc.setDateFormatter(lambda *_: stamp)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(subject)
    canvas.setCreator(CREATOR)
    canvas.setProducer(CREATOR)
    for item in items:
        _certificate_page(canvas, item, lang)
        canvas.showPage()
        _transcript(canvas, item, lang)
    canvas.save()
    return finish_seal(buffer.getvalue(), seal, canvas)


# ---------------------------------------------------------------------------------------------- page 1


def _certificate_page(c: Canvas, item: CertificatePrint, lang: str) -> None:
    """Fixed positions from the top and the bottom; only the facts grid between them grows."""
    snap = item.snapshot
    primary, secondary = LANGUAGE_PAIRS[lang]
    _frame(c)
    if item.status != "valid":
        _status_strip(c, item.status, primary, secondary)

    # Header: the state, the registry, the serial number.
    serial = f"{label('serial_short', primary)} {snap['serial_number']}"
    _text_right(c, RIGHT - 2 * mm, PAGE_HEIGHT - 27.5 * mm, serial, BOLD, 7.5, INK)
    y = PAGE_HEIGHT - 32.5 * mm
    _centred(c, label("country", primary), y, BOLD, 9, NAVY, char_space=1)
    _centred(c, label("registry", primary), y - 4.2 * mm, REGULAR, 8.5, INK)
    _centred(c, label("registry", secondary), y - 7.8 * mm, REGULAR, 7, GREY)
    _rule(c, PAGE_WIDTH / 2 - 30 * mm, PAGE_WIDTH / 2 + 30 * mm, y - 11.5 * mm, GOLD, 0.8)

    # Title.
    y = PAGE_HEIGHT - 56 * mm
    _centred(c, label("certificate", primary), y, BOLD, 30, NAVY, char_space=4)
    _centred(c, label("certificate", secondary), y - 7.5 * mm, REGULAR, 11, GREY, char_space=2)

    # Holder.
    y = PAGE_HEIGHT - 75 * mm
    _centred(c, label("certify", primary), y, REGULAR, 11, INK)
    _centred(c, label("certify", secondary), y - 4.3 * mm, REGULAR, 8, GREY)
    name = snap["holder"]["full_name"]
    _centred(c, name, y - 16 * mm, BOLD, _fit(name, BOLD, 26, CONTENT_WIDTH - 10 * mm, 12), INK)
    _rule(c, LEFT + 20 * mm, RIGHT - 20 * mm, y - 20 * mm, RULE, 0.6)

    # Qualification.
    y = PAGE_HEIGHT - 104 * mm
    _centred(c, label("completed", primary), y, REGULAR, 11, INK)
    _centred(c, label("completed", secondary), y - 4.3 * mm, REGULAR, 8, GREY)
    titles = snap["qualification"]["title"]
    y -= 13.5 * mm
    for line in simpleSplit(_title(titles, primary), BOLD, 15, CONTENT_WIDTH - 20 * mm)[:3]:
        _centred(c, line, y, BOLD, 15, NAVY)
        y -= 6.3 * mm
    y += 1.5 * mm
    for line in simpleSplit(_title(titles, secondary), REGULAR, 9, CONTENT_WIDTH - 20 * mm)[:2]:
        _centred(c, line, y, REGULAR, 9, GREY)
        y -= 4 * mm

    # Facts, then the bottom band: signatures on the left, the QR on the right.
    _fact_grid(c, _fact_rows(snap, primary), y - 4 * mm, primary, secondary)
    _verification_block(c, item, primary, secondary)
    _signatures(c, snap, primary, secondary)
    _footer_note(c, primary, secondary)
    if item.status != "valid":
        _watermark(c, item.status, primary, secondary)


# A row of the facts grid: cells of (label key, share of the width, value lines).
FactRow = list[tuple[str, float, list[str]]]


def _fact_rows(snap: dict, lang: str) -> list[FactRow]:
    q = snap["qualification"]
    hours = label(
        "hours_value", lang, t=q["hours_theory"], p=q["hours_practice"], total=q["hours_theory"] + q["hours_practice"]
    )
    mode = label(f"mode_{snap['curriculum']['delivery_mode']}", lang)
    acc = snap["accreditation"]
    rows: list[FactRow] = [
        [
            ("code", 0.26, [q["code"]]),
            ("level", 0.24, [f"{label('nqf', lang)} {q['nqf_level']} · {label('eqf', lang)} {q['eqf_level']}"]),
            ("hours", 0.34, [hours]),
            ("credits", 0.16, [str(q["credits"]) if q.get("credits") else "—"]),
        ],
        [
            ("provider", 0.62, [snap["provider"]["name"]]),
            ("programme", 0.38, [label("programme_value", lang, version=snap["curriculum"]["version"], mode=mode)]),
        ],
        [
            ("awarding_body", 0.34, [_org_name(snap["awarding_body"])]),
            (
                "accreditation",
                0.66,
                [
                    f"{label('decision', lang, number=acc['decision_number'])}, {_org_name(acc['agent'])}",
                    label(
                        "valid_period", lang, start=_fmt(acc["valid_from"], lang), end=_fmt(acc["valid_until"], lang)
                    ),
                ],
            ),
        ],
    ]
    eq = snap.get("equivalency")
    if eq:
        target = eq["equivalent_to"]
        decided = label("decision_dated", lang, number=eq["decision_number"], date=_fmt(eq["decided_on"], lang))
        rows.append(
            [
                (
                    "equivalency",
                    1.0,
                    [
                        f"{decided}, {_org_short(eq['decided_by'])}",
                        label("equivalent_to", lang, what=f"{target['code']} {_title(target['title'], lang)}"),
                    ],
                )
            ]
        )
    rows.append(
        [
            ("awarded_on", 0.26, [_fmt(snap["awarded_on"], lang)]),
            ("issued_on", 0.24, [_fmt(snap["issued_on"], lang)]),
            ("serial", 0.50, [snap["serial_number"]]),
        ]
    )
    return rows


def _fact_grid(c: Canvas, rows: list[FactRow], top: float, primary: str, secondary: str) -> float:
    """A ruled grid: each cell has its label (requested language, then the other) over its value.

    The two labels share a line; where one cell of a row is too narrow for that, the whole row puts the
    second label on a line of its own, so the values of a row stay aligned.
    """
    left, width = LEFT + 6 * mm, CONTENT_WIDTH - 12 * mm
    y = top
    _rule(c, left, left + width, y, NAVY, 0.8)
    for row_index, row in enumerate(rows):
        cells = []
        x = left
        for key, share, values in row:
            cell_width = width * share
            lines = [line for value in values for line in simpleSplit(value, REGULAR, 9.3, cell_width - 4 * mm)]
            first = label(key, primary)
            first_width = pdfmetrics.stringWidth(first, BOLD, 6.8)
            together = first_width + 1.5 * mm + pdfmetrics.stringWidth(label(key, secondary), REGULAR, 6.2)
            cells.append((x, cell_width, key, lines, first_width, together <= cell_width - 4 * mm))
            x += cell_width
        stacked = not all(cell[5] for cell in cells)
        label_height = 7.9 if stacked else 5.2
        height = (label_height + 4.1 * max(len(cell[3]) for cell in cells) + 1.8) * mm
        for index, (x, _cell_width, key, lines, first_width, _fits) in enumerate(cells):
            if index:
                _vrule(c, x, y, y - height, RULE, 0.4)
            _text(c, x + 2 * mm, y - 3.6 * mm, label(key, primary), BOLD, 6.8, NAVY)
            if stacked:
                _text(c, x + 2 * mm, y - 6.3 * mm, label(key, secondary), REGULAR, 6.2, GREY)
            else:
                _text(c, x + 3.5 * mm + first_width, y - 3.6 * mm, label(key, secondary), REGULAR, 6.2, GREY)
            font = BOLD if key == "serial" else REGULAR
            for i, line in enumerate(lines):
                _text(c, x + 2 * mm, y - (label_height + 2.8 + 4.1 * i) * mm, line, font, 9.3, INK)
        y -= height
        last = row_index == len(rows) - 1
        _rule(c, left, left + width, y, NAVY if last else RULE, 0.8 if last else 0.4)
    return y


def _verification_block(c: Canvas, item: CertificatePrint, primary: str, secondary: str) -> None:
    """The QR with its quiet zone kept free, the plain URL and the short code under it."""
    snap = item.snapshot
    centre = RIGHT - 30 * mm
    bottom = 29 * mm
    symbol = item.qr_symbol or qr.encode_symbol(item.verification_url)
    module = draw_qr(c, symbol, x=centre - QR_SIZE / 2, y=bottom, size=QR_SIZE)
    gap = max(3.3 * mm, QUIET_ZONE_MODULES * module)
    top = bottom + QR_SIZE + gap
    _centred(c, label("verify", primary), top + 3.7 * mm, BOLD, 7.5, NAVY, x=centre)
    _centred(c, label("verify", secondary), top + 0.5 * mm, REGULAR, 6.3, GREY, x=centre)
    url = url_without_fragment(item.verification_url)
    y = bottom - gap - 1.7 * mm
    _centred(c, url, y, REGULAR, _fit(url, REGULAR, 6.5, 56 * mm, 4), INK, x=centre)
    code = human_code(snap["verification_id"])
    _centred(c, code, y - 3.8 * mm, BOLD, _fit(code, BOLD, 8, 56 * mm, 5), INK, x=centre)
    _centred(c, label("verification_code", primary), y - 6.6 * mm, REGULAR, 5.8, GREY, x=centre)


def _signatures(c: Canvas, snap: dict, primary: str, secondary: str) -> None:
    """A line to sign for the provider and one for the awarding body; under each, who signs (name and title as
    the organisation's record said at issuance, frozen in the snapshot; a title alone when it names nobody),
    then "For the provider" and the organisation's name."""
    y = 60 * mm
    width = 48 * mm
    for index, (key, org) in enumerate(
        (("for_provider", snap["provider"]), ("for_awarding_body", snap["awarding_body"]))
    ):
        x = LEFT + 6 * mm + index * (width + 8 * mm)
        _rule(c, x, x + width, y, INK, 0.5)
        line_y = y - 3.8 * mm
        signatory = org.get("signatory") or {}
        if signatory.get("name"):
            _text(c, x, line_y, signatory["name"], BOLD, _fit(signatory["name"], BOLD, 8, width, 5.5), INK)
            line_y -= 3.4 * mm
        for line in simpleSplit(signatory.get("title") or "", REGULAR, 7, width)[:2]:
            _text(c, x, line_y, line, REGULAR, 7, INK)
            line_y -= 3.1 * mm
        line_y -= 1.2 * mm if signatory else 0
        _text(c, x, line_y, label(key, primary), BOLD, 7, NAVY)
        _text(c, x, line_y - 2.9 * mm, label(key, secondary), REGULAR, 6.2, GREY)
        for i, line in enumerate(simpleSplit(org["name"], REGULAR, 7, width)[:2]):
            _text(c, x, line_y - 6.3 * mm - i * 3.1 * mm, line, REGULAR, 7, INK)


def _footer_note(c: Canvas, primary: str, secondary: str) -> None:
    width = 100 * mm
    y = 31.5 * mm
    for line in simpleSplit(label("signed_note", primary), REGULAR, 6.3, width):
        _text(c, LEFT + 6 * mm, y, line, REGULAR, 6.3, INK)
        y -= 2.8 * mm
    for line in simpleSplit(label("signed_note", secondary), REGULAR, 5.8, width):
        _text(c, LEFT + 6 * mm, y, line, REGULAR, 5.8, GREY)
        y -= 2.6 * mm


def _status_strip(c: Canvas, status: str, primary: str, secondary: str) -> None:
    """A red band across the top of the frame: the first thing an officer sees on a certificate not valid."""
    top = PAGE_HEIGHT - 12.5 * mm
    c.saveState()
    c.setFillColorRGB(*RED)
    c.rect(15 * mm, top - 10 * mm, PAGE_WIDTH - 30 * mm, 8.5 * mm, stroke=0, fill=1)
    c.restoreState()
    text = f"{label(f'status_{status}', primary)} · {label(f'status_{status}', secondary)}"
    _centred(c, text, top - 5.3 * mm, BOLD, 10, WHITE, char_space=1.5)
    note = f"{label('status_note', primary)} / {label('status_note', secondary)}"
    _centred(c, note, top - 8.6 * mm, REGULAR, _fit(note, REGULAR, 6, PAGE_WIDTH - 36 * mm, 4), WHITE)


def _watermark(c: Canvas, status: str, primary: str, secondary: str) -> None:
    """The status word across the page, under nothing and over everything, faint enough to read through."""
    words = [label(f"status_{status}", primary), label(f"status_{status}", secondary)]
    c.saveState()
    c.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    c.rotate(55)
    c.setFillColorRGB(*RED)
    c.setFillAlpha(0.18)
    size = _fit(words[0], BOLD, 96, PAGE_HEIGHT * 0.75, 20)
    c.setFont(BOLD, size)
    c.drawCentredString(0, 0, words[0])
    c.setFont(BOLD, size * 0.42)
    c.drawCentredString(0, -size * 0.55, words[1])
    c.restoreState()


def _frame(c: Canvas, *, light: bool = False) -> None:
    """The certificate's double frame with gold corner diamonds; the transcript gets a single thin line."""
    c.saveState()
    c.setStrokeColorRGB(*NAVY)
    if light:
        c.setLineWidth(0.8)
        c.rect(12.5 * mm, 12.5 * mm, PAGE_WIDTH - 25 * mm, PAGE_HEIGHT - 25 * mm)
        c.restoreState()
        return
    c.setLineWidth(2.2)
    c.rect(10 * mm, 10 * mm, PAGE_WIDTH - 20 * mm, PAGE_HEIGHT - 20 * mm)
    c.setStrokeColorRGB(*GOLD)
    c.setLineWidth(0.7)
    c.rect(12.5 * mm, 12.5 * mm, PAGE_WIDTH - 25 * mm, PAGE_HEIGHT - 25 * mm)
    c.setFillColorRGB(*GOLD)
    for cx in (12.5 * mm, PAGE_WIDTH - 12.5 * mm):
        for cy in (12.5 * mm, PAGE_HEIGHT - 12.5 * mm):
            c.saveState()
            c.translate(cx, cy)
            c.rotate(45)
            c.rect(-1.8 * mm, -1.8 * mm, 3.6 * mm, 3.6 * mm, stroke=0, fill=1)
            c.restoreState()
    c.restoreState()


# ---------------------------------------------------------------------------------------------- page 2


_COLUMNS = (  # label key, width in mm (the widths add up to CONTENT_WIDTH), alignment
    ("col_code", 16, "left"),
    ("col_module", 63, "left"),
    ("col_kind", 19, "left"),
    ("col_theory", 19, "right"),
    ("col_practice", 20, "right"),
    ("col_credits", 14, "right"),
    ("col_outcome", 19, "left"),
)
_MODULE_WIDTH = (_COLUMNS[1][1] - 2) * mm
_TABLE_BOTTOM = 50 * mm  # below it: the notes and the footer


def _transcript(c: Canvas, item: CertificatePrint, lang: str) -> None:
    """The transcript: the mandatory modules and their total (the qualification's hours and credits, as page 1
    prints them), then the optional modules taken, apart, with their own total; continued on further pages if
    the rows do not fit."""
    snap = item.snapshot
    primary, secondary = LANGUAGE_PAIRS[lang]
    state = {"page": 2, "y": _table_header(c, _transcript_header(c, snap, primary, secondary), primary, secondary)}

    def room(height: float) -> float:
        if state["y"] - height < _TABLE_BOTTOM:
            _transcript_footer(c, item, primary, secondary, state["page"])
            c.showPage()
            state["page"] += 1
            state["y"] = _table_header(c, _transcript_header(c, snap, primary, secondary), primary, secondary)
        return state["y"]

    total, optional = label("total", primary), label("optional", primary)
    groups = (
        ([m for m in snap["modules"] if m["mandatory"]], total),
        ([m for m in snap["modules"] if not m["mandatory"]], f"{total} ({optional})"),
    )
    for modules, total_label in groups:
        if not modules:
            continue
        for module in modules:
            state["y"] = _module_row(c, room, module, primary)
        totals = [sum(m[key] for m in modules) for key in ("hours_theory", "hours_practice", "credits")]
        y = room(7 * mm) - 1.5 * mm
        _table_row(c, y, [total_label, "", "", *map(str, totals), ""], font=BOLD)
        _rule(c, LEFT, RIGHT, y - 2.2 * mm, NAVY, 0.8)
        state["y"] = y - 7 * mm
    _transcript_footer(c, item, primary, secondary, state["page"])
    c.showPage()


def _module_row(c: Canvas, room, module: dict, primary: str) -> float:
    """One module's row at the height `room` leaves for it (a new page when it does not fit); the next row's y."""
    title = module["title"] if module["mandatory"] else f"{module['title']} ({label('optional', primary)})"
    title_lines = simpleSplit(title, BOLD, 7.8, _MODULE_WIDTH)
    sub = module.get("title_en") if primary != "en" else None
    sub_lines = simpleSplit(sub, REGULAR, 6.6, _MODULE_WIDTH) if sub and sub != module["title"] else []
    height = (len(title_lines) * 3.4 + len(sub_lines) * 2.9 + 3.2) * mm
    y = room(height)
    cells = [
        module["code"],
        None,
        label(f"kind_{module['kind']}", primary),
        str(module["hours_theory"]),
        str(module["hours_practice"]),
        str(module["credits"]),
        label(f"outcome_{module['outcome']}", primary),
    ]
    _table_row(c, y, cells)
    line_y = y
    x_title = LEFT + (_COLUMNS[0][1] + 1) * mm
    for line in title_lines:
        _text(c, x_title, line_y, line, BOLD, 7.8, INK)
        line_y -= 3.4 * mm
    for line in sub_lines:
        _text(c, x_title, line_y + 0.4 * mm, line, REGULAR, 6.6, GREY)
        line_y -= 2.9 * mm
    y -= height
    _rule(c, LEFT, RIGHT, y + 3.4 * mm, RULE, 0.4)
    return y


def _transcript_header(c: Canvas, snap: dict, primary: str, secondary: str) -> float:
    _frame(c, light=True)
    y = PAGE_HEIGHT - 24 * mm
    _text(c, LEFT, y, label("country", primary), BOLD, 8, NAVY)
    _text(c, LEFT, y - 3.8 * mm, label("registry", primary), REGULAR, 7.5, INK)
    _text(c, LEFT, y - 7 * mm, label("registry", secondary), REGULAR, 6.5, GREY)
    _text_right(c, RIGHT, y, f"{label('serial_short', primary)} {snap['serial_number']}", BOLD, 8, INK)
    y -= 18 * mm
    _text(c, LEFT, y, label("transcript", primary), BOLD, 18, NAVY)
    title_width = pdfmetrics.stringWidth(label("transcript", primary), BOLD, 18)
    _text(c, LEFT + title_width + 4 * mm, y, label("transcript", secondary), REGULAR, 10, GREY)
    y -= 5 * mm
    _text(c, LEFT, y, label("transcript_of", primary, serial=snap["serial_number"]), REGULAR, 8, GREY)
    y -= 4 * mm
    _rule(c, LEFT, RIGHT, y, GOLD, 0.8)
    y -= 7 * mm
    q = snap["qualification"]
    level = f"{label('nqf', primary)} {q['nqf_level']} · {label('eqf', primary)} {q['eqf_level']}"
    summary = [
        ("holder", snap["holder"]["full_name"], BOLD, 11),
        ("qualification", f"{_title(q['title'], primary)} ({q['code']})", BOLD, 9),
        ("level", level, REGULAR, 9),
        ("awarded_on", _fmt(snap["awarded_on"], primary), REGULAR, 9),
    ]
    for key, value, font, size in summary:
        _text(c, LEFT, y, label(key, primary), BOLD, 7.5, INK)
        _text(c, LEFT, y - 3 * mm, label(key, secondary), REGULAR, 6.2, GREY)
        lines = simpleSplit(value, font, size, CONTENT_WIDTH - 40 * mm)[:2]
        for i, line in enumerate(lines):
            _text(c, LEFT + 40 * mm, y - i * 4.3 * mm, line, font, size, INK)
        y -= max(8.5 * mm, len(lines) * 4.3 * mm + 4.2 * mm)
    return y - 3 * mm


def _table_header(c: Canvas, y: float, primary: str, secondary: str) -> float:
    c.saveState()
    c.setFillColorRGB(0.92, 0.94, 0.97)
    c.rect(LEFT, y - 4.6 * mm, CONTENT_WIDTH, 10.2 * mm, stroke=0, fill=1)
    c.restoreState()
    x = LEFT
    for key, width, align in _COLUMNS:
        w = width * mm
        if align == "right":
            _text_right(c, x + w - 1 * mm, y, label(key, primary), BOLD, 7, NAVY)
            _text_right(c, x + w - 1 * mm, y - 3 * mm, label(key, secondary), REGULAR, 6, GREY)
        else:
            _text(c, x + 1 * mm, y, label(key, primary), BOLD, 7, NAVY)
            _text(c, x + 1 * mm, y - 3 * mm, label(key, secondary), REGULAR, 6, GREY)
        x += w
    _rule(c, LEFT, RIGHT, y - 4.6 * mm, NAVY, 0.8)
    return y - 10.5 * mm


def _table_row(c: Canvas, y: float, cells: list, *, font: str = REGULAR) -> None:
    x = LEFT
    for (_, width, align), cell in zip(_COLUMNS, cells, strict=True):
        w = width * mm
        if cell:
            if align == "right":
                _text_right(c, x + w - 1 * mm, y, cell, font, 7.8, INK)
            else:
                _text(c, x + 1 * mm, y, cell, font, 7.8, INK)
        x += w


def holder_request_url() -> str:
    """The public page where a holder asks for their private link by e-mail (`/my/`)."""
    from django.conf import settings
    from django.urls import reverse

    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("holder-link-request")


@functools.lru_cache(maxsize=4)
def _holder_qr(url: str) -> str:
    """The holder page's QR as page operators: the same URL and place on every transcript, drawn once."""
    return qr_operators(qr.encode_symbol(url), x=RIGHT - HOLDER_QR_SIZE, y=22 * mm, size=HOLDER_QR_SIZE)[0]


def _transcript_footer(c: Canvas, item: CertificatePrint, primary: str, secondary: str, page: int) -> None:
    snap = item.snapshot
    y = 45 * mm
    text_width = CONTENT_WIDTH - HOLDER_QR_SIZE - 6 * mm  # the holder's QR stands at the right
    for key in ("transcript_note", "legend_levels"):
        for text, size, colour, drop in ((label(key, primary), 6.8, INK, 0), (label(key, secondary), 6, GREY, 2.9)):
            _text(c, LEFT, y - drop * mm, text, REGULAR, _fit(text, REGULAR, size, text_width, 4), colour)
        y -= 7 * mm
    verify = f"{label('verify', primary)}: {url_without_fragment(item.verification_url)}"
    _text(c, LEFT, y, verify, REGULAR, _fit(verify, REGULAR, 6.8, text_width, 4), INK)
    _text(
        c,
        LEFT,
        y - 3.2 * mm,
        f"{label('verification_code', primary)}: {human_code(snap['verification_id'])}",
        BOLD,
        6.8,
        INK,
    )
    # Where the holder gets their private page (credentials.holders): the page that e-mails the link, never the
    # link itself, which would give whoever reads this paper (an employer, the awarding body) the holder's page.
    holder_url = holder_request_url()
    holder = label("holder_page", primary, url=holder_url)
    _text(c, LEFT, y - 6.8 * mm, holder, REGULAR, _fit(holder, REGULAR, 6.8, text_width, 4), INK)
    c.addLiteral(_holder_qr(holder_url))
    _rule(c, LEFT, RIGHT, 19.5 * mm, RULE, 0.4)
    _text(c, LEFT, 16 * mm, label("transcript_of", primary, serial=snap["serial_number"]), REGULAR, 7, GREY)
    _text_right(c, RIGHT, 16 * mm, label("page", primary, n=page), REGULAR, 7, GREY)
    if item.status != "valid":
        _watermark(c, item.status, primary, secondary)


# ---------------------------------------------------------------------------------------------- drawing


# Text goes through typeset.draw_string: the operators of reportlab's drawString, without its text object.


def _text(c: Canvas, x: float, y: float, text: str, font: str, size: float, colour) -> None:
    draw_string(c, x, y, text, font, size, colour)


def _text_right(c: Canvas, x: float, y: float, text: str, font: str, size: float, colour) -> None:
    draw_string(c, x - pdfmetrics.stringWidth(text, font, size), y, text, font, size, colour)


def _centred(c: Canvas, text: str, y: float, font: str, size: float, colour, *, x=None, char_space=0) -> None:
    centre = PAGE_WIDTH / 2 if x is None else x
    width = pdfmetrics.stringWidth(text, font, size)
    if char_space:
        width += char_space * (len(text) - 1)
        draw_string(c, centre - width / 2, y, text, font, size, colour, char_space)
        return
    draw_string(c, centre - 0.5 * width, y, text, font, size, colour)


def _rule(c: Canvas, x1: float, x2: float, y: float, colour, width: float) -> None:
    c.setStrokeColorRGB(*colour)
    c.setLineWidth(width)
    c.line(x1, y, x2, y)


def _vrule(c: Canvas, x: float, y1: float, y2: float, colour, width: float) -> None:
    c.setStrokeColorRGB(*colour)
    c.setLineWidth(width)
    c.line(x, y1, x, y2)


def _fit(text: str, font: str, size: float, width: float, minimum: float) -> float:
    """The largest size up to `size` at which `text` fits in `width` (never below `minimum`)."""
    natural = pdfmetrics.stringWidth(text, font, size)
    if natural <= width:
        return size
    return max(minimum, size * width / natural)


def _title(titles: dict, lang: str) -> str:
    return labels.title(titles, lang)


def _org_name(org: dict) -> str:
    country = org.get("country")
    return f"{org['name']} ({country})" if country and country != "XK" else org["name"]


def _org_short(org: dict) -> str:
    """A long official name (a ministry's) shortened to its acronym where space is tight."""
    return org["name"] if len(org["name"]) <= 40 or not org.get("short_name") else org["short_name"]


def _date(iso: str) -> datetime.date:
    return datetime.date.fromisoformat(iso)


def _fmt(iso: str | None, lang: str) -> str:
    """A date in the print language's one format (config/formats/)."""
    return labels.date(iso, lang)
