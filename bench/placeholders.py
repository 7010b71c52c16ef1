"""Section 5 of the benchmarks: cold 600×400 PNG placeholders, `imagegen serve` as shipped
(cache off) against fakeimg (bench/fakeimg.py: Flask + Pillow under gunicorn), one worker
each, with wrk side by side in one run; and the render in-process.

    .venv/bin/python -m bench.placeholders   # this section alone; bench/run runs it too

Run alone, it prints the section and puts it in place of section 5 in bench/results.md.
"""

import argparse
import os
import re
import statistics
import sys
import time
from contextlib import AbstractContextManager

from bench.run import (
    ROOT,
    fetch,
    imagegen_serve,
    serving,
    side_by_side,
    verdict,
)
from imagegen.rendering import create_generators, render

TITLE = "### 5. Placeholder 600×400 PNG, cold"


def fakeimg_server() -> AbstractContextManager[str]:
    """bench/fakeimg.py under gunicorn, one sync worker, as fakeimg is deployed."""
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--log-level", "warning"]
    command.append("bench.fakeimg:app")
    return serving(command, "fakeimg", port_option=lambda port: ["--bind", f"127.0.0.1:{port}"])


# wrk sends each request with the next number in `pattern` (a path with one %06x).
_WRK_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", string.format("%s", (counter * 7919) %% 16777216))
end
"""


def placeholder_in_process(count: int = 400) -> tuple[float, float]:
    """Median ms of a cold 600×400 PNG placeholder rendered in this process, as the
    routes render it (validation, drawing, encoding), with no cache: (wall clock, this
    thread's CPU time). On a machine shared with other work the wall clock also counts
    the time other processes held the core; the CPU time is the render's own."""
    generator = create_generators()["placeholder"]
    query = {"width": "600", "height": "400"}
    wall, cpu = [], []
    for _ in range(count + 20):
        start, start_cpu = time.perf_counter(), time.thread_time()
        render(generator, query, "png")
        wall.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    return statistics.median(wall[20:]) * 1000, statistics.median(cpu[20:]) * 1000


def placeholder_section(seconds: int, rounds: int) -> tuple[list[str], bool]:
    """Section 5: `imagegen serve` (cache off) against fakeimg, side by side in one run,
    on one URL repeated and on a new image every request."""
    load_before = os.getloadavg()[0]
    wall, cpu = placeholder_in_process()  # first: no server of this run is still exiting
    with (
        imagegen_serve({"IMAGEGEN_CACHE_MAX_BYTES": "0"}) as ours,
        fakeimg_server() as peer,
    ):
        # A new image every request (its background colour): identical requests in flight
        # at once share one render in imagegen, so one URL repeated measures that too.
        patterns = {
            "imagegen serve (cache off)": (ours, "/placeholder/600x400.png?background=%06x"),
            "fakeimg (Flask + Pillow, gunicorn)": (peer, "/600x400/%06x/"),
        }
        for base, pattern in patterns.values():
            response, body = fetch(base + pattern % 0x123456)
            assert response.status == 200 and body.startswith(b"\x89PNG"), pattern
        varied = side_by_side(
            {name: base + "/" for name, (base, _) in patterns.items()},
            seconds,
            rounds,
            {name: _WRK_SCRIPT % pattern for name, (_, pattern) in patterns.items()},
        )
        repeated = side_by_side(
            {
                "imagegen serve (cache off)": ours + "/placeholder/600x400.png",
                "fakeimg (Flask + Pillow, gunicorn)": peer + "/600x400/",
            },
            seconds,
            rounds,
        )
    ratios = {
        kind: loads["imagegen serve (cache off)"].rps
        / loads["fakeimg (Flask + Pillow, gunicorn)"].rps
        for kind, loads in (("varied", varied), ("repeated", repeated))
    }
    rows = [
        f"| {name} | {kind} | {load.rps:,.0f} | {load.per_cpu_second:,.0f} | "
        f"{load.p50_ms:.2f} | {load.p99_ms:.2f} |"
        for kind, loads in (("a new image each request", varied), ("one URL", repeated))
        for name, load in loads.items()
    ]
    lines = [
        f"{TITLE}, one worker each (target >= 4x fakeimg's "
        "throughput over HTTP, a new image each request; < 3 ms in-process)\n",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, wrk -t1 -c16 "
        f"-d{seconds}s, median of {rounds} alternating rounds; load average before the "
        f"run {load_before:.1f} on {os.cpu_count()} cores (other work on the machine).\n",
        "| server | requests | req/s | req per server CPU-second | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|",
        *rows,
        f"\nimagegen / fakeimg, a new image each request = **{ratios['varied']:.2f}x** — "
        f"{verdict(ratios['varied'] >= 4)}; one URL repeated (imagegen's concurrent "
        f"identical requests share a render) = {ratios['repeated']:.2f}x. In-process render "
        f"p50: **{wall:.2f} ms** wall clock — {verdict(wall < 3)}; {cpu:.2f} ms of CPU time "
        "(`time.thread_time`).\n",
    ]
    return lines, ratios["varied"] < 4 or wall >= 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    args = parser.parse_args()
    lines, missed = placeholder_section(args.seconds, args.rounds)
    text = "\n".join(lines)
    print(text)
    results = ROOT / "bench" / "results.md"
    old = results.read_text(encoding="utf-8") if results.exists() else ""
    # The section ends at the next heading or marker (`<!-- run:end -->`), kept.
    pattern = re.compile(re.escape(TITLE) + r".*?(?=^### |^<!-- |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(old):
        new = pattern.sub(lambda _: text + "\n", old)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    results.write_text(new.rstrip("\n") + "\n", encoding="utf-8")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
