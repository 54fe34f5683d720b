"""The certificate's text path (credentials/pdf/typeset.py, ADR 0024): strings written as reportlab's own
drawString writes them, and the fonts' base subsets shared by every certificate document, a further subset made
only for characters outside them."""

from __future__ import annotations

import copy
import io

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from credentials.pdf import sample
from credentials.pdf.render import BOLD, REGULAR, CertificatePrint, prepare_fonts, render_certificate_pdf
from credentials.pdf.typeset import draw_string, start_document

STRINGS = [
    ("Đorđe Čolić", BOLD, 26, (0.1, 0.1, 0.12), 0),
    ("Ђорђе Јовановић (ID) \\ 100%", REGULAR, 9.3, (0.4, 0.42, 0.46), 0),
    ("CERTIFIKATË", BOLD, 30, (0.07, 0.19, 0.38), 4),  # printed wording (sq)
    ("Регистар", REGULAR, 8.5, (0.1, 0.1, 0.12), 0),
    ("", REGULAR, 7, (0, 0, 0), 0),
    ("Łukasz Ωμέγα 日本", REGULAR, 6.2, (0.75, 0.08, 0.08), 1.5),
]


@pytest.mark.parametrize("started", [True, False], ids=["certificate document", "any other document"])
def test_draw_string_writes_what_reportlab_drawstring_writes(started):
    prepare_fonts()
    theirs = Canvas(io.BytesIO(), pagesize=A4, invariant=1)
    ours = Canvas(io.BytesIO(), pagesize=A4, invariant=1)
    if started:  # the base numbering, and the wording's encodings made in advance
        start_document(theirs, (REGULAR, BOLD))
        start_document(ours, (REGULAR, BOLD))
    for index, (text, font, size, colour, char_space) in enumerate(STRINGS):
        x, y = 50 + index * 3.3, 700 - index * 17.7
        theirs.setFillColorRGB(*colour)
        theirs.setFont(font, size)
        theirs.drawString(x, y, text, charSpace=char_space)
        draw_string(ours, x, y, text, font, size, colour, char_space)

    assert ours._code == theirs._code


def print_of(name: str) -> CertificatePrint:
    snapshot = copy.deepcopy(sample.SAMPLE_SNAPSHOT)
    snapshot["holder"]["full_name"] = name
    return CertificatePrint(snapshot=snapshot, status="valid", verification_url=sample.sample_url())


def count_font_programs(monkeypatch) -> list[str]:
    made = []
    for name in (REGULAR, BOLD):
        face = pdfmetrics.getFont(name).face
        original = face.makeSubset
        monkeypatch.setattr(face, "makeSubset", lambda codes, o=original, n=name: made.append(n) or o(codes))
    return made


def test_a_certificate_in_the_base_alphabets_embeds_the_shared_subsets_only(monkeypatch):
    render_certificate_pdf(print_of("warm up"), lang="sq")  # the base subsets are made once per process
    made = count_font_programs(monkeypatch)

    pdf = render_certificate_pdf(print_of("Arbëreshë Çeku-Đorđević Ђурђевић"), lang="sr-Cyrl")

    assert made == []
    assert "Arbëreshë Çeku-Đorđević Ђурђевић" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_a_letter_outside_the_base_gets_a_subset_of_its_own_and_prints(monkeypatch):
    render_certificate_pdf(print_of("warm up"), lang="sq")
    made = count_font_programs(monkeypatch)

    pdf = render_certificate_pdf(print_of("Łukasz Ωμέγα"), lang="sq")

    assert made == [BOLD]  # the name is bold on page 1 and on the transcript; nothing else needs a new glyph
    assert "Łukasz Ωμέγα" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
