"""The path a line takes between its points: straight, in steps, or smoothed.

A smoothed line is a blend of the straight line and the monotone cubic Hermite curve
of Fritsch and Carlson (1980), PCHIP: on each interval the curve stays between its two
end values, so it never shows a peak or a dip the data does not have. Gaps (NaN) break
the line; each unbroken run is shaped on its own.
"""

import numpy as np

from imagegen.charts.model import Stepped

SAMPLES = 16  # points drawn per interval of a smoothed line
MAX_SAMPLED = 4000  # at most this many drawn points per line: long ones get fewer per interval


def _runs(values: np.ndarray) -> list[np.ndarray]:
    """The indices of each unbroken run of finite values."""
    present = np.isfinite(values)
    runs = np.split(np.arange(len(values)), np.flatnonzero(~present))
    return [run[present[run]] for run in runs if present[run].any()]


def _steps(x: np.ndarray, y: np.ndarray, stepped: Stepped) -> tuple[np.ndarray, np.ndarray]:
    """The corners of a stepped run, as Chart.js names them: `before` holds each value
    to the next point, `after` steps at each point's left, `middle` halfway."""
    if stepped == "before":
        xs = np.repeat(x, 2)[1:]
        ys = np.repeat(y, 2)[:-1]
    elif stepped == "after":
        xs = np.repeat(x, 2)[:-1]
        ys = np.repeat(y, 2)[1:]
    else:
        middle = (x[:-1] + x[1:]) / 2
        xs = np.concatenate([[x[0]], np.repeat(middle, 2), [x[-1]]])
        ys = np.repeat(y, 2)
    return xs, ys


def monotone_slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fritsch–Carlson tangents at each point of a run with increasing `x`: zero at a
    peak or dip, and cut where they would make the curve overshoot."""
    h = np.diff(x)
    d = np.diff(y) / h
    m = np.empty(len(y))
    m[0], m[-1] = d[0], d[-1]
    m[1:-1] = (d[:-1] + d[1:]) / 2
    m[1:-1][d[:-1] * d[1:] <= 0] = 0.0
    for k, slope in enumerate(d):
        if slope == 0:
            m[k] = m[k + 1] = 0.0
            continue
        alpha, beta = m[k] / slope, m[k + 1] / slope
        if alpha < 0:
            m[k] = alpha = 0.0
        if beta < 0:
            m[k + 1] = beta = 0.0
        norm = alpha * alpha + beta * beta
        if norm > 9:
            tau = 3 / np.sqrt(norm)
            m[k], m[k + 1] = tau * alpha * slope, tau * beta * slope
    return m


def _smooth(x: np.ndarray, y: np.ndarray, tension: float) -> tuple[np.ndarray, np.ndarray]:
    """A run blended `tension` of the way from straight to the monotone cubic."""
    h = np.diff(x)
    if not (h > 0).all():
        return x, y
    m = monotone_slopes(x, y)
    samples = max(2, min(SAMPLES, MAX_SAMPLED // len(h)))
    s = np.linspace(0, 1, samples + 1)[:-1]
    s2, s3 = s * s, s * s * s
    h00, h10, h01, h11 = 2 * s3 - 3 * s2 + 1, s3 - 2 * s2 + s, -2 * s3 + 3 * s2, s3 - s2
    y0, y1, hh = y[:-1, None], y[1:, None], h[:, None]
    cubic = h00 * y0 + h10 * hh * m[:-1, None] + h01 * y1 + h11 * hh * m[1:, None]
    straight = y0 + s * (y1 - y0)
    ys = (1 - tension) * straight + tension * cubic
    xs = x[:-1, None] + s * hh
    return np.append(xs.ravel(), x[-1]), np.append(ys.ravel(), y[-1])


def line_path(
    x: np.ndarray, y: np.ndarray, stepped: Stepped, tension: float
) -> tuple[np.ndarray, np.ndarray]:
    """The points a line through (`x`, `y`) is drawn through, with NaN where it breaks."""
    if stepped == "none" and tension == 0:
        return x, y
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    for run in _runs(y):
        rx, ry = x[run], y[run]
        if len(run) > 1:
            rx, ry = _steps(rx, ry, stepped) if stepped != "none" else _smooth(rx, ry, tension)
        xs += [rx, np.array([np.nan])]
        ys += [ry, np.array([np.nan])]
    if not xs:
        return x, y
    return np.concatenate(xs)[:-1], np.concatenate(ys)[:-1]
