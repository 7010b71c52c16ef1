"""Cold chart renders in-process, by phase, beside matplotlib's floor.

    .venv/bin/python -m bench.charts [--rounds 15]

Each chart is rendered `rounds` times (cache off: the generator is called directly), in
alternating order with the floor, and the median wall and CPU time of each phase is
printed as a Markdown table: building the figure (layout included), drawing it with Agg,
releasing it (`release`, which `Chart.render` does after every render), encoding
the PNG. The floor is the bar chart as matplotlib draws it at its fastest: one
Figure and Axes reused, a fixed layout, only the bars' heights changed, then the same
encoder. CPU time is the steadier number on a shared machine.
"""

import argparse
import random
import statistics
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from imagegen.charts.export import release, to_image
from imagegen.charts.figure import build_figure
from imagegen.charts.text import ChartFonts
from imagegen.encoding import EncodeOptions, encode
from imagegen.fonts import FontLibrary
from imagegen.formats import PNG
from imagegen.generators.chart import Chart
from imagegen.plugin import GeneratorContext
from imagegen.settings import Settings

FONTS = FontLibrary(Path(__file__).resolve().parent.parent / "fonts")
_WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "omicron",
    "sigma",
]


def _dense() -> str:
    rng = random.Random(1)
    labels = ",".join(" ".join(rng.choice(_WORDS) for _ in range(4)) for _ in range(12))
    data = "|".join(",".join(str(rng.randint(1, 99)) for _ in range(12)) for _ in range(8))
    return f"type=bar&data={data}&labels={labels}&series=a,b,c,d,e,f,g,h&title=Dense"


CHARTS = {
    "bar chart 600×400": "type=bar&data=12,19,7,15&labels=Q1,Q2,Q3,Q4&title=Sales",
    "line chart 320×200, 2 series": "type=line&data=3,5,4,7,6,9|2,3,3,4,6,5"
    "&labels=Mon,Tue,Wed,Thu,Fri,Sat&series=This week,Last week&width=320&height=200",
    "dense bar 600×400: 12 long labels, 8 series": _dense(),
    "radar 600×400, 2 series of 7": "type=radar&data=65,59,90,81,56,55,40|28,48,40,19,96,27,100"
    "&labels=Eating,Drinking,Sleeping,Designing,Coding,Cycling,Running&series=A,B",
    "polar area 600×400, 5 wedges": "type=polar_area&data=11,16,7,3,14&labels=a,b,c,d,e",
    "gauge 600×400, 3 bands": "type=gauge&data=72&bands=50,80,100",
    "radial gauge 600×400": "type=radial_gauge&data=72",
    "progress bar 600×400": "type=progress_bar&data=72",
    # Cartesian kinds (issue 11), each at 600×400
    "bubble 600×400, 2 series": "type=bubble&data=12:64:9,18:71:14,25:58:22,31:80:12"
    "|15:45:6,22:52:8,28:41:18,35:60:10&series=Europe,Asia",
    "box plot 600×400, 2 series of 4 boxes": "type=box_plot&labels=a,b,c,d&series=x,y&data="
    + "|".join(
        ",".join(";".join(str(i * j % 97) for j in range(40)) for i in range(4)) for _ in "xy"
    ),
    "violin 600×400, 4 of 1,000 samples": "type=violin&labels=a,b,c,d&data="
    + ",".join(";".join(str((i + 1) * j % 997) for j in range(1000)) for i in range(4)),
    "time axis 600×400, 30 dates": "type=line&data="
    + ",".join(str(v % 17) for v in range(30))
    + "&x="
    + ",".join(f"2025-{1 + v // 3:02d}-{1 + 9 * (v % 3):02d}" for v in range(30)),
    "right axis 600×400": "type=line&data=3,4,8,13,17,20,22|48,41,42,45,60,55,58"
    "&labels=Jan,Feb,Mar,Apr,May,Jun,Jul&series_axis=left,right&y2_title=Rain",
}
Phases = dict[str, tuple[float, float]]  # phase -> (wall ms, CPU ms)


def _timed(step: Callable[[], object]) -> tuple[object, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def render_phases(chart: Chart, query: str) -> Phases:
    """One cold render of `query`, timed by phase."""
    params = chart.params.model_validate(dict(urllib.parse.parse_qsl(query)))
    figure, *build = _timed(lambda: build_figure(params, ChartFonts(params.font, FONTS)))
    image, *draw = _timed(lambda: to_image(figure))
    _, *freed = _timed(lambda: release(figure))  # as `Chart.render` does after each render
    _, *png = _timed(lambda: encode(image, PNG, EncodeOptions()))
    phases = {"build": tuple(build), "draw": tuple(draw), "release": tuple(freed)}
    return phases | {"encode": tuple(png)}


class Floor:
    """matplotlib's fastest bar chart: a reused figure with a fixed layout."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(600 / 96, 400 / 96), dpi=96)
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.figure.add_axes((0.08, 0.08, 0.9, 0.82))
        self.bars = axes.bar(["Q1", "Q2", "Q3", "Q4"], [1, 1, 1, 1], color="#4e79a7")
        axes.set_ylim(0, 20)
        axes.set_title("Sales")

    def phases(self) -> Phases:
        for bar, height in zip(self.bars, (12, 19, 7, 15), strict=True):
            bar.set_height(height)
        _, *draw = _timed(self.canvas.draw)
        image = Image.frombuffer(
            "RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        )
        _, *png = _timed(lambda: encode(image, PNG, EncodeOptions()))
        return {
            "build": (0.0, 0.0),
            "draw": tuple(draw),
            "release": (0.0, 0.0),
            "encode": tuple(png),
        }


def _median(runs: list[Phases]) -> Phases:
    return {
        phase: tuple(statistics.median(run[phase][i] for run in runs) for i in (0, 1))
        for phase in runs[0]
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    chart = Chart(GeneratorContext(Settings(), FONTS))
    floor = Floor()
    runs: dict[str, list[Phases]] = {name: [] for name in [*CHARTS, "floor"]}
    for query in CHARTS.values():  # warm up: fonts, caches, imports
        render_phases(chart, query)
    floor.phases()
    for _ in range(args.rounds):
        for name, query in CHARTS.items():
            runs[name].append(render_phases(chart, query))
            runs["floor"].append(floor.phases())
    columns = "build | draw | release | encode | total wall ms | total CPU ms"
    print(f"| chart (cold, in-process) | {columns} |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = {}
    for name, phases in ((n, _median(r)) for n, r in runs.items()):
        wall = sum(p[0] for p in phases.values())
        cpu = sum(p[1] for p in phases.values())
        totals[name] = cpu
        label = "matplotlib floor: bar 600×400, reused figure" if name == "floor" else name
        cells = " | ".join(f"{phases[p][1]:.1f}" for p in ("build", "draw", "release", "encode"))
        print(f"| {label} | {cells} | {wall:.1f} | {cpu:.1f} |")
    ratio = totals["bar chart 600×400"] / totals["floor"]
    print(f"\nPhases in CPU ms (median of {args.rounds}). Bar chart / floor: {ratio:.2f}x.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
