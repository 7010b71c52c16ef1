"""Prometheus metrics, served at `/metrics`, correct under `imagegen serve --workers N`.

Each worker process counts its own requests; prometheus_client's multiprocess mode keeps
every process's values in memory-mapped files in one folder (`PROMETHEUS_MULTIPROC_DIR`,
which `imagegen serve` makes: `server.prepare_multiprocess_dir`), and whichever worker
answers a scrape adds them up. The mode is chosen when prometheus_client is first
imported, so the variable is set before that. Without it (an app built in tests, or
embedded), the values live in the process, in the app's own registry.
"""

import contextlib
import glob
import os
import re

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# Render times run from a couple of milliseconds (placeholders) to the 10 s budget.
RENDER_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_LIVE_GAUGE_FILE = re.compile(r"gauge_live\w+?_(\d+)\.db$")


def forget_dead_processes() -> None:
    """Drop the gauges of worker processes that are gone (a worker that died and was
    replaced), so that queue depth and cache bytes add up the live workers only."""
    path = os.environ.get(MULTIPROC_ENV)
    if not path:
        return
    for name in glob.glob(os.path.join(path, "gauge_live*.db")):
        match = _LIVE_GAUGE_FILE.search(name)
        if match is None:
            continue
        pid = int(match.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            _multiprocess.mark_process_dead(pid, path)
        except PermissionError:
            pass  # alive, someone else's


class Metrics:
    """Every metric imagegen exports, in `registry`."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        self.requests = Counter(
            "imagegen_requests",
            "HTTP requests answered, by route (the first path segment: a generator, "
            "fonts, docs...; other for unknown paths), status and format of the body.",
            ["route", "status", "format"],
            registry=registry,
        )
        self.not_modified = Counter(
            "imagegen_not_modified_responses",
            "304 answers: If-None-Match matched, nothing rendered or sent.",
            registry=registry,
        )
        self.unavailable = Counter(
            "imagegen_unavailable_responses",
            "503 answers of the app: too many renders under way, or a render past its "
            "budget (uvicorn's own 503s past IMAGEGEN_MAX_CONNECTIONS never reach it).",
            registry=registry,
        )
        self.rate_limited = Counter(
            "imagegen_rate_limited_responses",
            "429 answers: a client over IMAGEGEN_RATE_LIMIT.",
            registry=registry,
        )
        self.render_seconds = Histogram(
            "imagegen_render_seconds",
            "Time to draw and encode one image, by generator and format.",
            ["generator", "format"],
            buckets=RENDER_BUCKETS,
            registry=registry,
        )
        self.cache_requests = Counter(
            "imagegen_cache_requests",
            "Image requests by how the image was found: hit (in this worker's cache), "
            "shared (in Redis), joined (a render under way for another request), miss "
            "(rendered).",
            ["result"],
            registry=registry,
        )
        self.cache_evictions = Counter(
            "imagegen_cache_evictions",
            "Images dropped from the in-process cache to stay within its bytes.",
            registry=registry,
        )
        self.cache_bytes = Gauge(
            "imagegen_cache_bytes",
            "Bytes the in-process caches hold (images, remembered URLs, bookkeeping), "
            "all live workers together.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.renders_under_way = Gauge(
            "imagegen_renders_under_way",
            "Renders running or queued for a render thread (the render queue's depth), "
            "all live workers together; IMAGEGEN_MAX_RENDERS per worker at most.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.redis_errors = Counter(
            "imagegen_redis_errors",
            "Redis commands that failed or timed out; the server rendered without Redis.",
            ["operation"],
            registry=registry,
        )

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format: every worker's when several share
        the multiprocess folder, else this process's."""
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        with contextlib.suppress(FileNotFoundError):  # a worker's file mid-removal
            _multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
