"""Charts rendered at once in many worker threads of a real uvicorn come out exactly as
when rendered alone: matplotlib is used without shared state."""

import http.client
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from tests.conftest import decode

MIXED = [
    ("png", {"type": "bar", "data": "3,1,4|1,5,9", "labels": "a,b,c", "value_labels": "1"}),
    ("png", {"type": "line", "data": "2,7,1,8,2,8", "title": "Déjà vu", "font": "lato"}),
    ("webp", {"type": "pie", "data": "5,3,2", "labels": "x,y,z", "colors": "red,green"}),
    ("jpeg", {"type": "hbar", "data": "6,2,6", "number_format": "${:,.0f}"}),
    ("svg", {"type": "area", "data": "1,2,3,2|3,2,1,2", "legend": "bottom"}),
    ("pdf", {"type": "stacked_bar", "data": "1,2|2,1", "series": "p,q"}),
    ("png", {"type": "scatter", "data": "1,4,9,16", "x": "1,2,3,4", "log_scale": "1"}),
    ("png", {"type": "sparkline", "data": "1,3,2,5,4", "background": "transparent"}),
    ("svg", {"type": "doughnut", "data": "1,1,2", "labels": "a,b,c", "value_labels": "1"}),
    ("webp", {"type": "line", "data": "1,,3,nan,5", "scale": "2", "grid": "false"}),
]
SIZE = {"width": "160", "height": "120"}
REQUESTS = 50


def fetch(server: tuple[str, int], path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(*server, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def check_decodes(fmt: str, body: bytes) -> None:
    if fmt == "svg":
        assert b"<svg" in body[:400]
    elif fmt == "pdf":
        assert body.startswith(b"%PDF-")
    else:
        image = decode(body)
        assert image.format == fmt.upper()


def test_concurrent_mixed_charts_match_their_single_renders(live_server):
    paths = [(fmt, f"/chart.{fmt}?{urlencode(SIZE | params)}") for fmt, params in MIXED]
    alone = {}
    for fmt, path in paths:
        status, body = fetch(live_server, path)
        assert status == 200, body
        check_decodes(fmt, body)
        alone[path] = body

    batch = [paths[i % len(paths)] for i in range(REQUESTS)]
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(lambda item: fetch(live_server, item[1]), batch))

    for (fmt, path), (status, body) in zip(batch, results, strict=True):
        assert status == 200, path
        check_decodes(fmt, body)
        assert body == alone[path], f"{path} differs when rendered concurrently"
