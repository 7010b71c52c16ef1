"""/healthz, /readyz, /metrics and the access log, through the HTTP app."""

import asyncio
import io
import json

from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from imagegen.app import create_app
from imagegen.cache import CacheMiddleware
from imagegen.metrics import Metrics
from imagegen.observe import _MAX_REMEMBERED_ANSWERS, AccessLog, Observer, RequestRecord
from imagegen.settings import Settings
from imagegen.signing import sign_url
from tests.conftest import decode


def scrape(client: TestClient) -> dict[tuple[str, frozenset], float]:
    """/metrics parsed by prometheus_client's own parser: (sample name, labels) -> value."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(metrics: dict, name: str, **labels: str) -> float:
    return metrics.get((name, frozenset(labels.items())), 0.0)


def logged(client: TestClient) -> list[str]:
    """The access-log lines written since the last call."""
    app = client.app
    stream = io.StringIO()
    app.observer.access_log.stream = stream
    app.observer.flush()
    return stream.getvalue().splitlines()


def app_client(**settings) -> TestClient:
    return TestClient(create_app(Settings.defaults().model_copy(update=settings)))


def test_healthz_and_readyz_are_json_and_not_in_the_spec(client):
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert health.headers["cache-control"] == "no-store"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "fonts": len(client.get("/fonts").json()),  # every bundled family
        "generators": 3,
        "shutting_down": False,
    }
    assert client.head("/healthz").status_code == 200
    refused = client.post("/healthz")
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"
    assert refused.json()["error"] == "method_not_allowed"
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/healthz", "/readyz", "/metrics"} & set(paths)


def test_readyz_is_503_once_draining():
    client = app_client()
    client.app.health.draining = True
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not_ready"
    assert response.json()["shutting_down"] is True
    assert client.get("/healthz").status_code == 200  # alive, just not taking traffic


def test_health_routes_are_never_signed():
    client = app_client(signing_key=SecretStr("secret"))
    assert client.get("/placeholder/10x10").status_code == 403
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path).status_code == 200, path


def test_metrics_count_requests_renders_and_cache():
    client = app_client()
    before = scrape(client)
    first = client.get("/placeholder/40x30.png")
    again = client.get("/placeholder/40x30.png")  # answered by the cache middleware
    etag = first.headers["etag"]
    assert client.get("/placeholder/40x30.png", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/qr.svg?data=hi").status_code == 200
    assert client.get("/placeholder/99999x1").status_code == 422
    assert client.get("/nowhere").status_code == 404
    assert decode(again.content).size == (40, 30)
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "imagegen_requests_total"
    assert delta(requests, route="/placeholder", status="200", format="png") == 2
    assert delta(requests, route="/placeholder", status="304", format="-") == 1
    assert delta(requests, route="/placeholder", status="422", format="json") == 1
    assert delta(requests, route="/qr", status="200", format="svg") == 1
    assert delta(requests, route="other", status="404", format="json") == 1
    assert delta("imagegen_not_modified_responses_total") == 1
    assert delta("imagegen_cache_requests_total", result="miss") == 2
    assert delta("imagegen_cache_requests_total", result="hit") == 2  # the 200 and the 304
    renders = "imagegen_render_seconds_count"
    assert delta(renders, generator="placeholder", format="png") == 1
    assert delta(renders, generator="qr", format="svg") == 1
    assert value(after, "imagegen_cache_bytes") > 0
    assert value(after, "imagegen_renders_under_way") == 0


def test_metrics_count_evictions():
    client = app_client(cache_max_bytes=8 * 1024)
    for width in range(20, 40):
        assert client.get(f"/placeholder/{width}x20.png").status_code == 200
    metrics = scrape(client)
    assert value(metrics, "imagegen_cache_evictions_total") > 0
    assert value(metrics, "imagegen_cache_bytes") <= 8 * 1024


def test_metrics_count_503s():
    client = app_client(max_renders=1, render_timeout=0.001)
    # A chart that takes longer than a millisecond: 503 render_timeout.
    response = client.get("/chart.png?data=1,2,3&width=800&height=600")
    assert response.status_code == 503
    metrics = scrape(client)
    assert value(metrics, "imagegen_unavailable_responses_total") == 1
    assert value(metrics, "imagegen_requests_total", route="/chart", status="503", format="json")


def test_access_log_lines():
    client = app_client(signing_key=SecretStr("k"))
    key = b"k"
    logged(client)
    url = sign_url("/placeholder/30x20.png?text=hi", key)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    assert client.get("/placeholder/30x20.png?text=hi&signature=bad").status_code == 403
    lines = logged(client)
    assert len(lines) == 4
    time, client_address, method, path, status, size, fmt, cache, render = lines[0].split(" ")
    assert time.endswith("Z") and client_address == "testclient"
    assert (method, path) == ('"GET', '/placeholder/30x20.png?text=hi"')  # no signature
    assert (status, fmt, cache) == ("200", "png", "miss")
    assert int(size) > 0 and float(render) > 0
    assert lines[1].split(" ")[4:] == ["200", size, "png", "hit", "-"]
    assert lines[2].split(" ")[2] == '"HEAD' and lines[2].split(" ")[4:6] == ["200", "0"]
    assert lines[3].split(" ")[4:] == ["403", lines[3].split(" ")[5], "json", "-", "-"]
    assert "signature" not in "\n".join(lines)


def test_cached_answers_are_logged_and_counted_in_front_of_the_other_layers():
    # With no rate limit, signing or CORS the cache is the first layer: it answers hits
    # itself and reports them, each line as the access-log layer would write it.
    client = app_client()
    app = client.app
    front = app._build_front()
    assert isinstance(front, CacheMiddleware) and front.in_front
    other = TestClient(app, client=("203.0.113.7", 40000))
    logged(client)
    url = '/placeholder/30x20?text=a"b'
    first = client.get(url)
    etag = first.headers["etag"]
    for _ in range(2):
        assert client.get(url).content == first.content
    assert other.get(url).content == first.content
    assert client.head(url).headers["content-length"] == str(len(first.content))
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    lines = logged(client)
    size = str(len(first.content))
    target = '"GET /placeholder/30x20?text=a%22b"'
    fields = [line.split(" ", 2) for line in lines]
    assert [(client, rest) for _, client, rest in fields] == [
        ("testclient", f"{target} 200 {size} png miss {lines[0].rsplit(' ', 1)[1]}"),
        ("testclient", f"{target} 200 {size} png hit -"),
        ("testclient", f"{target} 200 {size} png hit -"),
        ("203.0.113.7", f"{target} 200 {size} png hit -"),
        ("testclient", '"HEAD /placeholder/30x20?text=a%22b" 200 0 png hit -'),
        ("testclient", f"{target} 304 0 - hit -"),
    ]
    metrics = scrape(client)
    assert value(metrics, "imagegen_cache_requests_total", result="hit") == 5
    labels = {"route": "/placeholder", "status": "200", "format": "png"}
    assert value(metrics, "imagegen_requests_total", **labels) == 5


def test_cache_is_behind_the_opt_in_guards():
    key = SecretStr("k")
    for settings in ({"rate_limit": 5.0}, {"signing_key": key}, {"cors_origins": ("*",)}):
        app = app_client(**settings).app
        assert not isinstance(app._build_front(), CacheMiddleware), settings


def test_remembered_cached_answers_are_bounded():
    observer = Observer(Metrics(CollectorRegistry()), AccessLog("text", io.StringIO()), {}, ())
    headers = [(b"content-type", b"image/png")]

    async def answer_many() -> None:
        for n in range(_MAX_REMEMBERED_ANSWERS * 3):
            scope = {"path": "/x", "query_string": b"n=%d" % n, "method": "GET"}
            observer.answered(scope | {"client": ("1.2.3.4", 1)}, 200, headers, 10)
            assert len(observer._answers) <= _MAX_REMEMBERED_ANSWERS

    asyncio.run(answer_many())
    assert len(observer.access_log.lines) == _MAX_REMEMBERED_ANSWERS * 3
    assert observer.access_log.lines[-1].endswith(' 1.2.3.4 "GET /x?n=1535" 200 10 png hit -')


def test_text_lines_escape_quotes_and_control_characters():
    log = AccessLog("text", io.StringIO())
    record = RequestRecord()
    log.add(0.0, "1.2.3.4", log.request_part("GET", '/x?a="\n"', record, "-"))
    (line,) = log.lines
    assert '"GET /x?a=\\"\\n\\"" 500 0 - - -' in line


def test_access_log_as_json_lines():
    client = app_client(access_log="json")
    logged(client)
    assert client.get('/placeholder/30x20?text=a"b').status_code == 200
    assert client.get("/placeholder/30x20?text=%01").status_code == 422
    assert client.get('/placeholder/30x20?text=a"b').status_code == 200  # cached
    lines = logged(client)
    entries = [json.loads(line) for line in lines]
    cached = entries[0] | {"time": entries[2]["time"], "cache": "hit", "render_ms": None}
    assert entries[2] == cached
    assert lines[2] == json.dumps(entries[2], ensure_ascii=False)  # as json.dumps writes it
    assert entries[0]["path"] == "/placeholder/30x20?text=a%22b"
    assert entries[0]["status"] == 200 and entries[0]["format"] == "png"
    assert entries[0]["cache"] == "miss" and entries[0]["render_ms"] > 0
    assert entries[1]["path"] == "/placeholder/30x20?text=%01"
    assert entries[1]["cache"] is None and entries[1]["render_ms"] is None
    assert set(entries[0]) == {
        "time",
        "client",
        "method",
        "path",
        "status",
        "bytes",
        "format",
        "cache",
        "render_ms",
    }


def test_access_log_off():
    client = app_client(access_log="off")
    assert client.app.observer.access_log is None
    assert client.get("/placeholder/10x10").status_code == 200
