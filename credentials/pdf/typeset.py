"""Text on the certificate PDF at the cost of its content: the fonts' shared subsets prepared once per process,
the wording's glyph codes known in advance, one short text object per string.

reportlab numbers a TrueType font's glyphs per document, in the order the document first uses them, and builds,
at the document's end, one embedded font program (a subset of DejaVu Sans) and one ToUnicode map per 256 codes,
then compresses them: on a certificate that work, and drawing ~140 strings through reportlab's generic text
object, cost more than the page itself. Here:

- Every document starts from the same **base numbering** (`CertificateFont.start`): the base subsets hold ASCII,
  the letters of Albanian, Serbian (Latin and Cyrillic) and English, and every character of the printed wording
  in every print language. Their font programs, ToUnicode maps and widths are built and compressed once per
  process (`prepare`) and written as they are into each document. A character outside them (a rarer letter in a
  name) opens a further subset, which reportlab builds for that document as usual; the base subsets never change,
  so the same certificate still gives the same bytes.
- Because the base numbering is fixed, the wording's encoded strings are computed once (`prepare` keeps them);
  names, titles and numbers are encoded per document through reportlab's own `splitString`.
- `draw_string` writes the operators reportlab's `drawString` writes for one line (colour, `BT`, position,
  font, string, `ET`), without building a text object per string.

A document that does not call `start` (the back office's PDFs, the bench's floor) gets reportlab's behaviour
unchanged.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap

# Letters a name on a Kosovo certificate commonly needs beyond ASCII: Albanian, Serbian Latin and Cyrillic (and
# the Latin letters of neighbouring languages' names); the wording's own characters are added to these.
ALPHABETS = (
    "ÇçËëČčĆćĐđŠšŽžÄäÖöÜüÉéÈèÂâÎîÔôŞşĞğİıАБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШабвгдђежзијклљмнњопрстћуфхцчџш–—·•„“”‘’«»€°"
)


@dataclass(frozen=True)
class _Prepared:
    """One base subset, ready to be written into any document."""

    codes: tuple[int, ...]
    base_font_name: str
    widths: pdfdoc.PDFObject  # the /Widths array, formatted
    cmap: bytes  # compressed ToUnicode CMap
    font_file: bytes  # compressed TrueType subset
    font_file_length: int  # its uncompressed length (/Length1)


class _Formatted(pdfdoc.PDFObject):
    """A direct object whose PDF text is known in advance (a font's /Widths: ~200 numbers formatted once)."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document) -> bytes:
        return self.data


def _widths(face, codes) -> _Formatted:
    return _Formatted(pdfdoc.PDFArray(list(map(face.getCharWidth, codes))).format(None))


class _Scratch:
    """A stand-in document for numbering the base glyphs (reportlab keys its per-document state weakly)."""


_FLATE = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])


