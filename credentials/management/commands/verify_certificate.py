"""Verify a certificate from its PDF, a scanned image, or the text its QR code holds.

    manage.py verify_certificate certificate.pdf              reads the QR (pypdfium2 render + zxing-cpp decode)
    manage.py verify_certificate "https://.../v/ID#TOKEN"     the text a scanner returned, or a bare id
    manage.py verify_certificate certificate.pdf --offline --jwks jwks.json [--catalogue qualifications.json]
                                                              checks only the signed token against a saved JWKS,
                                                              without the database (status cannot be seen offline)
    manage.py verify_certificate credential.json              a verifiable credential (/credentials/{id}) saved
    manage.py verify_certificate credential.json --did did.json --status-list revocation.json --status-list ...
                                                              the same, offline: the DID document and the status
                                                              lists saved as files (verification/credential_cli.py)

Offline, the qualification is what the token signs: its code (`q`). The token carries no title (dropped to keep
the QR small; ADR 0002), so the title comes from the public catalogue saved as a file (`GET /api/v1/qualifications`),
as the JWKS does for keys; without it the command prints the code and says where the title is.

Prints each check. Exits non-zero ("fails loudly") when any check fails: a token that does not verify, a key id
that is unknown, a key used outside its period, claims that differ from the database record, a revoked,
suspended or superseded certificate.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from credentials.choices import VerificationChannel
from credentials.signing import TokenError
from credentials.tokens import verify_certificate_token
from credentials.verification.credential_cli import add_credential_arguments, credential_file, verify_credential_file
from credentials.verification.events import Caller
from credentials.verification.parsing import VerificationInputError, parse_scanned_text
from credentials.verification.services import TOKEN_MESSAGES, verify_scanned

RENDER_SCALE = 4  # 288 dpi: a 35 mm QR code is ~400 px wide, plenty for zxing


def qr_texts_from_pdf(data: bytes) -> list[str]:
    """The verification QR codes of a certificate PDF (links to `/v/`): the transcript's small QR that leads a
    holder to their private page is not a certificate and is left out."""
    import pypdfium2
    import zxingcpp

    texts: list[str] = []
    pdf = pypdfium2.PdfDocument(data)
    try:
        for page in pdf:
            image = page.render(scale=RENDER_SCALE).to_pil()
            texts.extend(b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode))
    finally:
        pdf.close()
    return [text for text in texts if "/v/" in text]


def qr_texts_from_image(path: Path) -> list[str]:
    import zxingcpp
    from PIL import Image

    with Image.open(path) as image:
        return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def scanned_text(source: str) -> str:
    """The QR text from a PDF or image file, the content of a text file, or `source` itself."""
    path = Path(source)
    try:
        is_file = len(source) < 4096 and path.is_file()
    except (OSError, ValueError):
        is_file = False
    if not is_file:
        return source
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        texts = qr_texts_from_pdf(data)
    elif data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff":
        texts = qr_texts_from_image(path)
    else:
        return data.decode("utf-8", errors="replace").strip()
    if not texts:
        raise CommandError(f"no QR code found in {source}")
    return texts[0]


def _read_json(path: str, what: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read {what} {path}: {exc.__class__.__name__}") from exc


def catalogue_titles(data, lang: str = "en") -> dict[str, str]:
    """Qualification code -> title from a saved catalogue: `GET /api/v1/qualifications` (a page with `results`, or
    a list), rows with `code` and `title_en` / `title_sq` (or a `title` object by language)."""
    rows = data.get("results") if isinstance(data, dict) else data
    titles: dict[str, str] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("code"), str):
            continue
        by_lang = row.get("title") if isinstance(row.get("title"), dict) else {}
        title = row.get(f"title_{lang}") or by_lang.get(lang) or row.get("title_sq") or by_lang.get("sq")
        if isinstance(title, str) and title:
            titles[row["code"]] = title
    return titles


class Command(BaseCommand):
    help = "Verify a certificate from its PDF, an image of its QR code, or the scanned text; prints each check."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a PDF or image file, a text file, or the scanned text / id itself")
        parser.add_argument("--offline", action="store_true", help="check only the signed token, no database")
        parser.add_argument("--jwks", help="the registry's published JWKS (/.well-known/jwks.json) saved to a file")
        parser.add_argument(
            "--catalogue",
            help="offline: the public catalogue (/api/v1/qualifications) saved to a file, for the qualification title",
        )
        add_credential_arguments(parser)

    def line(self, check: str, result: str, message: str) -> None:
        style = {"ok": self.style.SUCCESS, "failed": self.style.ERROR}.get(result, self.style.WARNING)
        self.stdout.write(f"{check:<14} {style(result.upper()):<8} {message}")

    @translation.override("en")  # the services' messages (lazy translations) in English, like the rest
    def handle(self, *args, source: str, offline: bool, jwks: str | None, catalogue: str | None = None, **options):
        document = credential_file(source)
        if document is not None:
            if offline or jwks or catalogue:
                raise CommandError("a credential file is checked offline with --did and --status-list, not --jwks")
            return verify_credential_file(
                self, document, did=options.get("did"), status_lists=options.get("status_lists") or []
            )
        if options.get("did") or options.get("status_lists"):
            raise CommandError("--did and --status-list are for a verifiable credential file")
        text = scanned_text(source)
        if offline:
            return self.offline(text, jwks, catalogue)
        if jwks or catalogue:
            raise CommandError("--jwks and --catalogue are for --offline; online checks use this registry's own data")
        report = verify_scanned(text=text, caller=Caller(user_agent_family="cli"), channel=VerificationChannel.QR)
        if report.error is not None:
            raise CommandError(f"{report.error.code}: {report.error.message}")
        facts = report.public_facts()
        self.stdout.write(f"{facts['serial_number']}  {facts['holder_name']}")
        self.stdout.write(f"{facts['qualification']['title'].get('en')} (EQF {facts['qualification']['eqf_level']})")
        self.stdout.write(f"{facts['provider']['name']} / {facts['awarding_body']['name']}, {facts['awarded_on']}")
        for check in report.checks:
            self.line(check.name, check.result, check.message)
        if not report.valid:
            failed = ", ".join(c.code for c in report.checks if c.result == "failed")
            raise CommandError(f"NOT VALID: {failed}")
        self.stdout.write(self.style.SUCCESS("VALID. Compare the holder's name with their ID card."))

    def offline(self, text: str, jwks_path: str | None, catalogue_path: str | None = None) -> None:
        if not jwks_path:
            raise CommandError("--offline needs --jwks FILE (the registry's /.well-known/jwks.json, saved)")
        jwks = _read_json(jwks_path, "the JWKS")
        titles = catalogue_titles(_read_json(catalogue_path, "the catalogue")) if catalogue_path else {}
        try:
            scanned = parse_scanned_text(text)
        except VerificationInputError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        if not scanned.token:
            raise CommandError("token_missing: offline checking needs the signed token (the QR URL's #fragment)")
        try:
            claims = verify_certificate_token(scanned.token, jwks=jwks, verification_id=scanned.verification_id)
        except TokenError as exc:
            self.line("token", "failed", TOKEN_MESSAGES.get(exc.code, exc.code))
            raise CommandError(f"token_{exc.code}: {TOKEN_MESSAGES.get(exc.code, exc)}") from exc
        if claims.get("vid") != scanned.verification_id:
            self.line("token", "failed", TOKEN_MESSAGES["claims_mismatch"])
            raise CommandError("token_claims_mismatch: the token is for another verification id than its URL")
        self.stdout.write(f"{claims.get('sn')}  {claims.get('name')}")
        code = claims.get("q")
        title = titles.get(code)
        if title:
            self.stdout.write(f"{title} ({code}, EQF {claims.get('eqf')})")
        else:
            where = "not in the catalogue given" if catalogue_path else "pass --catalogue FILE for its title"
            self.stdout.write(f"Qualification {code} (EQF {claims.get('eqf')}); {where}")
        self.stdout.write(f"{claims.get('prov')} / {claims.get('ab')}, {claims.get('awd')}")
        self.line("token", "ok", "The signed token verifies against the JWKS, inside its key's period.")
        self.line("status", "skipped", "Offline: revocation and suspension cannot be seen without the registry.")
        self.stdout.write(
            self.style.SUCCESS("SIGNATURE VALID (offline). Compare the holder's name with their ID card.")
        )
