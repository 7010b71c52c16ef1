"""Corner coverage against a finely supersampled reference."""

import numpy as np
import pytest

from imagegen.shapes import corner_coverage, fitted_radii, rounded_rect, supersampled


def reference(radius: float) -> np.ndarray:
    return supersampled(radius, 64) * 255


@pytest.mark.parametrize(("radius", "levels"), [(2, 8), (5, 8), (8, 3), (20, 2), (75.5, 2)])
def test_corner_coverage_is_close_to_the_exact_area(radius, levels):
    error = np.abs(corner_coverage(radius).astype(float) - reference(radius))
    assert error.max() <= levels


def test_rounded_rect_is_whole_pixels_away_from_the_corners():
    mask = rounded_rect(40, 30, 3, (10.0, 0.0, 5.0, 0.0))
    assert mask[:3].max() == 0 and mask[:, :3].max() == 0  # the inset
    assert mask[15, 3:37].min() == 255
    assert mask[3, 36] == 255  # square top-right corner
    assert mask[3, 3] == 0 and 0 < mask[5, 5] < 255  # on the arc


def test_fitted_radii_scale_down_together():
    assert fitted_radii(100, 50, (100, 100, 100, 100)) == (25, 25, 25, 25)
    assert fitted_radii(100, 100, (10, 20, 30, 40)) == (10, 20, 30, 40)
