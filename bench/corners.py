"""Rounded corners: accuracy and cost of ways to anti-alias them, side by side.

    .venv/bin/python -m bench.corners

Each method computes the coverage of one corner's square; the reference is 64×64
supersampling. Printed: the largest and the mean error over the arc's pixels, in levels
of 255, and the time per corner. imagegen uses `corner_coverage` (imagegen/shapes.py).
"""

import math
import time
from collections.abc import Callable

import numpy as np

from imagegen.shapes import supersampled, tangent_coverage


def distance_field(radius: float) -> np.ndarray:
    gap = np.maximum(radius - (np.arange(math.ceil(radius)) + 0.5), 0)
    return np.clip(radius - np.hypot(gap[None, :], gap[:, None]) + 0.5, 0, 1)


METHODS: dict[str, Callable[[float], np.ndarray]] = {
    "distance field (0.5 + signed distance)": distance_field,
    "supersampled 4×4": lambda r: supersampled(r, 4),
    "supersampled 8×8": lambda r: supersampled(r, 8),
    "supersampled 16×16 (imagegen below 8 px)": supersampled,
    "tangent-line area (imagegen from 8 px)": tangent_coverage,
}


def main() -> None:
    radii = (2, 5, 8, 20, 50, 200)
    print(
        "| method | "
        + " | ".join(f"r={r}: max / mean" for r in radii)
        + " | ms, r=50 | ms, r=400 |"
    )
    print("|---|" + "---:|" * (len(radii) + 2))
    for name, method in METHODS.items():
        cells = []
        for radius in radii:
            reference = supersampled(radius, 64)
            arc = (reference > 0) & (reference < 1)
            error = np.abs(method(radius) - reference) * 255
            cells.append(f"{error.max():.1f} / {error[arc].mean():.1f}")
        times = []
        for radius in (50, 400):
            start = time.perf_counter()
            for _ in range(5):
                method(radius)
            times.append((time.perf_counter() - start) / 5 * 1000)
        print(f"| {name} | " + " | ".join(cells) + f" | {times[0]:.2f} | {times[1]:.1f} |")


if __name__ == "__main__":
    main()
