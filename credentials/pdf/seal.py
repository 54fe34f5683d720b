"""The registry's seal on every certificate PDF: a PAdES baseline (B-B) signature, see ADR 0013 and ADR 0024.

A standard PDF reader shows the document as signed by the registry's seal certificate, and any change to a
signed byte breaks the signature. It is a certification signature that allows no changes (DocMDP P=1), so a
reader also flags anything appended later.

The seal is made in the same write as the document (ADR 0024): `begin_seal` gives reportlab's document the
signature dictionary (with room for its /ByteRange and /Contents, and /M), the signature field (an invisible
widget on page 1) in the AcroForm, the certification in /Perms, and the catalog's /Version and /Extensions as
pyHanko's signer declares them; `finish_seal` fills the byte range in the saved bytes, digests it and writes
the CMS. (pyHanko used to read the saved PDF back and append an incremental update: ~2 ms of a ~6 ms render.)
The CMS container is assembled here from DER parts prepared once per seal certificate: the signed attributes
(content type, message digest, ESS signing-certificate-v2, no signing time, as PAdES B-B asks), one
signature, the certificate chain. Building the same container with pyHanko's generic CMS code (asn1crypto
objects) cost ~11 ms per PDF, more than the whole render; this costs a few hundred microseconds. pyHanko's
validator and poppler's pdfsig check the result in the tests.

Reproducible: the same input gives the same bytes. The signing time (/M) is the certificate's issue date
(the date the PDF's CreationDate already carries), or the seal certificate's first day of validity when the
certificate was issued before it (after a rotation); the signature is deterministic (RSA PKCS#1 v1.5, or
ECDSA with RFC 6979 nonces); the document /ID is reportlab's invariant one.

Where the key and certificate come from (settings, from the environment; docs/deploy.md):
- `SEAL_CERTIFICATE_FILE` and `SEAL_PRIVATE_KEY_FILE` (PEM paths), or `SEAL_CERTIFICATE_PEM` and
  `SEAL_PRIVATE_KEY_PEM` (PEM text, for secret stores), with `SEAL_CHAIN_FILE` for intermediate certificates;
- otherwise `seal-certificate.pem` and `seal-key.pem` in `SIGNING_KEYS_DIR`, the self-signed pair that
  `manage.py ensure_signing_key` makes for development.
The private key is never logged, printed or put in an exception message.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from reportlab.pdfbase.pdfdoc import PDFArray, PDFCatalog, PDFDictionary, PDFObject

SEAL_CERTIFICATE_NAME = "seal-certificate.pem"
SEAL_KEY_NAME = "seal-key.pem"
FIELD_NAME = "RegistrySeal"
DEV_COMMON_NAME = "Kosovo Credential Registry seal (development, self-signed)"


class SealError(Exception):
    """The seal is misconfigured: no certificate or key, one that cannot be read, a pair that does not match."""


# --- DER, just what the CMS container needs ------------------------------------------------------------


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(length))) + length + content


def _seq(*parts: bytes) -> bytes:
    return _der(0x30, b"".join(parts))


def _set_of(*parts: bytes) -> bytes:
    return _der(0x31, b"".join(sorted(parts)))  # DER orders a SET OF by the elements' encodings


def _oid(dotted: str) -> bytes:
    numbers = [int(n) for n in dotted.split(".")]
    body = bytearray([40 * numbers[0] + numbers[1]])
    for number in numbers[2:]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        body.extend(reversed(chunk))
    return _der(0x06, bytes(body))


def _int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def _octets(data: bytes) -> bytes:
    return _der(0x04, data)


OID_SIGNED_DATA = _oid("1.2.840.113549.1.7.2")
OID_DATA = _oid("1.2.840.113549.1.7.1")
OID_CONTENT_TYPE = _oid("1.2.840.113549.1.9.3")
OID_MESSAGE_DIGEST = _oid("1.2.840.113549.1.9.4")
OID_SIGNING_CERTIFICATE_V2 = _oid("1.2.840.113549.1.9.16.2.47")
SHA256 = _seq(_oid("2.16.840.1.101.3.4.2.1"))  # parameters absent, as RFC 5754 prefers
ECDSA_SHA256 = _seq(_oid("1.2.840.10045.4.3.2"))
RSA_SHA256 = _seq(_oid("1.2.840.113549.1.1.11"), b"\x05\x00")


# --- the seal's key material ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Seal:
    """A loaded seal: the signer's certificate (and chain) and key, with the constant DER parts of the CMS."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = field(repr=False)
    signature_algorithm: bytes
    signer_id: bytes  # IssuerAndSerialNumber
    certificates: bytes  # [0] IMPLICIT SET OF Certificate: the signer's first, then the chain
    fixed_attributes: tuple[bytes, ...]  # content type and ESS signing-certificate-v2
    bytes_reserved: int  # hex digits of /Contents

    @functools.cached_property
    def catalog_additions(self) -> tuple[str, bytes]:
        """The document catalog's /Version and /Extensions for a PAdES signature by this key, as pyHanko's signer
        declares them: the ESIC extension (PAdES structures in PDF 1.7), and PDF 2.0 with ISO/TS 32002 for ECDSA
        on the curves it covers. Taken from pyHanko's own definitions, written once per seal."""
        from pyhanko.pdf_utils import generic
        from pyhanko.sign.signers import constants

        extensions = generic.DictionaryObject({generic.pdf_name("/ESIC"): constants.ESIC_EXTENSION_1.as_pdf_object()})
        version = "/1.7"
        if isinstance(self.key, ec.EllipticCurvePrivateKey) and self.key.curve.name in constants.ISO32002_CURVE_NAMES:
            extensions[generic.pdf_name("/ISO_")] = generic.ArrayObject([constants.ISO32002.as_pdf_object()])
            version = "/2.0"
        out = io.BytesIO()
        extensions.write_to_stream(out, None)
        return version, out.getvalue()

    @property
    def not_before(self) -> datetime.datetime:
        return self.certificate.not_valid_before_utc

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))

    def cms(self, document_digest: bytes) -> bytes:
        """The detached CMS SignedData (DER) over a byte range whose SHA-256 is `document_digest`."""
        digest_attribute = _seq(OID_MESSAGE_DIGEST, _set_of(_octets(document_digest)))
        attributes = _set_of(*self.fixed_attributes, digest_attribute)  # what is signed: tagged as a SET
        signer_info = _seq(
            _int(1),
            self.signer_id,
            SHA256,
            b"\xa0" + attributes[1:],  # [0] IMPLICIT: the same bytes under another tag
            self.signature_algorithm,
            _octets(self.sign(attributes)),
        )
        signed_data = _seq(_int(1), _set_of(SHA256), _seq(OID_DATA), self.certificates, _set_of(signer_info))
        return _seq(OID_SIGNED_DATA, _der(0xA0, signed_data))


