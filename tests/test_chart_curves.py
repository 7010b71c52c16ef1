"""The paths lines take: steps as Chart.js draws them, and smoothing that never
overshoots the data."""

import numpy as np
import pytest

from imagegen.charts.curves import line_path, monotone_slopes

X = np.array([0.0, 1.0, 2.0, 3.0])
Y = np.array([1.0, 3.0, 2.0, 2.0])


@pytest.mark.parametrize(
    ("stepped", "xs", "ys"),
    [
        ("before", [0, 1, 1, 2, 2, 3, 3], [1, 1, 3, 3, 2, 2, 2]),
        ("after", [0, 0, 1, 1, 2, 2, 3], [1, 3, 3, 2, 2, 2, 2]),
        ("middle", [0, 0.5, 0.5, 1.5, 1.5, 2.5, 2.5, 3], [1, 1, 3, 3, 2, 2, 2, 2]),
    ],
)
def test_steps_turn_where_chart_js_turns_them(stepped, xs, ys):
    got_x, got_y = line_path(X, Y, stepped, 0)
    assert got_x.tolist() == xs and got_y.tolist() == ys


def test_a_gap_breaks_a_shaped_line_and_each_run_is_shaped_alone():
    xs, ys = line_path(np.arange(5.0), np.array([1, 2, np.nan, 4, 5.0]), "before", 0)
    assert np.isnan(ys).sum() == 1
    assert xs[~np.isnan(ys)].tolist() == [0, 1, 1, 3, 4, 4]


def test_no_tension_is_the_straight_line():
    xs, ys = line_path(X, Y, "none", 0)
    assert xs is X and ys is Y


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("tension", [0.4, 1.0])
def test_smoothing_never_overshoots_between_two_points(seed, tension):
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.uniform(0.1, 3, 12))
    y = np.round(rng.normal(0, 10, 12), 0)  # plateaus and sharp turns among them
    xs, ys = line_path(x, y, "none", tension)
    assert xs[0] == x[0] and xs[-1] == x[-1] and ys[-1] == y[-1]
    assert (np.diff(xs) > 0).all()
    for k in range(len(x) - 1):
        inside = (xs >= x[k]) & (xs <= x[k + 1])
        low, high = sorted((y[k], y[k + 1]))
        assert ys[inside].min() >= low - 1e-9 and ys[inside].max() <= high + 1e-9
    assert set(y) <= set(ys), "the curve passes through every point"


def test_monotone_slopes_are_flat_at_peaks_and_plateaus():
    m = monotone_slopes(np.arange(5.0), np.array([0, 2, 1, 1, 3.0]))
    assert m[1] == 0 and m[2] == 0 and m[3] == 0


def test_x_out_of_order_is_joined_straight():
    x, y = np.array([0, 2, 1.0]), np.array([1, 2, 3.0])
    xs, ys = line_path(x, y, "none", 1)
    assert xs.tolist() == [0, 2, 1] and ys.tolist() == [1, 2, 3]
