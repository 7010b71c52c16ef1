"""Issue 14's reproductions: cache poisoning by repeated headers, the five 500s, control
characters in drawn text (SVG must stay XML), and strict JSON bodies."""

import http.client
import json

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from imagegen.formats import SVG
from tests.conftest import assert_format, decode


def _get(
    server: tuple[str, int], url: str, headers: list[tuple[str, str]]
) -> http.client.HTTPResponse:
    """A GET over a real socket, sending `headers` in order, repeats included."""
    connection = http.client.HTTPConnection(*server, timeout=30)
    connection.putrequest("GET", url)
    for name, value in headers:
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    response.read_body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_duplicate_accept_cannot_poison_the_cache(live_server: tuple[str, int]) -> None:
    url = "/placeholder/60x40?text=Poison&background=transparent"
    first = _get(live_server, url, [("Accept", "image/jpeg"), ("Accept", "*/*")])
    assert first.status == 200
    after = _get(live_server, url, [("Accept", "*/*")])
    assert after.getheader("content-type") == "image/png"
    image = decode(after.read_body)  # type: ignore[attr-defined]
    assert image.convert("RGBA").getpixel((0, 0))[3] == 0


def test_duplicate_if_none_match_reads_every_line(live_server: tuple[str, int]) -> None:
    url = "/placeholder/61x40.png?text=Etag"
    # Named format, so another Accept gives the same ETag under another raw-request key.
    etag = _get(live_server, url, [("Accept", "image/png")]).getheader("etag")
    for _ in range(2):  # the route, then the cache layer
        answer = _get(live_server, url, [("If-None-Match", '"other"'), ("If-None-Match", etag)])
        assert answer.status == 304


def test_non_utf8_if_none_match_on_a_cached_url(live_server: tuple[str, int]) -> None:
    url = "/placeholder/62x40.png"
    assert _get(live_server, url, []).status == 200
    connection = http.client.HTTPConnection(*live_server, timeout=30)
    connection.putrequest("GET", url)
    connection.putheader("If-None-Match", b"\xff\xfe")
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 200
    assert Image.open(response).size == (62, 40)


@pytest.mark.parametrize("quality", ["%C2%B2", "9" * 4301, "%EF%BC%95"])
def test_odd_quality_is_a_422(client: TestClient, quality: str) -> None:
    response = client.get(f"/placeholder/60x40.jpg?quality={quality}")
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == "quality"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"data": ' + "[" * 600 + "1" + "]" * 600 + "}", "nested"),
        ("[" * 100_000, "nested"),
        ('{"data": [1, NaN]}', "NaN"),
        ('{"data": [Infinity]}', "Infinity"),
        ('{"data": [-Infinity]}', "-Infinity"),
    ],
)
def test_malformed_json_is_a_400(client: TestClient, body: str, reason: str) -> None:
    response = client.post("/chart.png", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
    assert reason in response.json()["message"]
    assert "int_max_str_digits" not in response.json()["message"]


def test_huge_integer_is_a_422_naming_the_field(client: TestClient) -> None:
    body = '{"data": "hello", "size": ' + "9" * 5000 + "}"
    response = client.post("/qr.png", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == "size"


def test_parameters_in_the_wrong_place_are_refused(client: TestClient) -> None:
    in_query = client.post("/qr.png?size=300", json={"data": "hello"})
    assert in_query.status_code == 422
    assert in_query.json()["parameters"][0]["parameter"] == "size"
    in_body = client.post("/qr", json={"data": "hello", "format": "svg"})
    assert in_body.status_code == 422
    assert in_body.json()["parameters"][0]["parameter"] == "format"
    assert (
        client.post("/qr?format=svg", json={"data": "hi"})
        .headers["content-type"]
        .startswith("image/svg+xml")
    )


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/chart.svg?data=1&title=a%01b", "title"),
        ("/chart.svg?data=1,2&labels=a%02,b", "labels.0"),
        ("/chart.svg?data=1&series=x%07", "series.0"),
        ("/chart.svg?data=1&x_title=%1B", "x_title"),
        ("/placeholder/60x40.png?text=a%00b", "text"),
    ],
)
def test_control_characters_in_text_are_refused(
    client: TestClient, url: str, parameter: str
) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == parameter


def test_lone_surrogate_in_a_json_label_is_refused(client: TestClient) -> None:
    body = json.dumps({"data": [1, 2], "title": "a\ud800b"})
    response = client.post("/chart.svg", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_tab_and_newline_still_draw_well_formed_svg(client: TestClient) -> None:
    for url in ("/chart.svg?data=1,2&title=a%0Ab&labels=x,z", "/qr.svg?data=a%0Ab%09c"):
        response = client.get(url)
        assert response.status_code == 200
        assert_format(response.content, SVG)
