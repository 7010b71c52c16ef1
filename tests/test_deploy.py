"""deploy/nginx.conf as shipped, on one machine: nginx (Debian's) balancing two
`imagegen serve` sharing a redis-server; one imagegen is killed under load."""

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx2
import pytest

from tests.conftest import NOT_TESTED, decode, loud_skip_unless_ci
from tests.servers import (
    NEEDS_REDIS,
    REDIS_SERVER,
    free_port,
    imagegen_serve,
    redis_server,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NEEDS_NGINX = (
    NOT_TESTED + "the deployment test needs Debian's nginx and redis-server: "
    "sudo apt-get install nginx redis-server  (or run: bash .ci/run)"
)
pytestmark = [
    loud_skip_unless_ci(not Path(NGINX).exists(), NEEDS_NGINX),
    loud_skip_unless_ci(not Path(REDIS_SERVER).exists(), NEEDS_REDIS),
]
CLIENTS, REQUESTS_EACH = 4, 40


def nginx_config(tmp: Path, listen: int, upstreams: list[int]) -> Path:
    """deploy/nginx.conf with this test's ports and paths (and user, when root)."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    text = text.replace("127.0.0.1:8001", f"127.0.0.1:{upstreams[0]}")
    text = text.replace("127.0.0.1:8002", f"127.0.0.1:{upstreams[1]}")
    text = text.replace("/var/cache/nginx/imagegen", str(tmp / "cache"))
    text = text.replace("/run/nginx-imagegen.pid", str(tmp / "nginx.pid"))
    assert text.count(str(tmp)) == 2 and f"{upstreams[1]}" in text
    if os.geteuid() == 0:  # workers would be "nobody", who cannot write in tmp
        text = "user root;\n" + text
    path = tmp / "nginx.conf"
    path.write_text(text)
    return path


@pytest.fixture
def nginx_started(tmp_path):
    def start(listen: int, upstreams: list[int]) -> subprocess.Popen:
        config = nginx_config(tmp_path, listen, upstreams)
        command = [NGINX, "-c", str(config), "-p", str(tmp_path), "-g", "daemon off;"]
        process = subprocess.Popen(
            [*command, "-e", str(tmp_path / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        wait_for_port(listen, process, "nginx")
        return process

    started: list[subprocess.Popen] = []
    yield start
    for process in started:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=30)


def test_balanced_pair_survives_losing_one_instance(tmp_path, nginx_started):
    ports = [free_port(), free_port()]
    with redis_server(tmp_path) as (redis_url, _):
        env = {"IMAGEGEN_REDIS_URL": redis_url, "IMAGEGEN_TRUSTED_PROXIES": "127.0.0.1"}
        with (
            imagegen_serve(tmp_path, env, port=ports[0]) as first,
            imagegen_serve(tmp_path, env, port=ports[1]) as second,
        ):
            listen = free_port()
            nginx_started(listen, ports)
            front = f"http://127.0.0.1:{listen}"

            # Both instances answer one URL with the same bytes and ETag.
            answers = [
                httpx2.get(s.url + "/qr.png?data=deploy&size=200", timeout=10)
                for s in (first, second)
            ]
            assert answers[0].content == answers[1].content
            assert answers[0].headers["etag"] == answers[1].headers["etag"]

            # nginx caches by URL and by Accept.
            png = httpx2.get(front + "/placeholder/64x48", timeout=10)
            webp = httpx2.get(front + "/placeholder/64x48", headers={"Accept": "image/webp"})
            again = httpx2.get(front + "/placeholder/64x48", timeout=10)
            assert png.headers["content-type"] == again.headers["content-type"] == "image/png"
            assert webp.headers["content-type"] == "image/webp"
            assert again.headers["x-cache-status"] == "HIT"
            assert httpx2.get(front + "/healthz", timeout=10).status_code == 404

            # Bounded load, every URL new (so every request goes upstream); the second
            # instance is killed a quarter of the way through.
            failures: list[str] = []
            done = threading.Semaphore(0)

            def client(index: int) -> None:
                with httpx2.Client(timeout=30) as session:
                    for i in range(REQUESTS_EACH):
                        url = f"{front}/placeholder/{100 + index}x{100 + i}.png?text=load"
                        response = session.get(url)
                        if response.status_code != 200:
                            failures.append(f"{url}: {response.status_code}")
                        elif decode(response.content).size != (100 + index, 100 + i):
                            failures.append(f"{url}: wrong image")
                        done.release()

            threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            for thread in threads:
                thread.start()
            for _ in range(CLIENTS * REQUESTS_EACH // 4):
                done.acquire(timeout=60)
            os.killpg(second.process.pid, signal.SIGKILL)
            for thread in threads:
                thread.join(timeout=120)
            assert not failures
            assert second.process.wait(timeout=10) == -signal.SIGKILL

            # The survivor served the rest; the client address is nginx's forwarded one.
            # The access log is written in batches (every 0.25 s): wait for the last.
            expected = CLIENTS * REQUESTS_EACH * 3 // 4
            deadline = time.monotonic() + 10
            while True:
                served = [line for line in first.lines() if '"GET /placeholder/1' in line]
                if len(served) >= expected or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert len(served) >= expected
            assert all(re.search(r"^\S+ 127\.0\.0\.1 ", line) for line in served)
