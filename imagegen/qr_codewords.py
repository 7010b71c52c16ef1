"""A QR code's codewords, as the qrcode library makes them, without its slow parts.

qrcode writes the data one bit at a time into a list of bytes (`BitBuffer.put_bit`) and
computes each block's Reed-Solomon error correction by recursive polynomial division
over lists: after the mask search (see `qr_matrix.py`), most of a small code's time.
Here the bits accumulate in one Python integer, and the remainder is computed by the
usual shift register with a product table per generator polynomial. The bytes are the
very ones `util.create_data` returns, and the version the one `QRCode.best_fit` picks,
as tests/test_qr_matrix.py checks against qrcode on thousands of codes.
"""

from bisect import bisect_left
from collections.abc import Iterable
from functools import cache

from qrcode import base, util
from qrcode.exceptions import DataOverflowError

MAX_VERSION = 40
_EXP = [0] * 512  # α^i in GF(256) modulo x⁸ + x⁴ + x³ + x² + 1, doubled to skip a modulo
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _EXP[_power + 255] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D


class Bits:
    """The bit stream qrcode's `BitBuffer` builds, in one integer: what `QRData.write`
    needs of a buffer (`put`, `put_bit`, `len`)."""

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length

    def put_bit(self, bit: bool) -> None:
        self.put(1 if bit else 0, 1)

    def __len__(self) -> int:
        return self.length

    def to_bytes(self) -> bytes:
        """The stream, whose length is a whole number of bytes, as bytes."""
        return self.value.to_bytes(self.length // 8, "big")


def _stream(data_list: Iterable[util.QRData], version: int) -> Bits:
    bits = Bits()
    for data in data_list:
        bits.put(data.mode, 4)
        bits.put(len(data), util.length_in_bits(data.mode, version))
        data.write(bits)
    return bits


def best_fit(data_list: list[util.QRData], error_correction: int, start: int = 1) -> int:
    """The smallest version from `start` that holds `data_list`, as `QRCode.best_fit`
    finds it; DataOverflowError when none does."""
    util.check_version(start)
    mode_sizes = util.mode_sizes_for_version(start)
    needed = len(_stream(data_list, start))
    version = bisect_left(util.BIT_LIMIT_TABLE[error_correction], needed, start)
    if version > MAX_VERSION:
        raise DataOverflowError()
    if mode_sizes is not util.mode_sizes_for_version(version):
        return best_fit(data_list, error_correction, version)
    return version


@cache
def _products(ec_count: int) -> list[int]:
    """For each byte, its product with the generator polynomial of `ec_count` error
    correction codewords (the coefficients after the leading one), as one integer of
    `ec_count` bytes, highest degree first."""
    generator = [1]
    for i in range(ec_count):  # the product of (x - α^i)
        generator = [
            a ^ (_EXP[_LOG[b] + i] if b else 0)
            for a, b in zip([*generator, 0], [0, *generator], strict=True)
        ]
    tail = generator[1:]
    return [0] + [
        int.from_bytes(bytes(_EXP[_LOG[factor] + _LOG[c]] if c else 0 for c in tail), "big")
        for factor in range(1, 256)
    ]


def _error_correction(data: bytes, ec_count: int) -> list[int]:
    """The remainder of data(x)·x^ec_count divided by the generator polynomial: a shift
    register of `ec_count` bytes held in one integer."""
    products = _products(ec_count)
    shift, keep = 8 * (ec_count - 1), (1 << (8 * ec_count)) - 1
    remainder = 0
    for byte in data:
        remainder = ((remainder << 8) & keep) ^ products[byte ^ (remainder >> shift)]
    return list(remainder.to_bytes(ec_count, "big"))


def codewords(version: int, error_correction: int, data_list: list[util.QRData]) -> list[int]:
    """`util.create_data(version, error_correction, data_list)`: the data bits padded
    and split into blocks, each followed by its error correction, interleaved."""
    bits = _stream(data_list, version)
    blocks = base.rs_blocks(version, error_correction)
    limit = sum(block.data_count * 8 for block in blocks)
    if len(bits) > limit:
        raise DataOverflowError(
            f"Code length overflow. Data size ({len(bits)}) > size available ({limit})"
        )
    bits.put(0, min(limit - len(bits), 4))  # the terminator
    bits.put(0, -len(bits) % 8)  # to a whole byte
    pad = bytes([util.PAD0, util.PAD1]) * ((limit - len(bits)) // 16 + 1)
    stream = bits.to_bytes() + pad[: (limit - len(bits)) // 8]
    data_blocks, ec_blocks, at = [], [], 0
    for block in blocks:
        data_blocks.append(stream[at : at + block.data_count])
        at += block.data_count
        ec_blocks.append(_error_correction(data_blocks[-1], block.total_count - block.data_count))
    out = []
    for column in range(max(len(b) for b in data_blocks)):
        out += [b[column] for b in data_blocks if column < len(b)]
    for column in range(max(len(b) for b in ec_blocks)):
        out += [b[column] for b in ec_blocks if column < len(b)]
    return out
