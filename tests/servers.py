"""Real servers on loopback for the tests: `imagegen serve`, redis-server, nginx."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2

from tests.conftest import NOT_TESTED

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
NEEDS_REDIS = (
    NOT_TESTED + "shared-cache tests need Debian's redis-server: "
    "sudo apt-get install redis-server  (or run: bash .ci/run)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.05)


@dataclass
class Served:
    """A running `imagegen serve`: its base URL, process and standard output file."""

    url: str
    port: int
    process: subprocess.Popen
    output: Path

    def lines(self) -> list[str]:
        return self.output.read_text().splitlines()


@contextlib.contextmanager
def imagegen_serve(
    tmp: Path, env: dict[str, str] | None = None, workers: int = 1, port: int | None = None
) -> Iterator[Served]:
    """`imagegen serve` on a free port with `env` added, until its /readyz is 200."""
    port = port or free_port()
    output = tmp / f"serve-{port}.out"
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("IMAGEGEN_", "PROMETHEUS_"))
    }
    command = [sys.executable, "-m", "imagegen.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env=environment | (env or {}),
        stdout=output.open("w"),
        stderr=(tmp / f"serve-{port}.err").open("w"),
        start_new_session=True,
    )
    try:
        wait_for_port(port, process, "imagegen serve")
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while httpx2.get(url + "/readyz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        yield Served(url, port, process, output)
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@contextlib.contextmanager
def redis_server(tmp: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """A throwaway redis-server on a free loopback port: (its URL, its process)."""
    port = free_port()
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    process = subprocess.Popen(
        [*command, "--appendonly", "no", "--dir", str(tmp), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.send_signal(signal.SIGCONT)  # in case a test paused it
        process.terminate()
        process.wait(timeout=30)
