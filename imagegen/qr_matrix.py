"""A QR code's modules, as the qrcode library makes them, with its mask search in numpy.

qrcode (`QRCode.make`) places the data bits eight times, once per mask, and scores each
placement with four penalty rules in pure Python: about 80% of a small code's time. Here
the data are placed once, the eight masks are applied as array operations and the
penalty rules are counted on all eight at once. The result is the very matrix qrcode
makes, the same mask chosen by the same rules, ties to the lowest mask, as
tests/test_qr_matrix.py checks against qrcode itself on thousands of codes.
"""

from functools import cache

import numpy as np
import qrcode
from qrcode.main import precomputed_qr_blanks

from imagegen.qr_codewords import codewords

# Rule 3's patterns, dark-light-dark×3-light-dark with four light modules on one side,
# as 11-bit numbers read from the first module.
_FINDER_CODES = (0b10111010000, 0b00001011101)


def _mask_grids(side: int) -> np.ndarray:
    """The eight mask patterns (ISO/IEC 18004 table 10, as `util.mask_func` has them)
    over a `side`² grid: (8, side, side) bool, True where a data module is inverted."""
    i, j = np.indices((side, side))
    return np.stack(
        [
            (i + j) % 2 == 0,
            i % 2 == 0,
            j % 3 == 0,
            (i + j) % 3 == 0,
            (i // 2 + j // 3) % 2 == 0,
            (i * j) % 2 + (i * j) % 3 == 0,
            ((i * j) % 2 + (i * j) % 3) % 2 == 0,
            ((i * j) % 3 + (i + j) % 2) % 2 == 0,
        ]
    )


@cache
def _layout(version: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For `version`, computed once: the function patterns as qrcode draws them while
    scoring masks (format and version information light), the data modules' flat
    positions in qrcode's placement order, the eight masks restricted to data modules,
    and the same masks over the whole grid (for tests)."""
    code = qrcode.QRCode(version=version, border=0)
    code.modules_count = side = 4 * version + 17
    if version not in precomputed_qr_blanks:
        code.add_data("")
        code.makeImpl(True, 0)  # fills qrcode's cache of blank symbols
    code.modules = [list(row) for row in precomputed_qr_blanks[version]]
    code.setup_type_info(True, 0)
    if version >= 7:
        code.setup_type_number(True)
    order = []
    row, step = side - 1, -1
    for col in range(side - 1, 0, -2):  # qrcode's `map_data` walk, up and down in pairs
        if col <= 6:
            col -= 1
        while 0 <= row < side:
            order += [row * side + c for c in (col, col - 1) if code.modules[row][c] is None]
            row += step
        row -= step
        step = -step
    functions = np.array([[bool(m) for m in row] for row in code.modules])
    masks = _mask_grids(side)
    data_masks = np.zeros_like(masks)
    flat_order = np.array(order)
    data_masks.reshape(8, -1)[:, flat_order] = masks.reshape(8, -1)[:, flat_order]
    return functions, flat_order, data_masks, masks


def data_positions(version: int) -> np.ndarray:
    """The flat positions (row × side + column) of a code's data modules, in the order
    the codeword bits are placed: bit k of the interleaved codewords is at position k."""
    return _layout(version)[1]


def _runs_penalty(lines: np.ndarray) -> np.ndarray:
    """Rule 1 along the last axis of `lines` (symbols × lines × modules, bool), per
    symbol: each run of five or more modules of one colour scores its length less two."""
    symbols, count, length = lines.shape
    padded = np.full((symbols, count, length + 1), 2, dtype=np.int8)  # 2 ends each line
    padded[..., :length] = lines
    flat = padded.ravel()
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]])
    runs = np.diff(np.r_[starts, flat.size])
    scored = (flat[starts] != 2) & (runs >= 5)
    owner = starts[scored] // (count * (length + 1))
    return np.bincount(owner, weights=runs[scored] - 2, minlength=symbols).astype(np.int64)


def _finder_like(lines: np.ndarray) -> np.ndarray:
    """Rule 3's patterns along the last axis of `lines`, per symbol, over every window
    of 11 modules: each window read as an 11-bit number, compared with the patterns'."""
    count = lines.shape[-1] - 10
    windows = np.zeros((*lines.shape[:-1], count), dtype=np.int16)
    for k in range(11):
        windows <<= 1
        windows |= lines[..., k : k + count]
    return sum((windows == pattern).sum(axis=(1, 2)) for pattern in _FINDER_CODES)


def penalties(symbols: np.ndarray) -> list[int]:
    """qrcode's `util.lost_point` of each of `symbols` (symbols × side × side, bool)."""
    side = symbols.shape[-1]
    transposed = symbols.transpose(0, 2, 1)
    score = _runs_penalty(symbols) + _runs_penalty(transposed)
    block = symbols[:, :-1, :-1]
    uniform = (
        (block == symbols[:, :-1, 1:])
        & (block == symbols[:, 1:, :-1])
        & (block == symbols[:, 1:, 1:])
    )
    score += 3 * uniform.sum(axis=(1, 2))
    score += 40 * (_finder_like(symbols) + _finder_like(transposed))
    dark = symbols.sum(axis=(1, 2))
    balance = [int(abs(float(int(d)) / (side**2) * 100 - 50) / 5) * 10 for d in dark]
    return [int(total) + extra for total, extra in zip(score, balance, strict=True)]


def make_modules(code: qrcode.QRCode) -> np.ndarray:
    """The modules of `code` (its version, error correction and data set; no quiet
    zone): a square bool array, True for dark, equal to `code.make(fit=False)`'s."""
    version = code.version
    functions, order, data_masks, _ = _layout(version)
    data = codewords(version, code.error_correction, code.data_list)
    bits = np.unpackbits(np.frombuffer(bytes(data), dtype=np.uint8))[: order.size]
    placed = np.zeros(functions.size, dtype=bool)
    placed[order[: bits.size]] = bits.astype(bool)
    unmasked = functions | placed.reshape(functions.shape)
    candidates = unmasked ^ data_masks
    scores = penalties(candidates)
    mask = scores.index(min(scores))  # the first of equals, as qrcode takes
    code.modules = candidates[mask].tolist()
    code.modules_count = functions.shape[0]
    code.setup_type_info(False, mask)
    if version >= 7:
        code.setup_type_number(False)
    return np.array(code.modules, dtype=bool)
