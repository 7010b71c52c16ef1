"""The shared second-level cache on a real redis-server (Debian's) on a free port."""

import logging
import signal
import threading
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from pydantic import SecretStr

from imagegen.app import create_app
from imagegen.settings import Settings
from tests.conftest import decode, loud_skip_unless_ci
from tests.servers import NEEDS_REDIS, REDIS_SERVER, free_port, redis_server
from tests.test_health import scrape, value

pytestmark = loud_skip_unless_ci(not Path(REDIS_SERVER).exists(), NEEDS_REDIS)

SLOW_CHART = "/chart.png?type=line&width=1500&height=1000&data=" + ",".join(["3", "1", "4"] * 300)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as (url, _):
        yield url


def instance(url: str, **settings) -> TestClient:
    """One imagegen instance (its own in-process cache) using Redis at `url`."""
    update = {"redis_url": SecretStr(url), "access_log": "off"} | settings
    return TestClient(create_app(Settings.defaults().model_copy(update=update)))


def renders(client: TestClient) -> float:
    metrics = scrape(client)
    return sum(v for (name, _), v in metrics.items() if name == "imagegen_render_seconds_count")


def test_an_image_rendered_by_one_instance_is_served_by_another(redis_url):
    with instance(redis_url) as a, instance(redis_url) as b:
        first = a.get("/placeholder/123x45.webp?text=shared")
        second = b.get("/placeholder/123x45.webp?text=shared")
        assert first.status_code == second.status_code == 200
        assert second.content == first.content
        assert second.headers["etag"] == first.headers["etag"]
        assert second.headers["content-type"] == "image/webp"
        assert second.headers["cache-control"] == first.headers["cache-control"]
        assert decode(second.content).size == (123, 45)
        assert renders(a) == 1 and renders(b) == 0
        assert value(scrape(b), "imagegen_cache_requests_total", result="shared") == 1
        # Now in b's own cache: a revalidation is a 304 without Redis.
        etag = second.headers["etag"]
        again = b.get("/placeholder/123x45.webp?text=shared", headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert b.get("/readyz").json()["shared_cache"] == "ok"


def test_entries_expire_and_big_images_stay_local(redis_url):
    store = redis.Redis.from_url(redis_url)
    with instance(redis_url, redis_ttl=60, redis_max_image_bytes=2000) as a:
        small = a.get("/placeholder/20x20.png?text=ttl")
        big = a.get("/placeholder/900x900.jpeg?text=big")
        assert len(small.content) < 2000 < len(big.content)
        small_key = "imagegen:image:" + small.headers["etag"].strip('"')
        big_key = "imagegen:image:" + big.headers["etag"].strip('"')
        assert 0 < store.ttl(small_key) <= 60
        assert not store.exists(big_key)
        assert not store.keys("imagegen:lock:*")  # released after storing


def test_concurrent_misses_on_two_instances_render_once(redis_url):
    with instance(redis_url) as a, instance(redis_url) as b:
        results: dict[str, bytes] = {}
        start = threading.Barrier(2)

        def fetch(name: str, client: TestClient) -> None:
            start.wait()
            response = client.get(SLOW_CHART)
            assert response.status_code == 200
            results[name] = response.content

        threads = [threading.Thread(target=fetch, args=(n, c)) for n, c in (("a", a), ("b", b))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert results["a"] == results["b"]
        assert renders(a) + renders(b) == 1
        shared = "imagegen_cache_requests_total"
        assert sorted(value(scrape(c), shared, result="shared") for c in (a, b)) == [0, 1]


def test_redis_down_means_rendering_without_it(caplog):
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with caplog.at_level(logging.WARNING, "imagegen"), instance(closed) as a:
        for i in range(3):
            response = a.get(f"/placeholder/{30 + i}x30.png")
            assert response.status_code == 200
            assert decode(response.content).size == (30 + i, 30)
        ready = a.get("/readyz")
        assert ready.status_code == 200  # a cache down is not a reason to take traffic away
        assert ready.json()["shared_cache"] == "unreachable"
        metrics = scrape(a)
    assert value(metrics, "imagegen_redis_errors_total", operation="get") >= 1
    warnings = [r for r in caplog.records if "rendering without the shared cache" in r.message]
    assert len(warnings) == 1  # once per outage, not per request


def test_redis_that_hangs_is_timed_out(tmp_path):
    with redis_server(tmp_path) as (url, process), instance(url, redis_timeout=0.2) as a:
        assert a.get("/placeholder/40x41.png").status_code == 200  # connected, stored
        process.send_signal(signal.SIGSTOP)  # accepts nothing, answers nothing
        try:
            response = a.get("/placeholder/40x42.png")
            assert response.status_code == 200
            assert decode(response.content).size == (40, 42)
        finally:
            process.send_signal(signal.SIGCONT)
        metrics = scrape(a)
        errors = [v for (name, _), v in metrics.items() if name == "imagegen_redis_errors_total"]
        assert sum(errors) >= 1
