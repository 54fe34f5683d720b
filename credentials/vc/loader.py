"""The JSON-LD document loader: bundled contexts only, each checked against the sha256 recorded in
`contexts/index.json` when first read. Any other URL is an error (`ContextNotBundled`), never a fetch: what a
credential means must not depend on a network, nor change under a signature.

Canonicalisation is RDFC-1.0 (the W3C Recommendation of the URDNA2015 algorithm; pyld's `URDNA2015`), output as
canonical N-Quads.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path

from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"


class ContextNotBundled(jsonld.JsonLdError):
    """A document named a context this registry does not bundle."""

    def __init__(self, url: str):
        super().__init__(f"context not bundled: {url}", "jsonld.LoadDocumentError", code="loading document failed")
        self.url = url


class ContextIntegrityError(Exception):
    """A bundled context file does not match the sha256 recorded for it."""


@functools.cache
def bundled_contexts() -> dict[str, dict]:
    """URL -> parsed context document, every file checked against its recorded sha256."""
    index = json.loads((CONTEXTS_DIR / "index.json").read_text(encoding="utf-8"))
    documents = {}
    for url, entry in index.items():
        raw = (CONTEXTS_DIR / entry["file"]).read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != entry["sha256"]:
            raise ContextIntegrityError(f"{entry['file']}: sha256 {digest}, recorded {entry['sha256']}")
        documents[url] = json.loads(raw)
    return documents


DocumentLoader = Callable[[str, dict | None], dict]


def make_document_loader(extra: Mapping[str, dict] | None = None) -> DocumentLoader:
    """A pyld document loader over the bundled contexts (plus `extra`, for tests' own contexts)."""
    documents = {**bundled_contexts(), **(extra or {})}

    def load(url: str, options: dict | None = None) -> dict:
        document = documents.get(url)
        if document is None:
            raise ContextNotBundled(url)
        # pyld may keep references into what it is given: hand out a copy, never the shared one.
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(document)}

    return load


@functools.cache
def default_document_loader() -> DocumentLoader:
    return make_document_loader()


def _options(loader: DocumentLoader | None) -> dict:
    return {"documentLoader": loader or default_document_loader()}


def _not_bundled(error: jsonld.JsonLdError) -> ContextNotBundled | None:
    """pyld wraps a loader's error in its own (`cause`): find ours, so callers see which URL was refused."""
    seen = 0
    while error is not None and seen < 16:
        if isinstance(error, ContextNotBundled):
            return error
        error = getattr(error, "cause", None) or error.__cause__
        seen += 1
    return None


def _run(operation, *args):
    try:
        return operation(*args)
    except jsonld.JsonLdError as error:
        refused = _not_bundled(error)
        if refused is not None and refused is not error:
            raise ContextNotBundled(refused.url) from error
        raise


def canonize(document: dict, *, loader: DocumentLoader | None = None) -> str:
    """The document's canonical N-Quads (RDFC-1.0)."""
    options = {**_options(loader), "algorithm": "URDNA2015", "format": "application/n-quads"}
    return _run(jsonld.normalize, document, options)


def expand(document: dict, *, loader: DocumentLoader | None = None) -> list:
    return _run(jsonld.expand, document, _options(loader))


def compact(document, context, *, loader: DocumentLoader | None = None) -> dict:
    return _run(jsonld.compact, document, context, _options(loader))


# --- the guard: nothing silently falls out of the signature ------------------------------------------------------


def _same(original, roundtrip, path: str, problems: list[str]) -> None:
    # Compaction writes a one-element array as its element (compactArrays); that is not a lost term.
    if isinstance(original, list) and len(original) == 1 and not isinstance(roundtrip, list):
        original = original[0]
    if isinstance(roundtrip, list) and len(roundtrip) == 1 and not isinstance(original, list):
        roundtrip = roundtrip[0]
    if isinstance(original, dict) and isinstance(roundtrip, dict):
        for key in original:
            if key == "@context":
                continue
            if key not in roundtrip:
                problems.append(f"{path}.{key}")
            else:
                _same(original[key], roundtrip[key], f"{path}.{key}", problems)
        for key in roundtrip:
            if key not in original and key != "@context":
                problems.append(f"{path}.{key} (appeared)")
    elif isinstance(original, list) and isinstance(roundtrip, list):
        if len(original) != len(roundtrip):
            problems.append(f"{path} ({len(original)} items, {len(roundtrip)} after expansion)")
            return
        for i, (a, b) in enumerate(zip(original, roundtrip, strict=True)):
            _same(a, b, f"{path}[{i}]", problems)
    elif original != roundtrip:
        problems.append(f"{path} ({original!r} became {roundtrip!r})")


def _relative_types(expanded, path: str, problems: list[str]) -> None:
    if isinstance(expanded, list):
        for i, item in enumerate(expanded):
            _relative_types(item, f"{path}[{i}]", problems)
    elif isinstance(expanded, dict):
        for key, value in expanded.items():
            if key == "@type":
                for name in value if isinstance(value, list) else [value]:
                    if ":" not in name:
                        problems.append(f"{path} type {name!r} is not defined")
            elif key not in ("@value", "@language", "@id"):
                _relative_types(value, f"{path}/{key}", problems)


def undefined_terms(document: dict, *, loader: DocumentLoader | None = None) -> list[str]:
    """Where `document` says something its contexts do not define, which pyld would silently drop from the
    canonical form (so it would not be signed). Expands, compacts back with the document's own contexts and
    compares; and every type must expand to an absolute IRI. An empty list means every term is defined."""
    problems: list[str] = []
    expanded = expand(document, loader=loader)
    _relative_types(expanded, "$", problems)
    roundtrip = compact(expanded, document["@context"], loader=loader)
    _same(document, roundtrip, "$", problems)
    return problems
