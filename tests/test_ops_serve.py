"""`imagegen serve` as shipped: metrics added up over its workers, its access log, and a
graceful shutdown on SIGTERM."""

import os
import signal
import subprocess
import sys
import threading
import time

import httpx2
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import decode
from tests.servers import imagegen_serve

REQUESTS = 60


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    text = httpx2.get(url + "/metrics", timeout=10).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def requests_total(metrics: dict) -> float:
    return sum(v for (name, _), v in metrics.items() if name == "imagegen_requests_total")


def eventually(condition, seconds: float = 20) -> bool:
    """Whether `condition()` holds within `seconds` (counts are written out in batches)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_the_command_line_loads_prometheus_client_only_after_serve_sets_it_up():
    """prometheus_client picks its multiprocess value class when imported: imported
    before `serve` sets PROMETHEUS_MULTIPROC_DIR, every worker's /metrics is empty."""
    check = "import sys, imagegen.cli; print('prometheus_client' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_metrics_add_up_over_workers_and_the_log_has_a_line_each(tmp_path):
    with imagegen_serve(tmp_path, workers=2) as served:
        for i in range(REQUESTS):  # a new connection each: both workers take some
            response = httpx2.get(f"{served.url}/placeholder/{20 + i % 10}x20.png", timeout=10)
            assert response.status_code == 200
        # Every scrape, whichever worker answers it, counts every request.
        assert eventually(lambda: requests_total(scrape(served.url)) == REQUESTS)
        for _ in range(10):
            metrics = scrape(served.url)
            assert requests_total(metrics) == REQUESTS
            misses = metrics[("imagegen_cache_requests_total", frozenset({("result", "miss")}))]
            hits = metrics.get(("imagegen_cache_requests_total", frozenset({("result", "hit")})))
            assert misses + (hits or 0) == REQUESTS
            assert metrics[("imagegen_cache_bytes", frozenset())] > 0
        lines = [line for line in served.lines() if '"GET /placeholder/' in line]
        assert len(lines) == REQUESTS
        assert all(line.split(" ")[4:7] == ["200", line.split(" ")[5], "png"] for line in lines)
    metrics_dirs = [p for p in os.listdir("/tmp") if p.startswith("imagegen-metrics-")]
    assert not [d for d in metrics_dirs if str(served.process.pid) in d]


def test_uvicorn_access_log_is_off_and_ours_is_on(tmp_path):
    with imagegen_serve(tmp_path) as served:
        assert httpx2.get(served.url + "/placeholder/10x10", timeout=10).status_code == 200
        assert eventually(lambda: any("/placeholder/10x10" in line for line in served.lines()))
    errors = (tmp_path / f"serve-{served.port}.err").read_text()
    assert "/placeholder/10x10" not in errors  # uvicorn's own access line


def test_sigterm_flips_readiness_first_and_lets_renders_finish(tmp_path):
    env = {"IMAGEGEN_SHUTDOWN_DRAIN": "1"}
    with imagegen_serve(tmp_path, env) as served:
        slow_url = (
            served.url
            + "/chart.png?type=line&width=3000&height=3000&data="
            + ",".join(["1", "5", "2", "8"] * 200)
        )
        result: dict[str, httpx2.Response] = {}
        slow = threading.Thread(
            target=lambda: result.update(response=httpx2.get(slow_url, timeout=60))
        )
        slow.start()

        def rendering() -> bool:
            # No sample until a render has set the gauge (the multiprocess collector).
            return scrape(served.url).get(("imagegen_renders_under_way", frozenset()), 0) >= 1

        assert eventually(rendering)
        served.process.send_signal(signal.SIGTERM)
        assert eventually(
            lambda: httpx2.get(served.url + "/readyz", timeout=10).status_code == 503, 5
        )
        slow.join(timeout=60)
        response = result["response"]
        assert response.status_code == 200
        assert decode(response.content).size == (3000, 3000)
        # uvicorn re-raises the signal once it has shut down: the exit status is SIGTERM's.
        assert served.process.wait(timeout=30) in (0, -signal.SIGTERM)
    errors = (tmp_path / f"serve-{served.port}.err").read_text()
    assert "Application shutdown complete" in errors
    assert any('"GET /chart.png?type=line' in line for line in served.lines())