def _build(certificate: x509.Certificate, key, chain: tuple[x509.Certificate, ...]) -> Seal:
    if isinstance(key, rsa.RSAPrivateKey):
        algorithm = RSA_SHA256
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        algorithm = ECDSA_SHA256
    else:
        raise SealError("the seal key must be an RSA or an elliptic-curve (ECDSA) key")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != certificate.public_key().public_bytes(
        serialization.Encoding.DER, public
    ):
        raise SealError("the seal key does not belong to the seal certificate")
    der = certificate.public_bytes(serialization.Encoding.DER)
    issuer = certificate.issuer.public_bytes()
    serial = _int(certificate.serial_number)
    ess_cert_id = _seq(_octets(hashlib.sha256(der).digest()), _seq(_seq(_der(0xA4, issuer)), serial))
    signing_certificate = _seq(OID_SIGNING_CERTIFICATE_V2, _set_of(_seq(_seq(ess_cert_id))))
    content_type = _seq(OID_CONTENT_TYPE, _set_of(OID_DATA))
    all_der = [der, *(c.public_bytes(serialization.Encoding.DER) for c in chain)]
    return Seal(
        certificate=certificate,
        chain=chain,
        key=key,
        signature_algorithm=algorithm,
        signer_id=_seq(issuer, serial),
        certificates=_der(0xA0, b"".join(all_der)),
        fixed_attributes=(content_type, signing_certificate),
        # hex digits reserved in /Contents: attributes, ids and even a 4096-bit RSA signature fit in 1 kB
        bytes_reserved=2 * (sum(map(len, all_der)) + 1024),
    )


def _dev_paths() -> tuple[Path, Path]:
    directory = Path(settings.SIGNING_KEYS_DIR)
    return directory / SEAL_CERTIFICATE_NAME, directory / SEAL_KEY_NAME


