"""The numpy mask search makes the very modules the qrcode library makes (issue 16)."""

import random

import numpy as np
import pytest
import qrcode
from qrcode import util

from imagegen.qr_codewords import best_fit, codewords
from imagegen.qr_matrix import make_modules, penalties

ECC_LEVELS = [
    qrcode.constants.ERROR_CORRECT_L,
    qrcode.constants.ERROR_CORRECT_M,
    qrcode.constants.ERROR_CORRECT_Q,
    qrcode.constants.ERROR_CORRECT_H,
]
ALPHABETS = [
    "0123456789",  # numeric mode
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 $%*+-./:",  # alphanumeric mode
    "".join(map(chr, range(32, 127))),  # bytes
    "héllo 東京 👋 abc",  # UTF-8
]


def random_codes(count: int, seed: int):
    rng = random.Random(seed)
    for index in range(count):
        alphabet = ALPHABETS[index % len(ALPHABETS)]
        length = rng.choice([1, 3, 10, 25, 60, 150, 400, 1200])
        data = "".join(rng.choice(alphabet) for _ in range(length))
        yield data, rng.choice(ECC_LEVELS)


def test_same_modules_and_mask_as_qrcode_on_many_codes():
    checked, versions = 0, set()
    for data, ecc in random_codes(1200, seed=16):
        reference = qrcode.QRCode(error_correction=ecc, border=0)
        reference.add_data(data)
        try:
            version = reference.best_fit()
        except (qrcode.exceptions.DataOverflowError, ValueError):
            continue
        reference.make(fit=False)
        ours = qrcode.QRCode(version=version, error_correction=ecc, border=0)
        ours.add_data(data)
        assert np.array_equal(make_modules(ours), np.array(reference.modules, dtype=bool)), (
            version,
            ecc,
            data,
        )
        checked += 1
        versions.add(version)
    assert checked > 1000 and len(versions) > 25


@pytest.mark.parametrize("side", [21, 25, 45, 177])
def test_penalties_equal_qrcodes_lost_point(side):
    symbols = np.random.default_rng(side).random((6, side, side)) > 0.5
    symbols[0] = True  # one colour throughout: the longest runs, no finder-like pattern
    symbols[1, :, ::2] = False  # stripes
    expected = [util.lost_point(symbol.tolist()) for symbol in symbols]
    assert penalties(symbols) == expected


def test_codewords_and_best_fit_equal_qrcodes_on_many_codes():
    for data, ecc in random_codes(800, seed=42):
        reference = qrcode.QRCode(error_correction=ecc, border=0)
        reference.add_data(data)
        for start in (1, 7, 10, 27):
            try:
                expected = qrcode.QRCode(error_correction=ecc)
                expected.data_list = reference.data_list
                version = expected.best_fit(start=start)
            except (qrcode.exceptions.DataOverflowError, ValueError):
                with pytest.raises(qrcode.exceptions.DataOverflowError):
                    best_fit(reference.data_list, ecc, start)
                continue
            assert best_fit(reference.data_list, ecc, start) == version
            assert codewords(version, ecc, reference.data_list) == util.create_data(
                version, ecc, reference.data_list
            ), (version, ecc, data)