class CertificateFont(TTFont):
    """A TrueType font whose first subsets are shared by every certificate document (see the module docstring)."""

    def __init__(self, name: str, filename: str):
        super().__init__(name, filename)
        self._base: tuple[_Prepared, ...] = ()
        self._base_assignments: dict[int, int] = {}
        self._base_next_code = 0
        self._encoded: dict[str, tuple[tuple[int, str], ...]] = {}
        self._started: weakref.WeakSet = weakref.WeakSet()

    @property
    def prepared(self) -> bool:
        return bool(self._base)

    def prepare(self, characters: str, wording: set[str]) -> None:
        """Number `characters` and the wording's, in code point order (so the numbering moves only when a new
        character joins), build and compress their subsets, encode the wording."""
        scratch = _Scratch()
        self.splitString("".join(sorted(set(characters).union(*wording))), scratch)
        state = self.state.pop(scratch)
        base = tuple(self._prepare_subset(index, codes) for index, codes in enumerate(state.subsets))
        assignments = dict(state.assignments)
        next_code = 256 * len(state.subsets)  # a character outside the base opens a new subset
        encoded = {}
        for text in wording:
            scratch = _Scratch()
            self.state[scratch] = self._state(assignments, base, next_code)
            encoded[text] = tuple((subset, escapePDF(codes)) for subset, codes in self.splitString(text, scratch))
            self.state.pop(scratch)
        self._base_assignments, self._base_next_code, self._encoded = assignments, next_code, encoded
        self._base = base  # last: the font counts as prepared from here on

    def _state(self, assignments: dict[int, int], base: tuple[_Prepared, ...], next_code: int) -> TTFont.State:
        state = TTFont.State(self._asciiReadable, self)
        state.assignments = dict(assignments)
        state.subsets = [list(prepared.codes) for prepared in base]
        state.nextCode = next_code
        return state

    def start(self, doc) -> None:
        """Begin `doc`'s numbering with the base subsets."""
        if not self._base:
            raise RuntimeError(f"{self.fontName} is not prepared")
        self.state[doc] = self._state(self._base_assignments, self._base, self._base_next_code)
        self._started.add(doc)

    def encode(self, text: str, doc) -> tuple[tuple[int, str], ...] | list[tuple[int, str]]:
        """`text` as (subset, escaped PDF string) runs in `doc` (which `start` began)."""
        encoded = self._encoded.get(text) if doc in self._started else None  # only `start`'s numbering fits
        if encoded is not None:
            return encoded
        return [(subset, escapePDF(codes)) for subset, codes in self.splitString(text, doc)]

    def addObjects(self, doc) -> None:
        """reportlab's `TTFont.addObjects`, writing the base subsets from what `prepare` made."""
        if doc not in self._started:
            return super().addObjects(doc)
        state = self.state[doc]
        state.frozen = 1
        font_dict = doc.idToObject["BasicFonts"].dict
        for index, codes in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(index, doc)[1:]
            prepared = self._base[index] if index < len(self._base) else None
            if prepared is None or tuple(codes) != prepared.codes:
                prepared = self._prepare_subset(index, codes)
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {index}"
            font.Name = internal_name
            font.BaseFont = prepared.base_font_name
            font.FirstChar = 0
            font.LastChar = len(prepared.codes) - 1
            font.Widths = prepared.widths
            cmap = pdfdoc.PDFStream(content=prepared.cmap)
            cmap.dictionary["Filter"] = _FLATE
            font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + prepared.base_font_name)
            font.FontDescriptor = self._descriptor(doc, prepared)
            doc.Reference(font, internal_name)
            font_dict[internal_name] = font
        del self.state[doc]

    def _prepare_subset(self, index: int, codes: list[int]) -> _Prepared:
        """A subset of this document only (characters outside the base), made as reportlab makes it."""
        name = (b"".join((SUBSETN(index), b"+", self.face.name, self.face.subfontNameX))).decode("pdfdoc")
        program = self.face.makeSubset(codes)
        return _Prepared(
            codes=tuple(codes),
            base_font_name=name,
            widths=_widths(self.face, codes),
            cmap=pdfdoc.PDFZCompress.encode(makeToUnicodeCMap(name, codes)),
            font_file=pdfdoc.PDFZCompress.encode(program),
            font_file_length=len(program),
        )

    def _descriptor(self, doc, prepared: _Prepared):
        """reportlab's `TTFontFace.addSubsetObjects` with the compressed font program given."""
        face = self.face
        font_file = pdfdoc.PDFStream(content=prepared.font_file)
        font_file.dictionary["Length1"] = prepared.font_file_length
        font_file.dictionary["Filter"] = _FLATE
        font_file_ref = doc.Reference(font_file, f"fontFile:{face.filename}({prepared.base_font_name})")
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,  # as reportlab sets them
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(prepared.base_font_name),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": font_file_ref,
                "MissingWidth": face.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + prepared.base_font_name)


def start_document(canvas, font_names: tuple[str, ...]) -> None:
    """Begin a certificate document: every font's base numbering, and its PDF names in a fixed order."""
    doc = canvas._doc
    for name in font_names:
        font = pdfmetrics.getFont(name)
        font.start(doc)
        font.getSubsetInternalName(0, doc)


@functools.lru_cache(maxsize=64)
def _fill(colour: tuple[float, float, float]) -> str:
    return f"{fp_str(*colour)} rg"


@functools.lru_cache(maxsize=256)  # sizes fitted to long names vary: bounded
def _metrics(size: float) -> str:
    return f"{fp_str(size)} Tf {fp_str(size * 1.2)} TL"  # reportlab's leading: 1.2 x the size


def draw_string(canvas, x: float, y: float, text: str, font_name: str, size: float, colour, char_space=0) -> None:
    """What `canvas.setFillColorRGB(*colour); canvas.setFont(font_name, size); canvas.drawString(x, y, text,
    charSpace=char_space)` writes, without reportlab's text object."""
    doc = canvas._doc
    font = pdfmetrics.getFont(font_name)
    parts = ["BT 1 0 0 1", fp_str(x, y), "Tm"]
    if char_space:
        parts += [fp_str(char_space), "Tc"]
    runs = []
    current = -1
    for subset, escaped in font.encode(text, doc):
        if subset != current:
            runs += [font.getSubsetInternalName(subset, doc), _metrics(size)]
            current = subset
        runs.append(f"({escaped}) Tj")
    parts.append(" ".join(runs) + " T*")
    if char_space:
        parts.append("0 Tc")
    parts.append("ET")
    code = canvas._code
    code.append(_fill(tuple(colour)))
    code.append(" ".join(parts))
