"""Certificate PDF budget (DESIGN.md): a cold render costs at most 1.3x a minimal reportlab page with the same
embedded fonts and the same QR; a repeated download is served from the cache. The render includes the PAdES seal
(credentials/pdf/seal.py, ADR 0013): every PDF the registry serves is sealed, so the budget counts it; the seal's
own share is printed beside the ratio.

    pdf.cold_render_vs_minimal_page  render=9.6 ms floor=7.9 ms ratio=1.22 budget=1.3 OK (qr encodes 0)
    pdf.cached_download_cpu_ms  median=1.9 cold_render=9.6 ratio=0.20 budget=0.5 OK (wall 4.0 ms)

Cold render: CPU time (time.process_time) of turning a certificate row into PDF bytes, certificate page and
transcript, sealed, cache bypassed: the median over 20 renders of realistic certificates (ten modules, Albanian and
Serbian names). The QR symbol is the one stored at issuance; the bench counts QR encodes while it measures and
reports them (0: a print never encodes the QR).

Floor, measured alternately with the render so both meet the same machine: the cheapest PDF with the same
costly ingredients, written the plainest way reportlab allows: one A4 page on a fresh canvas (same
compression and invariant mode), the holder's name and the serial number in the same embedded fonts (DejaVu
Sans and Sans Bold, subset and embedded), and the same QR symbol, read from its stored bits and filled as one
path of module runs. It is what any certificate PDF costs before it says anything.

Cached download: CPU time of `GET /api/v1/certificates/{id}/pdf` through the whole Django stack (token auth,
scoped lookup, cache hit) once the render is cached, the median of 100 after 30 not counted (Python's adaptive
interpreter and the caches warm up over the first answers, which cost up to twice as much, as the renders before
them were also warm); it must cost well under a render. Both are CPU times so
the ratios hold on a busy machine; the download's wall time is printed alongside.

Runs alone with `python -m bench.pdf` (PostgreSQL from DATABASE_URL): it creates its own data inside a
transaction that is rolled back, with a throwaway signing key and seal certificate (ECDSA P-256, as
`ensure_signing_key` makes), so it leaves nothing behind.
"""

from __future__ import annotations

import io
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable

COLD_RATIO_BUDGET = 1.3
CACHED_RATIO_BUDGET = 0.5
RENDERS = 20
WARM_DOWNLOADS = 30
DOWNLOADS = 100

NAMES = [
    ("Đorđe", "Čolić"),
    ("Ђорђе", "Јовановић"),
    ("Arbëreshë", "Gjergjaj"),
    ("Shpëtim", "Çeku"),
    ("Zoë", "Krasniqi-Shala"),
]
MODULES = [
    ("Hyrje në arsimin gjithëpërfshirës", "Introduction to inclusive education", 60, 0),
    ("Zhvillimi i fëmijës dhe nevojat e veçanta arsimore", "Child development and SEN", 80, 0),
    ("Plani individual i arsimit", "Individual education plan", 60, 60),
    ("Komunikimi alternativ dhe augmentativ", "Augmentative and alternative communication", 60, 60),
    ("Mbështetja e sjelljes pozitive", "Positive behaviour support", 60, 60),
    ("Bashkëpunimi me familjen", "Working with families", 60, 60),
    ("Teknologjia ndihmëse", "Assistive technology", 60, 60),
    ("Etika, mbrojtja e fëmijës dhe privatësia", "Ethics, child protection and privacy", 100, 0),
    ("Praktika e mbikëqyrur në shkollë", "Supervised school placement", 0, 300),
    ("Mentorimi në familje", "Family mentoring", 60, 0),
]


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _certificates(count: int) -> list:
    """Realistic certificates: a ten-module curriculum of 600 + 600 hours, names with every diacritic."""
    from registry.choices import ModuleKind
    from tests import factories

    qualification = factories.QualificationFactory(code="BENCH-L5-SEN", serial_prefix="BENCH-L5")
    curriculum = factories.CurriculumFactory(qualification=qualification, modules=False)
    for order, (title, title_en, theory, practice) in enumerate(MODULES, start=1):
        kind = ModuleKind.MIXED if theory and practice else (ModuleKind.THEORY if theory else ModuleKind.PRACTICE)
        factories.CurriculumModuleFactory(
            curriculum=curriculum,
            code=f"M{order:02d}",
            title=title,
            title_en=title_en,
            kind=kind,
            hours_theory=theory,
            hours_practice=practice,
            credits=12,
            order=order,
        )
    provider = factories.OrganisationFactory(name="Qendra Profesionale për Gjithëpërfshirje", short_name="QPGJ")
    cohort = factories.CohortFactory(provider=provider, curriculum=curriculum)
    certificates = []
    for index in range(count):
        given, family = NAMES[index % len(NAMES)]
        enrolment = factories.issuable_enrolment(
            provider=provider,
            curriculum=curriculum,
            cohort=cohort,
            learner__given_name=given,
            learner__family_name=family,
        )
        certificates.append(factories.CertificateFactory(enrolment=enrolment))
    return certificates


