"""A sample certificate for looking at the layout: `python -m credentials.pdf.sample [out.pdf] [--png out.png]`.

It renders a made-up certificate shaped like the demo's OCN London diploma (with the ministry's
equivalency) from a fixed snapshot, so layout changes can be checked by eye without a database. The QR
holds a realistic-length URL (an unsigned stand-in token of the real one's size). `--png` writes page 1 at
150 dpi with pypdfium2 (in the dev extra); docs/img/certificate-sample.png is made this way.
"""

from __future__ import annotations

import argparse
import base64
import os
from pathlib import Path

import django

from credentials.pdf.labels import SUPPORTED_LANGUAGES
from credentials.pdf.render import CertificatePrint, render_certificate_pdf
from credentials.tokens import compact_body

SAMPLE_SNAPSHOT = {
    "schema": "kqr-certificate/1",
    "serial_number": "L5-SEN-OCN-2026-000123",
    "verification_id": "7M3QK2XW9TDR4HB6NPZ8YC1VJ0",
    "holder": {"given_name": "Đorđe", "family_name": "Čolić", "full_name": "Đorđe Čolić"},
    "qualification": {
        "code": "OCN-L5-SEN",
        "title": {
            "sq": "Asistent për fëmijë/nxënës me nevoja të veçanta arsimore",
            "sr": "Asistent za decu/učenike sa posebnim obrazovnim potrebama",
            "en": "OCN London Level 5 Diploma for Assistants of Children/Pupils with Special Educational Needs",
        },
        "type": "vocational",
        "nqf_level": 5,
        "eqf_level": 5,
        "credits": 120,
        "hours_theory": 600,
        "hours_practice": 600,
    },
    "curriculum": {"version": "2024.1", "delivery_mode": "hybrid"},
    "cohort": {"code": "QPGJ-07"},
    "provider": {
        "slug": "qpgj",
        "name": "Qendra Profesionale për Gjithëpërfshirje",
        "short_name": "QPGJ",
        "country": "XK",
        "signatory": {"name": "", "title": "Drejtor/e ekzekutiv/e"},
    },
    "awarding_body": {
        "slug": "ocn-london",
        "name": "OCN London",
        "short_name": "OCN",
        "country": "GB",
        "signatory": {"name": "", "title": "Responsible Officer"},
    },
    "accreditation": {
        "decision_number": "OCN-ACC-2024-0042",
        "agent": {"slug": "ocn-london", "name": "OCN London", "short_name": "OCN", "country": "GB"},
        "valid_from": "2024-01-15",
        "valid_until": "2027-01-14",
    },
    "equivalency": {
        "decision_number": "MESTI-EQ-2024-017",
        "decided_on": "2024-03-01",
        "decided_by": {
            "slug": "mesti",
            "name": "Ministria e Arsimit, Shkencës, Teknologjisë dhe Inovacionit",
            "short_name": "MASHTI",
            "country": "XK",
        },
        "equivalent_to": {
            "code": "NQA-L5-SEN",
            "title": {
                "sq": "Asistent për fëmijë/nxënës me nevoja të veçanta arsimore",
                "sr": "Asistent za decu/učenike sa posebnim obrazovnim potrebama",
                "en": "Assistant for children/pupils with special educational needs",
            },
        },
    },
    "modules": [
        {
            "code": f"M{order:02d}",
            "title": title,
            "title_en": title_en,
            "kind": kind,
            "mandatory": order != 11,
            "hours_theory": theory,
            "hours_practice": practice,
            "credits": 12 if order != 11 else 4,
            "outcome": "pass",
        }
        for order, (title, title_en, kind, theory, practice) in enumerate(
            [
                ("Hyrje në arsimin gjithëpërfshirës", "Introduction to inclusive education", "theory", 60, 0),
                (
                    "Zhvillimi i fëmijës dhe nevojat e veçanta arsimore",
                    "Child development and special educational needs",
                    "theory",
                    80,
                    0,
                ),
                ("Plani individual i arsimit (PIA)", "Individual education plan (IEP)", "mixed", 60, 60),
                (
                    "Komunikimi alternativ dhe augmentativ",
                    "Augmentative and alternative communication",
                    "mixed",
                    60,
                    60,
                ),
                ("Mbështetja e sjelljes pozitive", "Positive behaviour support", "mixed", 60, 60),
                ("Bashkëpunimi me familjen", "Working with families", "mixed", 60, 60),
                ("Teknologjia ndihmëse", "Assistive technology", "mixed", 60, 60),
                ("Etika, mbrojtja e fëmijës dhe privatësia", "Ethics, child protection and privacy", "theory", 100, 0),
                ("Praktika e mbikëqyrur në shkollë", "Supervised school placement", "practice", 0, 300),
                ("Mentorimi në familje", "Family mentoring", "mixed", 60, 0),
                ("Gjuha e shenjave: hyrje", "Sign language: an introduction", "mixed", 20, 20),
            ],
            start=1,
        )
    ],
    "awarded_on": "2026-06-01",
    "issued_on": "2026-06-02",
}
SAMPLE_BASE_URL = "https://registry.example.org"


def sample_url(snapshot: dict = SAMPLE_SNAPSHOT) -> str:
    """A URL of the real one's shape and length (a compact token, ADR 0017); not signed (64 zero bytes)."""
    claims = {
        "sn": snapshot["serial_number"],
        "name": snapshot["holder"]["full_name"],
        "q": snapshot["qualification"]["code"],
        "eqf": snapshot["qualification"]["eqf_level"],
        "prov": snapshot["provider"]["short_name"],
        "ab": snapshot["awarding_body"]["short_name"],
        "awd": snapshot["awarded_on"],
        "iat": 1780380000,
    }
    token = base64.b32encode(compact_body(claims, "2606-5a3f1c") + bytes(64)).decode().rstrip("=")
    return f"{SAMPLE_BASE_URL}/v/{snapshot['verification_id']}#{token}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="certificate-sample.pdf")
    parser.add_argument("--lang", default="sq", choices=SUPPORTED_LANGUAGES)
    parser.add_argument("--status", default="valid", choices=["valid", "suspended", "revoked", "superseded"])
    parser.add_argument("--png", help="also write page 1 as a PNG at 150 dpi (needs pypdfium2)")
    args = parser.parse_args(argv)
    # The printed words come from the gettext catalogues (credentials/pdf/labels.py): Django's settings are needed.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    pdf = render_certificate_pdf(
        CertificatePrint(snapshot=SAMPLE_SNAPSHOT, status=args.status, verification_url=sample_url()), lang=args.lang
    )
    Path(args.out).write_bytes(pdf)
    if args.png:
        import pypdfium2 as pdfium

        pdfium.PdfDocument(pdf)[0].render(scale=150 / 72).to_pil().save(args.png, optimize=True)


if __name__ == "__main__":
    main()