def _config() -> tuple[str, str, str, str, str]:
    return tuple(
        getattr(settings, name, "") or ""
        for name in (
            "SEAL_CERTIFICATE_PEM",
            "SEAL_PRIVATE_KEY_PEM",
            "SEAL_CERTIFICATE_FILE",
            "SEAL_PRIVATE_KEY_FILE",
            "SEAL_CHAIN_FILE",
        )
    )


def is_configured() -> bool:
    """Whether the environment names a seal (else the development pair in SIGNING_KEYS_DIR is used)."""
    cert_pem, key_pem, cert_file, key_file, _ = _config()
    return bool((cert_pem and key_pem) or (cert_file and key_file))


def _read(path: str | Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SealError(f"cannot read the seal {what} {path}: {exc.__class__.__name__}") from exc


def _sources() -> tuple[bytes, bytes, bytes, tuple]:
    cert_pem, key_pem, cert_file, key_file, chain_file = _config()
    chain = _read(chain_file, "chain") if chain_file else b""
    if cert_pem and key_pem:
        return cert_pem.encode(), key_pem.encode(), chain, ("env", cert_pem, key_pem, chain_file)
    if cert_file and key_file:
        version = tuple(_stat(p) for p in (cert_file, key_file, chain_file))
        return _read(cert_file, "certificate"), _read(key_file, "key"), chain, ("files", cert_file, key_file, version)
    cert_path, key_path = _dev_paths()
    if not cert_path.exists() or not key_path.exists():
        raise SealError(
            f"no seal certificate: set SEAL_CERTIFICATE_FILE and SEAL_PRIVATE_KEY_FILE, or run "
            f"`manage.py ensure_signing_key` to make a development one in {cert_path.parent}"
        )
    version = (_stat(cert_path), _stat(key_path))
    return _read(cert_path, "certificate"), _read(key_path, "key"), chain, ("dev", str(cert_path), version)


def _stat(path) -> tuple | None:
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ino, st.st_size)


_cache: dict[tuple, Seal] = {}
_lock = threading.Lock()


def load_seal() -> Seal:
    """The seal in use, loaded once per configuration (a replaced file is read again)."""
    cert_pem, key_pem, chain_pem, cache_key = _sources()
    with _lock:
        seal = _cache.get(cache_key)
    if seal is not None:
        return seal
    try:
        certificate = x509.load_pem_x509_certificate(cert_pem)
        chain = tuple(x509.load_pem_x509_certificates(chain_pem)) if chain_pem else ()
    except ValueError as exc:
        raise SealError("cannot read the seal certificate (PEM expected)") from exc
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:  # never include the PEM itself in the message
        raise SealError("cannot load the seal's private key (unencrypted PEM expected)") from exc
    seal = _build(certificate, key, chain)
    with _lock:
        _cache.clear()  # one configuration at a time
        _cache[cache_key] = seal
    return seal


# --- sealing ---------------------------------------------------------------------------------------------


def signing_time(issued_on: datetime.date, seal: Seal) -> datetime.datetime:
    """The /M of the signature: the issue date (midnight UTC), never before the seal certificate's validity."""
    issued = datetime.datetime(issued_on.year, issued_on.month, issued_on.day, tzinfo=datetime.UTC)
    return max(issued, seal.not_before)


_BYTE_RANGE = b"[0 0000000000 0000000000 0000000000]"  # filled in place, padded with spaces
_SIGNATURE_ID = "RegistrySealSignature"  # the signature dictionary's name among reportlab's objects


