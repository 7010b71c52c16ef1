"""The render cost model against the clock: `.venv/bin/python -m bench.cost`.

Renders a grid of big, dense charts in every raster format, each cold and in-process,
and prints the measured time beside the generator's estimate (`render_cost`) and whether
the default `max_render_cost` admits it. The last lines are the dearest request the
defaults allow, timed with its peak RSS: what the README states as the worst case.
"""

import argparse
import resource
import time

from imagegen.errors import ApiError
from imagegen.output import choose_output
from imagegen.rendering import check_cost, create_generators, render_image, validate_params
from imagegen.settings import Settings


def series_data(series: int, points: int) -> str:
    return "|".join(
        ",".join(str((i * 7 + j * 13) % 100) for i in range(points)) for j in range(series)
    )


def timed(query: dict[str, str], fmt: str) -> tuple[float, float, bool]:
    """(measured ms, estimated ms, admitted by the default limit)."""
    chart = create_generators(Settings.defaults())["chart"]
    query = dict(query)
    output = choose_output(query, fmt, None, chart.formats, 9)
    params = validate_params(chart, query)
    estimate = chart.render_cost(params, output.format, output.options)
    try:
        check_cost(chart, params, output)
        admitted = True
    except ApiError:
        admitted = False
    start = time.perf_counter()
    render_image(chart, params, output)
    return (time.perf_counter() - start) * 1000, estimate, admitted


# The dearest charts the defaults admit: the most pixels, and as many dense area series
# as the 4 s estimate allows at that size (9 as PNG, 11 as JPEG).
WORST = (
    ({"type": "area", "data": series_data(9, 1000), "width": "4000", "height": "4000"}, "png"),
    ({"type": "area", "data": series_data(11, 1000), "width": "4000", "height": "4000"}, "jpg"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2000 px only")
    args = parser.parse_args()
    print("| chart | size | format | measured ms | estimated ms | admitted |")
    print("|---|---|---|---:|---:|---|")
    sizes = (2000,) if args.quick else (2000, 4000)
    for kind in ("area", "line", "bar", "pie"):
        for series, points in ((1, 800), (5, 800), (20, 50), (20, 800), (9, 1000)):
            if kind == "pie" and series > 1:
                continue
            for size in sizes:
                query = {"type": kind, "data": series_data(series, points)}
                query |= {"width": str(size), "height": str(size)}
                for fmt, extra in (("png", {}), ("webp", {"lossless": "true"}), ("jpg", {})):
                    measured, estimate, admitted = timed(query | extra, fmt)
                    label = fmt + (" lossless" if extra else "")
                    print(
                        f"| {kind} {series}×{points} | {size}² | {label} | {measured:.0f} | "
                        f"{estimate:.0f} | {'yes' if admitted else 'no (422)'} |",
                        flush=True,
                    )
    print()
    for query, fmt in WORST:
        measured, estimate, admitted = timed(query, fmt)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        series = query["data"].count("|") + 1
        print(
            f"worst case, admitted: {admitted}: area, {series} series × 1000 points, "
            f"4000×4000 {fmt}: {measured:.0f} ms measured, {estimate:.0f} ms estimated, "
            f"peak RSS of the process so far {peak:.0f} MB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
