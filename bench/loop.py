"""Cached images and `/fonts` under heavy work: `.venv/bin/python -m bench.loop`.

Starts `imagegen serve` as shipped (default settings, one worker) and measures, with
wrk, the latency of a cached image and of `/fonts` three ways, side by side: idle;
while 8 clients keep heavy chart renders going; and while 4 clients keep sending the
costliest refusal (a QR code of 7,089 digits at a size too small for it, whose capacity
check takes tens of milliseconds). Target: p99 under 20 ms while the heavy work runs —
validation and rendering never hold the event loop. Needs wrk (Debian's package).
"""

import argparse
import http.client
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from bench.run import Load, serving, wrk

HEAVY_CHART = "/chart?type=area&width=2000&height=2000&data={data}"
COSTLY_422 = json.dumps({"data": "1" * 7089, "ecc": "L", "size": 30}).encode()


def _dense(series: int, points: int, salt: int) -> str:
    return "|".join(
        ",".join(str((i * 7 + j + salt) % 10) for i in range(points)) for j in range(series)
    )


def _heavy_render(port: int, index: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", HEAVY_CHART.format(data=_dense(8, 400, index)))
    connection.getresponse().read()
    connection.close()


def _costly_refusal(port: int, index: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/qr", body=COSTLY_422, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    assert response.status == 422
    connection.close()


def imagegen_serve() -> AbstractContextManager[str]:
    """`imagegen serve` as shipped, on its defaults but a free port; yields its base URL."""
    return serving([sys.executable, "-m", "imagegen.cli", "serve"], "imagegen serve")


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run (default 5)")
    args = parser.parse_args()
    with imagegen_serve() as base:
        port = int(base.rsplit(":", 1)[1])
        cached = f"{base}/placeholder/600x400.png?text=cached"
        fonts = f"{base}/fonts"
        wrk(cached, 1)  # render and cache it
        rows: list[tuple[str, str, Load, int]] = []
        for label, clients, work in (
            ("idle", 0, None),
            ("8 clients rendering 2000² charts", 8, _heavy_render),
            ("4 clients sending a costly 422", 4, _costly_refusal),
        ):
            for name, url in (("cached image", cached), ("/fonts", fonts)):
                if work is None:
                    rows.append((label, name, wrk(url, args.seconds, connections=4), 0))
                    continue
                with background(clients, work, port) as done:
                    load = wrk(url, args.seconds, connections=4)
                rows.append((label, name, load, done[0]))
    print("| background work | route | req/s | p50 ms | p99 ms | background requests |")
    print("|---|---|---:|---:|---:|---:|")
    missed = False
    for label, name, load, done in rows:
        print(
            f"| {label} | {name} | {load.rps:.0f} | {load.p50_ms:.1f} | {load.p99_ms:.1f} "
            f"| {done} |"
        )
        missed |= label != "idle" and load.p99_ms >= 20
    print("\ntarget p99 < 20 ms under background work:", "missed" if missed else "met")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