class _Literal(PDFObject):
    """A direct object written exactly as given."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document) -> bytes:
        return self.data


def begin_seal(canvas, *, issued_on: datetime.date, seal: Seal | None = None) -> Seal:
    """Put the seal's objects into the document `canvas` is drawing, on its first page, before it is saved: the
    signature dictionary with room for its /ByteRange and /Contents, its field (an invisible widget on page 1)
    in the AcroForm, and the certification (DocMDP, no changes allowed) in the catalog's /Perms. `finish_seal`
    fills them in the saved bytes."""
    seal = seal or load_seal()
    doc = canvas._doc
    moment = signing_time(issued_on, seal)
    signature = doc.Reference(
        PDFDictionary(
            {
                "Type": "/Sig",
                "Filter": "/Adobe.PPKLite",
                "SubFilter": "/ETSI.CAdES.detached",
                "M": _Literal(f"(D\\072{moment:%Y%m%d%H%M%S}Z)".encode()),
                "Reference": PDFArray(
                    [
                        PDFDictionary(
                            {
                                "Type": "/SigRef",
                                "TransformMethod": "/DocMDP",
                                "TransformParams": PDFDictionary({"Type": "/TransformParams", "V": "/1.2", "P": 1}),
                            }
                        )
                    ]
                ),
                "ByteRange": _Literal(_BYTE_RANGE),
                "Contents": _Literal(b"<" + b"0" * seal.bytes_reserved + b">"),
            }
        ),
        _SIGNATURE_ID,
    )
    canvas._addAnnotation(
        PDFDictionary(
            {
                "Type": "/Annot",
                "Subtype": "/Widget",
                "FT": "/Sig",
                "T": _Literal(f"({FIELD_NAME})".encode()),
                "F": 132,  # print, locked
                "Rect": PDFArray([0, 0, 0, 0]),
                "P": doc.thisPageRef(),
                "V": signature,
            }
        ),
        FIELD_NAME,
    )
    catalog = doc.Catalog
    version, extensions = seal.catalog_additions
    catalog.AcroForm = PDFDictionary({"Fields": PDFArray([doc.refAnnotation(FIELD_NAME)]), "SigFlags": 3})
    catalog.Perms = PDFDictionary({"DocMDP": signature})
    catalog.Extensions = _Literal(extensions)
    catalog.Version = version
    # reportlab writes the catalog entries it lists; these three are added (written direct, not as references).
    setattr(catalog, "__NoDefault__", [*PDFCatalog.__NoDefault__, "Perms", "Extensions", "Version"])  # noqa: B010
    return seal


def finish_seal(pdf: bytes, seal: Seal, canvas) -> bytes:
    """The document `begin_seal` prepared, saved by `canvas` as `pdf`, with its signature: the /ByteRange
    (everything but the /Contents hex string), then the CMS over the SHA-256 of those bytes in /Contents.

    The placeholders are looked for in the signature dictionary's own object, at the offset reportlab wrote it
    (its cross-reference entry), never in text a certificate carries (a name, a title)."""
    begin = canvas._doc.idToOffset[_SIGNATURE_ID]
    end_of_object = pdf.index(b"endobj", begin)
    at = pdf.find(b"/ByteRange " + _BYTE_RANGE, begin, end_of_object)
    placeholder = b"<" + b"0" * seal.bytes_reserved + b">"
    start = pdf.find(placeholder, begin, end_of_object)
    if at < 0 or start < at:
        raise SealError("the PDF's signature dictionary has no placeholders to fill")
    end = start + len(placeholder)
    byte_range = f"[0 {start} {end} {len(pdf) - end}]".encode().ljust(len(_BYTE_RANGE))
    range_at = at + len(b"/ByteRange ")
    signed = pdf[:range_at] + byte_range + pdf[range_at + len(_BYTE_RANGE) : start]
    digest = hashlib.sha256(signed)
    digest.update(pdf[end:])
    contents = seal.cms(digest.digest()).hex().upper().encode()
    if len(contents) > seal.bytes_reserved:
        raise SealError("the signature is larger than the space reserved for it")
    return b"".join((signed, b"<", contents.ljust(seal.bytes_reserved, b"0"), b">", pdf[end:]))


# --- the development seal --------------------------------------------------------------------------------


def make_self_signed(common_name: str = DEV_COMMON_NAME) -> tuple[bytes, bytes]:
    """A self-signed seal certificate and its key (PEM) for development: ECDSA P-256, valid from 2000 to 2100
    so that every issue date falls inside it. Readers show it as signed by an unknown (untrusted) signer."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "XK"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kosovo Qualification and Credential Registry"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def ensure_development_seal() -> Path | None:
    """Write the self-signed pair to SIGNING_KEYS_DIR when no seal is configured and none is there yet; return
    the certificate's path when one was made."""
    if is_configured():
        return None
    cert_path, key_path = _dev_paths()
    if cert_path.exists() and key_path.exists():
        return None
    cert_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    cert_pem, key_pem = make_self_signed()
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_pem)
    cert_path.write_bytes(cert_pem)
    return cert_path
