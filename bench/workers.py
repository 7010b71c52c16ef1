"""`imagegen serve --workers N` for N = 1, 2 and 4 on this machine, side by side in one
run: cold placeholders (a new 600×400 PNG each request, the cache off) and cached images,
wrk -t1 -c16, alternating rounds; and the memory of each worker and render process.

    .venv/bin/python -m bench.workers [--seconds 5] [--rounds 3]

It prints a Markdown section and puts it in bench/results.md (between the `workers`
marks). Memory is measured after the load: RSS, and PSS (shared pages divided among the
processes that share them: what the processes add up to).
"""

import argparse
import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from bench.placeholders import _WRK_SCRIPT
from bench.run import ROOT, fetch, replace_section, serving, side_by_side

WORKERS = (1, 2, 4)
CONNECTIONS = 16  # side_by_side's wrk


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(kid) for kid in path.read_text().split()] if path.exists() else []


def _memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process in KiB."""
    rss = pss = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1])
        elif line.startswith("Pss:"):
            pss = int(line.split()[1])
    return rss, pss


def memory(server_pid: int) -> dict[str, tuple[int, int, int]]:
    """By role (uvicorn's supervisor, workers, render processes): (count, RSS MiB of
    one, PSS MiB of all)."""
    roles: dict[str, list[tuple[int, int]]] = {"supervisor": [], "worker": [], "render": []}
    kids = _children(server_pid)
    workers = [pid for pid in kids if _children(pid)] or [server_pid]
    if workers != [server_pid]:
        roles["supervisor"].append(_memory_kib(server_pid))
    for worker in workers:
        roles["worker"].append(_memory_kib(worker))
        for render in _children(worker):
            roles["render"].append(_memory_kib(render))
    return {
        role: (len(values), max(v[0] for v in values) // 1024, sum(v[1] for v in values) // 1024)
        for role, values in roles.items()
        if values
    }


def _settled(timeout: float = 120) -> None:
    """Wait until the servers started (their workers and render processes importing)
    use less than a tenth of a core."""
    from bench.run import SERVER_PIDS, process_tree_cpu_seconds

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = sum(process_tree_cpu_seconds(pid) for pid in SERVER_PIDS.values())
        time.sleep(2)
        after = sum(process_tree_cpu_seconds(pid) for pid in SERVER_PIDS.values())
        if after - before < 0.2:
            return


def imagegen_workers(workers: int, env: dict[str, str]):
    command = [sys.executable, "-m", "imagegen.cli", "serve", "--log-level", "warning"]
    return serving([*command, "--workers", str(workers)], f"{workers} workers", env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    cold, cached, memories = {}, {}, {}
    pattern = "/placeholder/600x400.png?background=%06x"
    with ExitStack() as stack:
        cold_urls, cached_urls, scripts = {}, {}, {}
        for n in WORKERS:
            # One at a time: a server's processes starting together (imports, fonts,
            # render processes) slow the next one's start on a small machine.
            cold_base = stack.enter_context(imagegen_workers(n, {"IMAGEGEN_CACHE_MAX_BYTES": "0"}))
            _settled()
            cached_base = stack.enter_context(imagegen_workers(n, {}))
            _settled()
            name = f"{n} worker{'s' if n > 1 else ''}"
            cold_urls[name], scripts[name] = cold_base + "/", _WRK_SCRIPT % pattern
            cached_urls[name] = cached_base + "/placeholder/600x400.png"
        for url in cached_urls.values():
            for _ in range(40):  # every worker's cache holds the image
                fetch(url)
        cold = side_by_side(cold_urls, args.seconds, args.rounds, scripts)
        cached = side_by_side(cached_urls, args.seconds, args.rounds)
        from bench.run import SERVER_PIDS

        for name, url in cold_urls.items():
            pid = next(p for base, p in SERVER_PIDS.items() if url.startswith(base + "/"))
            memories[name] = memory(pid)
    lines = _report(cold, cached, memories, args, load_before)
    text = "\n".join(lines) + "\n"
    print(text)
    replace_section(ROOT / "bench" / "results.md", "workers", text)
    return 0


def _report(cold, cached, memories, args, load_before) -> list[str]:
    one_cold, one_cached = cold["1 worker"], cached["1 worker"]
    lines = [
        "### imagegen serve --workers N on this machine "
        f"({os.cpu_count()} cores, `python -m bench.workers`)\n",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, wrk -t1 -c{CONNECTIONS} "
        f"-d{args.seconds}s on the same machine, median of {args.rounds} alternating rounds; "
        f"load average before the run {load_before:.1f} (other work on the machine). "
        "Each worker has its own render processes (`IMAGEGEN_RENDER_PROCESSES`, 2).\n",
        "| workers | cold placeholder req/s | / 1 worker | cached req/s | / 1 worker | "
        "cold req per server CPU-second |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in cold:
        lines.append(
            f"| {name} | {cold[name].rps:,.0f} | {cold[name].rps / one_cold.rps:.2f}x | "
            f"{cached[name].rps:,.0f} | {cached[name].rps / one_cached.rps:.2f}x | "
            f"{cold[name].per_cpu_second:,.0f} |"
        )
    lines += [
        "",
        "| workers | process | count | RSS MiB (largest) | PSS MiB (all of them) |",
        "|---|---|---:|---:|---:|",
    ]
    for name, roles in memories.items():
        for role, (count, rss, pss) in roles.items():
            lines.append(f"| {name} | {role} | {count} | {rss} | {pss} |")
    return lines


if __name__ == "__main__":
    sys.exit(main())
