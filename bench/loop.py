"""Cached images and `/fonts` beside heavy work, render processes on and off:
`.venv/bin/python -m bench.loop`.

Starts `imagegen serve` as shipped (default settings, one worker, charts in its render
processes) and beside it the same with `IMAGEGEN_RENDER_PROCESSES=0` (charts in render
threads), and measures with wrk, alternating between the two, the latency of a cached
image and of `/fonts`: idle; while 8 clients keep heavy chart renders going;
and while 4 clients keep sending the costliest refusal (a QR code of 7,089 digits at a
size too small for it, whose capacity check takes tens of milliseconds). Target: p99
under 20 ms beside every load, render processes on. Each row is the round of median p99
of `--rounds` alternating rounds.

Then the CPU a render goes on using after its 503: on both kinds of server with a 1 s
budget, a chart that draws for several seconds. Last, placeholders and QR codes in
threads (as shipped) against in render processes (`bench/cheap_in_processes.py`): their
cold render time, and cached latency beside a flood of big ones. Needs wrk (Debian's
package). The tables are printed and written into bench/results.md.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path

from bench.run import ROOT, SERVER_PIDS, Load, imagegen_serve, replace_section, serving, wrk

HEAVY_CHART = "/chart?type=area&width=2000&height=2000&data={data}"
BIG_PLACEHOLDER = "/placeholder/2000x1500?text=Load+{index}"
BIG_QR = "/qr?size=1000&ecc=H&data=https://example.com/tickets/{index}"
COSTLY_422 = json.dumps({"data": "1" * 7089, "ecc": "L", "size": 30}).encode()
# Drawn for several seconds (the dearest area chart the cost model admits as PNG).
LATE_CHART = "/chart.png?type=area&width=4000&height=4000&data={data}"
MODES = {"processes": {}, "threads": {"IMAGEGEN_RENDER_PROCESSES": "0"}}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _dense(series: int, points: int, salt: int) -> str:
    return "|".join(
        ",".join(str((i * 7 + j + salt) % 10) for i in range(points)) for j in range(series)
    )


def _get(port: int, path: str, timeout: float = 60) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def _heavy_render(port: int, index: int) -> None:
    _get(port, HEAVY_CHART.format(data=_dense(8, 400, index)))


def _cheap_render(port: int, index: int) -> None:
    _get(port, (BIG_PLACEHOLDER if index % 2 else BIG_QR).format(index=index))


def _costly_refusal(port: int, index: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/qr", body=COSTLY_422, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    assert response.status == 422
    connection.close()


def cheap_in_processes() -> AbstractContextManager[str]:
    """`imagegen serve` with placeholders and QR codes in render processes too."""
    command = [sys.executable, "-m", "bench.cheap_in_processes", "serve", "--log-level", "warning"]
    return serving(command, "imagegen serve, all in processes")


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def _until_charts_render(base: str) -> None:
    """Wait until `base` renders a chart: its render processes, if any, have started."""
    deadline = time.monotonic() + 60
    while _get(_port(base), "/chart?data=1,2&width=160&height=120")[0] != 200:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{base} renders no chart")
        time.sleep(0.2)


@contextmanager
def background(clients: int, work: Callable[[int, int], None], port: int) -> Iterator[list[int]]:
    """`clients` threads doing `work` in a loop until the block ends; yields a counter."""
    stop, done = threading.Event(), [0]

    def loop(client: int) -> None:
        index = client * 1_000_000
        while not stop.is_set():
            work(port, index)
            index += 1
            done[0] += 1

    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1)  # let the work pile up
    try:
        yield done
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _tree_cpu(pid: int) -> tuple[float, dict[int, float]]:
    """CPU seconds of `pid` with its reaped children, and of each live child."""
    fields = _stat(pid)
    total = sum(int(fields[i]) for i in (11, 12, 13, 14)) / CLOCK_TICKS
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            child = _stat(int(stat.parent.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(child[1]) == pid:
            children[int(stat.parent.name)] = (int(child[11]) + int(child[12])) / CLOCK_TICKS
    return total, children


def cpu_after_503(server: str, salt: int) -> tuple[float, float, float]:
    """(seconds to the 503, CPU seconds spent on the render after it, CPU seconds of
    render processes started since the request: replacements) for one chart that draws
    past its 1 s budget."""
    before = set(_tree_cpu(SERVER_PIDS[server])[1])
    start = time.monotonic()
    status, _ = _get(_port(server), LATE_CHART.format(data=_dense(9, 1000, salt)))
    answered = time.monotonic() - start
    assert status == 503, status
    total, children = _tree_cpu(SERVER_PIDS[server])
    time.sleep(12)  # long enough for the drawing to end, had it gone on
    total_after, children_after = _tree_cpu(SERVER_PIDS[server])
    spent = total_after - total
    for child in before & set(children):
        # A child reaped meanwhile (killed) counts in `total_after` with its whole life.
        spent += children_after.get(child, 0.0) - children[child]
    started = sum(cpu for child, cpu in children_after.items() if child not in before)
    return answered, spent, started


def _median_load(loads: list[Load]) -> Load:
    """The round with the median p99: one spike of another process on a shared machine
    does not decide the row."""
    return sorted(loads, key=lambda load: load.p99_ms)[len(loads) // 2]


def _latency_rows(servers: dict[str, str], seconds: int, rounds: int) -> tuple[list[str], bool]:
    cached_path = "/placeholder/600x400.png?text=cached"
    for base in servers.values():
        wrk(base + cached_path, 1)  # render and cache it
    rows, missed = [], False
    for label, clients, work in (
        ("idle", 0, None),
        ("8 clients rendering 2000² area charts", 8, _heavy_render),
        ("4 clients sending a costly 422", 4, _costly_refusal),
    ):
        for route, path in (("cached image", cached_path), ("/fonts", "/fonts")):
            runs: dict[str, list[Load]] = {mode: [] for mode in servers}
            for _ in range(rounds):
                for mode, base in servers.items():
                    with ExitStack() as stack:
                        if work is not None:
                            stack.enter_context(background(clients, work, _port(base)))
                        runs[mode].append(wrk(base + path, seconds, connections=4))
            cells = []
            for mode, loads in runs.items():
                load = _median_load(loads)
                cells.append(f"{load.rps:,.0f} | {load.p50_ms:.1f} | {load.p99_ms:.1f}")
                missed |= mode == "processes" and load.p99_ms >= 20
            rows.append(f"| {label} | {route} | {' | '.join(cells)} |")
    return rows, missed


CHEAP_COLD = {
    "placeholder 600×400": "/placeholder/600x400?text=Cold+{index}",
    "placeholder 2000×1500": BIG_PLACEHOLDER,
    "QR code 300²": "/qr?data=https://example.com/{index}",
    "QR code 1000², ecc H": BIG_QR,
}


def _cold_p50(base: str, template: str, count: int = 30) -> float:
    """Median ms of `count` sequential renders of distinct images (cache misses)."""
    times = []
    for index in range(count):
        start = time.perf_counter()
        status, _ = _get(_port(base), template.format(index=index))
        times.append(time.perf_counter() - start)
        assert status == 200, status
    return sorted(times)[count // 2] * 1000


def _cheap_rows(servers: dict[str, str], seconds: int, rounds: int) -> list[str]:
    """Placeholders and QR codes in threads or in render processes: cold render p50 of
    each, and cached latency beside 8 clients rendering big ones."""
    rows = []
    for name, template in CHEAP_COLD.items():
        cells = [f"{_cold_p50(base, template):.1f}" for base in servers.values()]
        rows.append(f"| {name}: cold render p50 ms, one client | {' | '.join(cells)} |")
    cached_path = "/placeholder/600x400.png?text=cached"
    for base in servers.values():
        wrk(base + cached_path, 1)
    for route, path in (("cached image", cached_path), ("/fonts", "/fonts")):
        runs: dict[str, list[Load]] = {mode: [] for mode in servers}
        done: dict[str, int] = dict.fromkeys(servers, 0)
        for _ in range(rounds):
            for mode, base in servers.items():
                with background(8, _cheap_render, _port(base)) as count:
                    runs[mode].append(wrk(base + path, seconds, connections=4))
                done[mode] += count[0]
        loads = [_median_load(runs[mode]) for mode in servers]
        rows.append(
            f"| {route} beside 8 clients rendering 2000×1500 placeholders and 1000² QR "
            f"codes: p50 / p99 ms | "
            + " | ".join(f"{load.p50_ms:.1f} / {load.p99_ms:.1f}" for load in loads)
            + " |"
        )
        rows.append(
            "| (big images those 8 clients got meanwhile, per round) | "
            + " | ".join(f"{done[mode] / rounds:.0f}" for mode in servers)
            + " |"
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run (default 5)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds, median p99 (default 3)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args()
    with ExitStack() as stack:
        servers = {mode: stack.enter_context(imagegen_serve(env)) for mode, env in MODES.items()}
        for base in servers.values():
            _until_charts_render(base)
        rows, missed = _latency_rows(servers, args.seconds, args.rounds)
    with ExitStack() as stack:
        budget = {"IMAGEGEN_RENDER_TIMEOUT": "1", "IMAGEGEN_CACHE_MAX_BYTES": "0"}
        servers = {
            mode: stack.enter_context(imagegen_serve(env | budget)) for mode, env in MODES.items()
        }
        for base in servers.values():
            _until_charts_render(base)
        late = {mode: cpu_after_503(base, i) for i, (mode, base) in enumerate(servers.items())}
    with ExitStack() as stack:
        servers = {
            "threads": stack.enter_context(imagegen_serve()),
            "processes": stack.enter_context(cheap_in_processes()),
        }
        for base in servers.values():
            _until_charts_render(base)
        cheap = _cheap_rows(servers, args.seconds, args.rounds)
    load_average = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        "### Cached images beside heavy work, render processes on and off\n",
        f"`.venv/bin/python -m bench.loop`: `imagegen serve` (one worker) with its render "
        f"processes, and with `IMAGEGEN_RENDER_PROCESSES=0`, wrk -t1 -c4 -d{args.seconds}s, "
        f"{args.rounds} alternating rounds, the round of median p99 shown. Target: p99 "
        "under 20 ms with render processes. Load average of the "
        f"machine at the end (1 / 5 / 15 min): {load_average}.\n",
        "| background work | route | processes: req/s | p50 ms | p99 ms "
        "| threads: req/s | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        f"\ntarget p99 < 20 ms with render processes: {'**missed**' if missed else 'met'}\n",
        "### CPU spent after a 503 (render budget 1 s, a 4000² area chart of 9 × 1,000 points)\n",
        "| renders in | 503 after s | CPU after the 503, s | replacement process start, CPU s |",
        "|---|---:|---:|---:|",
        *(
            f"| {mode} | {answered:.2f} | {spent:.2f} | {started:.2f} |"
            for mode, (answered, spent, started) in late.items()
        ),
        "\n### Placeholders and QR codes: render threads (as shipped) or render processes\n",
        "The same measures on `imagegen serve` as shipped and on `python -m "
        "bench.cheap_in_processes serve`, where placeholders and QR codes are `heavy` too.\n",
        "| measure | threads | processes |",
        "|---|---:|---:|",
        *cheap,
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    replace_section(args.output, "loop", report)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
