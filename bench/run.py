"""imagegen benchmarks, measured side by side in one run. See README, "Benchmarks".

1. cache-hit throughput: `imagegen serve` as shipped (its access log on, written to a
   file) vs a bare ASGI app returning the same bytes (>= 0.85x); and with the log off
2. cold render p50: imagegen over HTTP with the cache off vs the library called directly
   for the same image in one process (<= 1.15x)
3. the same bytes as `Response` vs `StreamingResponse(BytesIO)`: throughput, framing
4. PNG size vs the best of oxipng (<= 1.05x), with JPEG and WebP sizes
5. placeholder 600×400 PNG, cold: `imagegen serve` as shipped vs fakeimg (bench/fakeimg.py,
   Flask + Pillow under gunicorn), one worker each, over HTTP (>= 4x fakeimg's
   throughput); and the render in-process (< 3 ms p50)
6. PNG, WebP and AVIF bytes and encode time at equal quality over the gallery
"""

import argparse
import http.client
import io
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import oxipng
import qrcode
from fastapi.testclient import TestClient
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image, ImageDraw, ImageFont

from imagegen.app import create_app
from imagegen.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FONTS = Settings.defaults().fonts_dir


# The process behind each server's base URL, for its CPU time.
SERVER_PIDS: dict[str, int] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(
    command: list[str],
    name: str,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    port_option: Callable[[int], list[str]] = lambda port: ["--port", str(port)],
) -> Iterator[str]:
    """A server process started by `command` plus `port_option(PORT)` (`--port PORT`) on a
    free port, once it accepts connections, its standard output to `log` (default:
    nowhere); yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [*command, *port_option(port)],
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        stdout=subprocess.DEVNULL if log is None else log.open("w"),
    )
    try:
        deadline = time.monotonic() + 180  # a loaded machine starts 4 workers slowly
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{name} did not start") from None
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}"
        SERVER_PIDS[url] = process.pid
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def imagegen_serve(env: dict[str, str] | None = None, log: Path | None = None):
    """`imagegen serve` as shipped (one worker), its access log to `log`."""
    command = [sys.executable, "-m", "imagegen.cli", "serve", "--log-level", "warning"]
    return serving(command, "imagegen serve", env, log)


def uvicorn_server(
    app: str, env: dict[str, str] | None = None, factory: bool = False
) -> AbstractContextManager[str]:
    """A uvicorn process (one worker, no access log) serving `app`; yields its base URL."""
    command = [sys.executable, "-m", "uvicorn", app, "--app-dir", str(ROOT)]
    command += ["--log-level", "warning", "--no-access-log"] + (["--factory"] if factory else [])
    return serving(command, app, env)


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    # Requests answered per second of the server's own CPU time: what its throughput
    # would be with a core to itself, much less moved than `rps` by other processes
    # taking turns on a shared machine. 0 when the server's process is not known.
    per_cpu_second: float = 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise ValueError(f"unexpected wrk latency {value!r}")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def process_tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (gunicorn's worker is its master's child)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = children.read_text().split() if children.exists() else []
    return cpu_seconds(pid) + sum(process_tree_cpu_seconds(int(kid)) for kid in kids)


def wrk(url: str, seconds: int, connections: int = 16, script: str | None = None) -> Load:
    """Throughput and latency percentiles from one wrk run (one thread); `script`, Lua
    source for wrk's `-s` (such as a `request` function that varies the path)."""
    pid = next((pid for base, pid in SERVER_PIDS.items() if url.startswith(base + "/")), None)
    cpu_before = process_tree_cpu_seconds(pid) if pid else 0.0
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script or "")
        lua.flush()
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
            + (["-s", lua.name] if script else [])
            + [url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", out)
    if errors:
        raise RuntimeError(f"wrk saw errors against {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    per_cpu_second = 0.0
    if pid:
        requests = int(re.search(r"(\d+) requests in", out).group(1))
        per_cpu_second = requests / max(process_tree_cpu_seconds(pid) - cpu_before, 1e-9)
    return Load(rps, p50, p99, per_cpu_second)


def side_by_side(
    urls: dict[str, str], seconds: int, rounds: int, scripts: dict[str, str] | None = None
) -> dict[str, Load]:
    """wrk on each URL in turn (with its wrk script from `scripts`, if any), `rounds`
    times; the median round of each."""
    runs: dict[str, list[Load]] = {name: [] for name in urls}
    for _ in range(rounds):
        for name, url in urls.items():
            runs[name].append(wrk(url, seconds, script=(scripts or {}).get(name)))
    return {
        name: sorted(loads, key=lambda load: load.rps)[len(loads) // 2]
        for name, loads in runs.items()
    }


def fetch(
    url: str, headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def p50_interleaved(url: str, function: Callable[[], bytes], count: int) -> tuple[float, float]:
    """Median ms of `count` sequential requests on one keep-alive connection and of
    `count` direct calls, alternated one for one so that both see the same machine."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    served, direct = [], []
    for _ in range(count + 3):
        start = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        served.append(time.perf_counter() - start)
        assert response.status == 200, response.status
        start = time.perf_counter()
        function()
        direct.append(time.perf_counter() - start)
    connection.close()
    return statistics.median(served[3:]) * 1000, statistics.median(direct[3:]) * 1000


# --- the same images, drawn by calling the libraries directly -----------------------

_LATO = ImageFont.truetype(str(FONTS / "lato" / "Lato-Regular.ttf"), 60)


def direct_placeholder() -> bytes:
    """A 600×400 placeholder as a Pillow user would write it: draw, save PNG."""
    image = Image.new("RGB", (600, 400), (204, 204, 204))
    ImageDraw.Draw(image).text((300, 200), "600×400", font=_LATO, fill=(85, 85, 85), anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


_QR_DATA = "https://example.com/tickets/42"


def direct_qr() -> bytes:
    """A QR code as qrcode's documentation shows: make_image, save PNG. 37 modules with
    the quiet zone at 8 px each: 296 px, the nearest it gets to our exact 300."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(_QR_DATA)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()


def direct_chart() -> bytes:
    """A 600×400 bar chart as matplotlib's documentation draws one without pyplot."""
    figure = Figure(figsize=(600 / 96, 400 / 96), dpi=96)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.bar(["Q1", "Q2", "Q3", "Q4"], [12, 19, 7, 15], color="#4e79a7")
    axes.set_title("Sales")
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # an explicit-format GET path
    direct: Callable[[], bytes]


CASES = [
    Case("placeholder 600×400 PNG", "/placeholder/600x400.png", direct_placeholder),
    Case(
        "QR 300×300 PNG",
        "/qr.png?size=300&data=https%3A%2F%2Fexample.com%2Ftickets%2F42",
        direct_qr,
    ),
    Case(
        "bar chart 600×400 PNG",
        "/chart.png?type=bar&data=12,19,7,15&labels=Q1,Q2,Q3,Q4&title=Sales&colors=4e79a7",
        direct_chart,
    ),
]

SIZE_SAMPLES = {
    "placeholder 600×400": "/placeholder/600x400",
    "placeholder, 3 scripts, 2 lines": "/placeholder/600x400?background=1e293b&color=f8fafc"
    "&text=Hello%5Cnw%C3%B6rld%20%E4%BD%A0%E5%A5%BD",
    "placeholder 1200×800 (scale 2)": "/placeholder/600x400?scale=2",
    "QR 300×300": "/qr?size=300&data=https%3A%2F%2Fexample.com%2Ftickets%2F42",
    "bar chart 600×400": "/chart?type=bar&data=12,19,7,15&labels=Q1,Q2,Q3,Q4&title=Sales",
    "line chart 600×400, 2 series": "/chart?type=line&data=1,4,2,8,5|3,2,6,4,7&title=Trend",
}


def best_oxipng(png: bytes) -> int:
    """The smallest size oxipng reaches: its highest level, and zopfli."""
    candidates = [
        oxipng.optimize_from_memory(
            png, level=6, optimize_alpha=True, strip=oxipng.StripChunks.safe()
        ),
        oxipng.optimize_from_memory(
            png,
            level=6,
            optimize_alpha=True,
            strip=oxipng.StripChunks.safe(),
            deflate=oxipng.Deflaters.zopfli(15),
        ),
    ]
    return min(len(c) for c in candidates)


def _section_marks(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->\n", f"<!-- {name}:end -->\n"


def replace_section(path: Path, name: str, text: str) -> None:
    """Write `text` into `path` between the marks of section `name`, in place of what
    was there, or at the end: each benchmark command owns its section of the file."""
    start, end = _section_marks(name)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    block = start + text + end
    if start in old and end in old:
        new = old[: old.index(start)] + block + old[old.index(end) + len(end) :]
    else:
        new = old + ("\n" if old else "") + block
    path.write_text(new, encoding="utf-8")


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument(
        "--samples", type=int, default=40, help="cold renders per case (default 40)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="part 1 alone, written to its own section of the output (`cached`)",
    )
    args = parser.parse_args()
    lines: list[str] = []
    missed = False
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lines.append(
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {cpu}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"one uvicorn worker per server, wrk -t1 -c16 -d{args.seconds}s, "
        f"median of {args.rounds} alternating rounds.\n"
    )

    with tempfile.TemporaryDirectory() as tmp:
        # 1. cache hits vs bare ASGI
        access_log = Path(tmp) / "access.log"
        with (
            imagegen_serve(log=access_log) as ours,
            imagegen_serve({"IMAGEGEN_ACCESS_LOG": "off"}) as quiet,
        ):
            path = "/placeholder/600x400"
            fetch(quiet + path)
            response, body = fetch(ours + path)
            body_file = Path(tmp) / "body.png"
            body_file.write_bytes(body)
            same_headers = {
                name: response.getheader(name) for name in ("ETag", "Cache-Control", "Vary")
            }
            env = {
                "IMAGEGEN_BENCH_BODY": str(body_file),
                "IMAGEGEN_BENCH_MEDIA_TYPE": "image/png",
                "IMAGEGEN_BENCH_HEADERS": json.dumps(same_headers),
            }
            with uvicorn_server("bench.apps:bare", env) as bare:
                urls = {
                    "imagegen serve (access log on)": ours + path,
                    "imagegen serve, IMAGEGEN_ACCESS_LOG=off": quiet + path,
                    "bare": bare + "/",
                }
                loads = side_by_side(urls, args.seconds, args.rounds)
            logged = sum(1 for _ in access_log.open())
        bare = loads["bare"]
        shipped = loads["imagegen serve (access log on)"]
        ratio = shipped.rps / bare.rps
        cpu_ratio = shipped.per_cpu_second / bare.per_cpu_second
        missed |= ratio < 0.85
        lines += [
            "### 1. Cache-hit throughput (target >= 0.85x of a bare ASGI app sending the "
            "same bytes and headers, for imagegen serve as shipped)\n",
            "| server | req/s | p50 ms | p99 ms | / bare | req per server CPU-second | / bare |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *(
                f"| {n} | {load.rps:,.0f} | {load.p50_ms:.2f} | {load.p99_ms:.2f} | "
                f"{load.rps / bare.rps:.2f}x | {load.per_cpu_second:,.0f} | "
                f"{load.per_cpu_second / bare.per_cpu_second:.2f}x |"
                for n, load in loads.items()
            ),
            f"\nimagegen serve / bare = **{ratio:.2f}x** — {verdict(ratio >= 0.85)}; per "
            f"server CPU-second {cpu_ratio:.2f}x ({logged:,} access-log lines written to a "
            "file)\n",
        ]
        if args.cached_only:
            report = "\n".join(lines) + "\n"
            print(report)
            replace_section(args.output, "cached", report)
            return 1 if missed else 0

        # 2. cold renders vs direct library calls
        lines += [
            "### 2. Cold render p50 (cache off; target <= 1.15x of the library called directly)\n",
            "| image | imagegen HTTP p50 ms | direct p50 ms | ratio | |",
            "|---|---:|---:|---:|---|",
        ]
        with uvicorn_server(
            "imagegen.app:create_app", {"IMAGEGEN_CACHE_MAX_BYTES": "0"}, factory=True
        ) as cold:
            for case in CASES:
                served, direct = p50_interleaved(cold + case.path, case.direct, args.samples)
                ok = served / direct <= 1.15
                missed |= not ok
                lines.append(
                    f"| {case.name} | {served:.2f} | {direct:.2f} | "
                    f"{served / direct:.2f}x | {verdict(ok)} |"
                )
        lines.append("")

        # 3. Response vs StreamingResponse
        env = {"IMAGEGEN_BENCH_BODY": str(body_file), "IMAGEGEN_BENCH_MEDIA_TYPE": "image/png"}
        with uvicorn_server("bench.apps:responses", env) as both:
            framing = {}
            for name in ("response", "streaming"):
                response, _ = fetch(f"{both}/{name}")
                framing[name] = (
                    response.getheader("Content-Length") or "—",
                    response.getheader("Transfer-Encoding") or "—",
                )
            loads = side_by_side({n: f"{both}/{n}" for n in framing}, args.seconds, args.rounds)
        lines += [
            "### 3. The same PNG as Response vs StreamingResponse(BytesIO)\n",
            "| class | req/s | p50 ms | p99 ms | Content-Length | Transfer-Encoding |",
            "|---|---:|---:|---:|---:|---|",
            *(
                f"| {n} | {loads[n].rps:,.0f} | {loads[n].p50_ms:.2f} | {loads[n].p99_ms:.2f} | "
                f"{framing[n][0]} | {framing[n][1]} |"
                for n in framing
            ),
            "",
        ]

    # 4. output sizes
    client = TestClient(create_app(Settings.defaults()))
    smallest = TestClient(
        create_app(Settings.defaults().model_copy(update={"png_compression": 12}))
    )
    lines += [
        "### 4. Output size (target: PNG <= 1.05x of the best oxipng result)\n",
        "| image | PNG bytes | oxipng best | ratio | | PNG at IMAGEGEN_PNG_COMPRESSION=12 "
        "| JPEG (q85) | WebP (default) |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for name, path in SIZE_SAMPLES.items():
        sep = "&" if "?" in path else "?"
        png = client.get(f"{path}{sep}format=png").content
        png12 = smallest.get(f"{path}{sep}format=png").content
        jpeg = client.get(f"{path}{sep}format=jpeg").content
        webp = client.get(f"{path}{sep}format=webp").content
        best = best_oxipng(png)
        ok = len(png) / best <= 1.05
        missed |= not ok
        lines.append(
            f"| {name} | {len(png):,} | {best:,} | {len(png) / best:.3f}x | {verdict(ok)} | "
            f"{len(png12):,} ({len(png12) / best:.3f}x) | {len(jpeg):,} | {len(webp):,} |"
        )

    # 5. placeholders, cold: imagegen vs fakeimg over HTTP, and in-process
    from bench.placeholders import placeholder_section

    placeholder_lines, placeholder_missed = placeholder_section(args.seconds, args.rounds)
    lines += placeholder_lines
    missed |= placeholder_missed

    # 6. PNG, WebP and AVIF at equal quality over the gallery (no target: it decides
    # each generator's preference between WebP and AVIF, README "Formats")
    from bench.formats import formats_section

    lines += formats_section(5)

    report = "\n".join(lines) + "\n"
    print(report)
    replace_section(args.output, "run", report)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