def _minimal_page(symbol: bytes, name: str, serial: str) -> bytes:
    """The floor: one page, the same embedded fonts, the same QR symbol (see the module docstring)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setFont("DejaVuSans-Bold", 20)
    canvas.drawString(72, 760, name)
    canvas.setFont("DejaVuSans", 10)
    canvas.drawString(72, 744, serial)
    width = symbol[0]
    bits = format(int.from_bytes(symbol[1:], "big"), f"0{8 * (len(symbol) - 1)}b")
    module = 113.4 / width  # 40 mm
    ops = [f"q 0 g {module:.4f} 0 0 {-module:.4f} 400 200 cm"]
    for row in range(width):
        for run in re.finditer("1+", bits[row * width : (row + 1) * width]):
            ops.append(f"{run.start()} {row} {run.end() - run.start()} 1 re")
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _measure(report: Callable[[str], None]) -> list[dict]:
    from django.core.cache import cache
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from credentials import tokens
    from credentials.pdf import qr
    from credentials.pdf.documents import certificate_pdf, certificate_print, pdf_cache_key
    from credentials.pdf.render import register_fonts, render_certificate_pdf
    from tests import factories

    certificates = _certificates(5)
    register_fonts()
    render_certificate_pdf(certificate_print(certificates[0]), lang="sq")  # fonts parsed, modules imported
    _minimal_page(bytes(certificates[0].qr_symbol), "warm", "up")

    encodes = 0
    encode = qr.encode_symbol

    def counted(text: str) -> bytes:
        nonlocal encodes
        encodes += 1
        return encode(text)

    qr.encode_symbol = tokens.encode_symbol = counted
    cold, floor = [], []
    try:
        for index in range(RENDERS):
            certificate = certificates[index % len(certificates)]
            started = time.process_time()
            render_certificate_pdf(certificate_print(certificate), lang="sq")
            cold.append(time.process_time() - started)
            started = time.process_time()
            _minimal_page(bytes(certificate.qr_symbol), certificate.holder_name, certificate.serial_number)
            floor.append(time.process_time() - started)
    finally:
        qr.encode_symbol = tokens.encode_symbol = encode
    cold_ms, floor_ms = _median_ms(cold), _median_ms(floor)

    # The seal's share of the render: each render again with and without the seal's objects and signature,
    # alternately; the median of the differences.
    from credentials.pdf import render as render_module

    real = render_module.begin_seal, render_module.finish_seal
    seals = []
    try:
        for index in range(RENDERS):
            item = certificate_print(certificates[index % len(certificates)])
            render_module.begin_seal, render_module.finish_seal = real
            started = time.process_time()
            render_certificate_pdf(item, lang="sq")
            sealed = time.process_time() - started
            render_module.begin_seal, render_module.finish_seal = (lambda canvas, **kwargs: None), (lambda pdf, *_: pdf)
            started = time.process_time()
            render_certificate_pdf(item, lang="sq")
            seals.append(sealed - (time.process_time() - started))
    finally:
        render_module.begin_seal, render_module.finish_seal = real
    seal_ms = _median_ms(seals)

    certificate = certificates[0]
    user = factories.UserFactory(organisation=certificate.provider)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    url = f"/api/v1/certificates/{certificate.pk}/pdf"
    keys = [pdf_cache_key(c, "sq") for c in certificates]
    try:
        first = client.get(url)
        assert first.status_code == 200, first.status_code
        assert cache.get(keys[0]) == first.content, "the first download did not fill the cache"
        for _ in range(WARM_DOWNLOADS):  # a worker's steady state (the first answers run 2x slower), not its start
            client.get(url)
        downloads, walls = [], []
        for _ in range(DOWNLOADS):
            started, started_wall = time.process_time(), time.perf_counter()
            response = client.get(url)
            downloads.append(time.process_time() - started)
            walls.append(time.perf_counter() - started_wall)
            assert response.content == first.content
        assert certificate_pdf(certificate) == first.content
    finally:
        cache.delete_many(keys)
    cached_ms, wall_ms = _median_ms(downloads), _median_ms(walls)

    cold_ratio = cold_ms / floor_ms
    cold_ok = cold_ratio <= COLD_RATIO_BUDGET and encodes == 0
    cached_ratio = cached_ms / cold_ms
    cached_ok = cached_ratio <= CACHED_RATIO_BUDGET
    report(
        f"pdf.cold_render_vs_minimal_page  render={cold_ms:.1f} ms floor={floor_ms:.1f} ms ratio={cold_ratio:.2f} "
        f"budget={COLD_RATIO_BUDGET:g} {'OK' if cold_ok else 'OVER'} (qr encodes {encodes}; "
        f"of the render, the seal {seal_ms:.1f} ms)"
    )
    report(
        f"pdf.cached_download_cpu_ms  median={cached_ms:.1f} cold_render={cold_ms:.1f} "
        f"ratio={cached_ratio:.2f} budget={CACHED_RATIO_BUDGET:g} {'OK' if cached_ok else 'OVER'} "
        f"(wall {wall_ms:.1f} ms)"
    )
    return [
        {
            "name": "pdf.cold_render_vs_minimal_page",
            "median": cold_ms,
            "floor": floor_ms,
            "ratio": cold_ratio,
            "budget": COLD_RATIO_BUDGET,
            "qr_encodes": encodes,
            "seal_ms": seal_ms,
            "ok": cold_ok,
        },
        {
            "name": "pdf.cached_download_cpu_ms",
            "median": cached_ms,
            "wall_median": wall_ms,
            "ratio": cached_ratio,
            "budget": CACHED_RATIO_BUDGET,
            "ok": cached_ok,
        },
    ]


def run(report: Callable[[str], None] = print) -> list[dict]:
    """Measure, call `report` with one line per measurement, and return the results (`ok` per budget).

    Everything it creates is rolled back; the signing key is a throwaway one in a temporary directory.
    """
    from django.db import transaction
    from django.test.utils import override_settings

    from credentials.pdf.seal import ensure_development_seal
    from credentials.signing import generate_signing_key

    no_seal = dict.fromkeys(
        ["SEAL_CERTIFICATE_FILE", "SEAL_PRIVATE_KEY_FILE", "SEAL_CERTIFICATE_PEM", "SEAL_PRIVATE_KEY_PEM"], ""
    )
    with (
        tempfile.TemporaryDirectory(prefix="bench-pdf-keys-") as keys_dir,
        override_settings(
            SIGNING_KEYS_DIR=keys_dir,
            SIGNING_PRIVATE_KEY_PEM="",
            SIGNING_PRIVATE_KEY_FILE="",
            SIGNING_KEY_ID="",
            SEAL_CHAIN_FILE="",
            **no_seal,
        ),
    ):
        generate_signing_key()
        ensure_development_seal()
        with transaction.atomic():
            results = _measure(report)
            transaction.set_rollback(True)
    return results


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        print("bench.pdf needs PostgreSQL: set DATABASE_URL")
        return 2
    call_command("migrate", verbosity=0, interactive=False)
    results = run(print)
    return 0 if all(result["ok"] for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
