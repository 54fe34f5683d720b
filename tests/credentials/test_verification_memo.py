"""The signature memo (credentials/verification/checks.py) is bounded in bytes, charges each entry at least what it
holds, and keeps only the part of the snapshot a verification shows; the answer is the same either way."""

from __future__ import annotations

import gc
import json
import tracemalloc

import pytest
from django.core.cache import cache

from credentials.verification.checks import SignatureMemo, deep_size, signature_memo
from credentials.verification.lookup import VERIFICATION_SNAPSHOT_KEYS
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles_and_memo():
    cache.clear()
    signature_memo.clear()
    yield
    cache.clear()
    signature_memo.clear()


def _entry(n: int) -> tuple[tuple, tuple[dict, str]]:
    return (n, f"ID{n:024d}"), ({"holder": {"full_name": f"Holder {n}"}, "padding": "x" * 1000}, "verdict")


def test_the_signature_memo_is_bounded_in_bytes_not_entries():
    key, entry = _entry(0)
    size = SignatureMemo.entry_size(key, entry)
    memo = SignatureMemo(max_bytes=size * 10 + size // 2)
    for n in range(50):
        key, entry = _entry(n)
        memo.get_or_compute(key, lambda entry=entry: entry)
    assert len(memo) == 10 and memo.bytes <= memo.max_bytes
    computed = []
    memo.get_or_compute(_entry(49)[0], lambda: computed.append("49") or _entry(49)[1])  # the most recent: kept
    memo.get_or_compute(_entry(0)[0], lambda: computed.append("0") or _entry(0)[1])  # the oldest: evicted
    assert computed == ["0"] and len(memo) == 10 and memo.bytes <= memo.max_bytes


def test_an_entry_larger_than_the_whole_memo_is_not_kept():
    memo = SignatureMemo(max_bytes=500)
    key, entry = _entry(1)
    assert memo.get_or_compute(key, lambda: entry) is entry
    assert len(memo) == 0 and memo.bytes == 0


def test_a_memo_entry_is_charged_at_least_the_memory_it_holds(anon_client):
    certificates = [factories.CertificateFactory() for _ in range(20)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        entries = []
        for certificate in certificates:
            parsed = json.loads(json.dumps(certificate.snapshot))
            kept = {key: parsed[key] for key in VERIFICATION_SNAPSHOT_KEYS if key in parsed}
            entries.append(((certificate.pk, certificate.verification_id, "x" * 86), (kept, "verdict")))
            del parsed
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    charged = sum(SignatureMemo.entry_size(key, entry) for key, entry in entries)
    assert charged >= held


def test_the_memo_keeps_no_transcript_and_the_answer_is_the_same(anon_client):
    certificate = factories.CertificateFactory(signature_mac="")  # checked with the key: memoised (ADR 0029)
    assert certificate.snapshot["modules"]  # the transcript is in the signed snapshot
    first = anon_client.get(f"/api/v1/verifications/{certificate.verification_id}").json()
    assert len(signature_memo) == 1
    ((snapshot, check),) = [stored for stored, _size in signature_memo._entries.values()]
    assert "modules" not in snapshot and set(snapshot) <= set(VERIFICATION_SNAPSHOT_KEYS)
    assert deep_size(snapshot) < deep_size(certificate.snapshot) / 1.5
    assert check.code == "signature_valid"
    again = anon_client.get(f"/api/v1/verifications/{certificate.verification_id}").json()  # from the memo
    assert {**first, "verified_at": None} == {**again, "verified_at": None}
    assert first["valid"] is True and first["certificate"]["holder_name"] == certificate.snapshot["holder"]["full_name"]
    page = anon_client.get(f"/v/{certificate.verification_id}")
    assert page.status_code == 200 and certificate.snapshot["holder"]["full_name"] in page.content.decode()
