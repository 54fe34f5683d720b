"""The bitstring of a status list: GZIP + multibase base64url, index 0 the left-most bit of the first byte."""

import base64
import gzip

import pytest

from credentials.status_list import bitstring as b

# The encodedList of the example BitstringStatusListCredential in W3C Bitstring Status List v1.0 (section 2.2):
# 131,072 bits, none set.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_the_spec_example_decodes_to_131072_zero_bits():
    bits = b.decode(SPEC_EXAMPLE)
    assert len(bits) * 8 == 131_072
    assert not any(bits)
    assert b.set_indexes(bits) == []


def test_our_empty_list_decodes_to_the_same_bits_as_the_spec_example():
    ours = b.encode_list([], 131_072)
    assert ours.startswith("uH4sI")  # multibase 'u' + base64url of the GZIP magic 1f 8b
    assert b.decode(ours) == b.decode(SPEC_EXAMPLE)


def test_index_0_is_the_left_most_bit_of_the_first_byte_and_the_last_index_the_right_most_of_the_last():
    bits = b.bitstring([0], 16)
    assert bits == bytes([0b1000_0000, 0])
    bits = b.bitstring([15], 16)
    assert bits == bytes([0, 0b0000_0001])
    bits = b.bitstring([1, 9], 16)
    assert bits == bytes([0b0100_0000, 0b0100_0000])


def test_the_encoding_is_gzip_then_base64url_without_padding_with_a_u_prefix():
    encoded = b.encode_list([3], 131_072)
    assert encoded[0] == "u" and "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) == 16_384 and raw[0] == 0b0001_0000 and not any(raw[1:])


@pytest.mark.parametrize("indexes", [[], [0], [131_071], [0, 7, 8, 4095, 65_536, 131_071], list(range(0, 131_072, 97))])
def test_roundtrip(indexes):
    bits = b.decode(b.encode_list(indexes, 131_072))
    assert b.set_indexes(bits) == sorted(indexes)
    assert all(b.bit(bits, i) for i in indexes)
    assert not b.bit(bits, 1) or 1 in indexes


def test_the_same_bits_always_encode_to_the_same_text():
    assert b.encode_list([5, 99], 131_072) == b.encode_list([99, 5], 131_072)


def test_bit_outside_the_bitstring_is_an_index_error():
    bits = b.bitstring([], 8)
    with pytest.raises(IndexError):
        b.bit(bits, 8)
    with pytest.raises(IndexError):
        b.bit(bits, -1)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "zH4sI",  # base58btc, not base64url
        "uH4sI====",  # padding
        "u" + base64.urlsafe_b64encode(b"not gzip at all").decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(b"\0" * 100, mtime=0)[:-6]).decode().rstrip("="),  # truncated
        42,
    ],
)
def test_bad_encoded_lists_are_refused(encoded):
    with pytest.raises(b.BitstringError):
        b.decode(encoded)


def test_a_list_that_inflates_beyond_the_limit_is_refused():
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(b"\0" * 2_000_000)).decode().rstrip("=")
    with pytest.raises(b.BitstringError):
        b.decode(bomb, max_bytes=1_000_000)


def test_indexes_outside_the_size_are_refused():
    with pytest.raises(b.BitstringError):
        b.bitstring([16], 16)
