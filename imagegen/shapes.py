"""Anti-aliased coverage masks of rounded rectangles, for corners and borders.

A rectangle whose sides lie on pixel edges needs anti-aliasing only at its rounded
corners, so only the corners' squares are computed; everything else is 0 or 255. A
corner pixel's coverage is the area of it inside the arc: exact for the arc's tangent
line through the pixel (a half-plane cutting a unit square) from a radius of 8 pixels,
where the arc's curvature inside one pixel is negligible, and supersampled 16×16 below
that, where the square is tiny. Against 64×64 supersampling (`python -m bench.corners`):
at most 2.4 of 255 levels off from a radius of 8 and 1.4 below it, at 11 ms for a
400-pixel corner; a distance field (coverage = 0.5 + signed distance) costs about the
same and is up to 11 levels off at 45°, and 4×4 supersampling is up to 28 levels off
for 6 times the time.
"""

import math
from functools import lru_cache

import numpy as np

# (top-left, top-right, bottom-right, bottom-left), as CSS's border-radius lists them.
Radii = tuple[float, float, float, float]

_SUPERSAMPLE_BELOW = 8  # radius in pixels
_SAMPLES = 16  # per axis, for radii below that
_HALF_DIAGONAL = math.sqrt(0.5)  # past this distance from the edge a pixel is all in or out


def fitted_radii(width: int, height: int, radii: Radii) -> Radii:
    """`radii` scaled down together until adjacent corners fit along every side, as CSS
    does (CSS Backgrounds 3, §5.5): 300 on a 200-pixel-wide image becomes 100."""
    top_left, top_right, bottom_right, bottom_left = radii
    factor = 1.0
    for side, pair in (
        (width, top_left + top_right),
        (width, bottom_left + bottom_right),
        (height, top_left + bottom_left),
        (height, top_right + bottom_right),
    ):
        if pair > side:
            factor = min(factor, side / pair)
    return (top_left * factor, top_right * factor, bottom_right * factor, bottom_left * factor)


def supersampled(radius: float, samples: int = _SAMPLES) -> np.ndarray:
    """A corner's coverage (0-1) by `samples` × `samples` points in each pixel."""
    size = math.ceil(radius)
    centres = (np.arange(size * samples) + 0.5) / samples
    gap = np.maximum(radius - centres, 0)
    inside = gap[None, :] ** 2 + gap[:, None] ** 2 <= radius * radius
    return inside.reshape(size, samples, size, samples).mean(axis=(1, 3))


def tangent_coverage(radius: float) -> np.ndarray:
    size = math.ceil(radius)
    gap = np.maximum(radius - (np.arange(size) + 0.5), 0)
    dx, dy = np.meshgrid(gap, gap)
    distance = np.hypot(dx, dy)
    inside = radius - distance  # the pixel centre's signed distance from the arc
    coverage = (inside > 0).astype(np.float64)
    band = np.abs(inside) < _HALF_DIAGONAL
    # In the band, the arc is its tangent: the area of a unit square on the inner side
    # of a line at signed distance s from its centre, with normal (a, b), a >= b >= 0.
    s, length = inside[band], distance[band]
    a = np.maximum(dx[band], dy[band]) / length
    b = np.minimum(dx[band], dy[band]) / length
    flat, full = (a - b) / 2, (a + b) / 2
    tip = (full - np.abs(s)).clip(0) ** 2 / np.maximum(2 * a * b, 1e-12)
    area = np.where(np.abs(s) <= flat, 0.5 + s / a, np.where(s > 0, 1 - tip, tip))
    coverage[band] = np.where(np.abs(s) >= full, s > 0, area)
    return coverage


@lru_cache(maxsize=64)
def corner_coverage(radius: float) -> np.ndarray:
    """The coverage (0-255) of the top-left `ceil(radius)`-square of a rectangle whose
    corner is rounded with `radius` pixels; read-only, shared between calls."""
    small = radius < _SUPERSAMPLE_BELOW
    coverage = supersampled(radius) if small else tangent_coverage(radius)
    patch = np.rint(np.clip(coverage, 0, 1) * 255).astype(np.uint8)
    patch.flags.writeable = False
    return patch


def rounded_rect(width: int, height: int, inset: int, radii: Radii) -> np.ndarray:
    """A (height, width) uint8 coverage mask of the rectangle `inset` pixels inside the
    image's edges, its corners rounded with `radii` (already fitted to it)."""
    mask = np.zeros((height, width), dtype=np.uint8)
    right, bottom = width - inset, height - inset
    if right <= inset or bottom <= inset:
        return mask
    mask[inset:bottom, inset:right] = 255
    for corner, radius in enumerate(radii):
        if radius <= 0:
            continue
        patch = corner_coverage(radius)
        if corner in (1, 2):
            patch = patch[:, ::-1]
        if corner in (2, 3):
            patch = patch[::-1, :]
        size = patch.shape[0]
        top = inset if corner in (0, 1) else bottom - size
        left = inset if corner in (0, 3) else right - size
        region = mask[top : top + size, left : left + size]
        np.minimum(region, patch, out=region)
    return mask
