"""The compatibility grammars' machinery, through QuickChart's /qr: translation into our
QR route's parameters, errors under the service's names, data URIs, routing and signing."""

import base64
import io

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from imagegen.app import create_app
from imagegen.compat.quickchart_qr import QuickChartQR
from imagegen.settings import Settings
from imagegen.signing import sign_url


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings()))


# One app for the property test (hypothesis runs it many times; a fixture would be shared
# across examples anyway, and function-scoped fixtures are refused with @given).
_FUZZ_CLIENT = TestClient(create_app(Settings()))


def _decoded(content: bytes) -> str:
    image = Image.open(io.BytesIO(content))
    (result,) = zxingcpp.read_barcodes(image.convert("RGB"))
    return result.text


def test_quickchart_qr_draws_our_qr_with_its_defaults(client: TestClient) -> None:
    response = client.get("/qr?text=Here%27s+my+text")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert "vary" not in response.headers  # QuickChart's default format is explicit
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (150, 150)
    assert _decoded(response.content) == "Here's my text"


def test_quickchart_qr_parameters_map_to_ours(client: TestClient) -> None:
    theirs = client.get("/qr?text=hello&size=200&margin=2&dark=ff0000&light=00ff00&ecLevel=H")
    ours = client.get("/qr.png?data=hello&size=200&border=2&color=ff0000&background=00ff00&ecc=H")
    assert theirs.status_code == ours.status_code == 200
    assert theirs.content == ours.content
    assert theirs.headers["etag"] == ours.headers["etag"]  # one image, one cache entry
    image = Image.open(io.BytesIO(theirs.content)).convert("RGB")
    assert image.getpixel((0, 0)) == (0, 255, 0)
    assert (255, 0, 0) in {color for _, color in image.getcolors()}


def test_quickchart_qr_svg_and_base64(client: TestClient) -> None:
    svg = client.get("/qr?text=hi&format=svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.content.lstrip().startswith((b"<?xml", b"<svg"))
    text = client.get("/qr?text=hi&format=base64")
    assert text.headers["content-type"].startswith("text/plain")
    assert "etag" not in text.headers
    prefix = "data:image/png;base64,"
    assert text.text.startswith(prefix)
    png = base64.b64decode(text.text.removeprefix(prefix))
    assert _decoded(png) == "hi"
    assert png == client.get("/qr?text=hi").content
    # Served again (now cached), it is still the text, not the image.
    assert client.get("/qr?text=hi&format=base64").text == text.text


@pytest.mark.parametrize(
    ("query", "parameter", "limit"),
    [
        ("text=", "text", 1),
        ("text=hi&size=5000", "size", 4000),
        ("text=hi&ecLevel=Z", "ecLevel", "'L', 'M', 'Q' or 'H'"),
        ("text=hi&margin=-1", "margin", 0),
        ("text=hi&dark=nocolour", "dark", None),
        ("text=hi&format=gif", "format", ["png", "svg", "base64"]),
        ("text=hi&centerImageUrl=https%3A%2F%2Fexample.com%2Flogo.png", "centerImageUrl", None),
    ],
)
def test_quickchart_qr_errors_name_its_parameters(
    client: TestClient, query: str, parameter: str, limit: object
) -> None:
    response = client.get(f"/qr?{query}")
    assert response.status_code == 422
    (problem,) = response.json()["parameters"]
    assert problem["parameter"] == parameter
    assert problem["limit"] == limit


def test_our_qr_route_is_unchanged(client: TestClient) -> None:
    response = client.get("/qr?data=hi")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (300, 300)
    missing = client.get("/qr?size=100")  # neither grammar's text nor our data
    assert missing.status_code == 422
    assert missing.json()["parameters"][0]["parameter"] == "data"


def test_grammar_routes_on_shared_paths_stay_out_of_the_spec(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/qr"]["get"]
    assert operation["operationId"] == "qr"
    assert "text" not in {p["name"] for p in operation["parameters"]}


def test_signed_servers_sign_grammar_urls_too() -> None:
    key = "k" * 32
    signed = TestClient(create_app(Settings(signing_key=key)))
    assert signed.get("/qr?text=hi").status_code == 403
    url = sign_url("/qr?text=hi", key.encode())
    response = signed.get(url)
    assert response.status_code == 200
    assert _decoded(response.content) == "hi"


_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
_VALUES = st.one_of(_TEXT, st.integers(-10, 5000).map(str), st.sampled_from(["", "0", "L", "svg"]))


_QUERIES = st.fixed_dictionaries(
    {"text": _VALUES},
    optional={p["name"]: _VALUES for p in QuickChartQR.parameters if p["name"] != "text"},
)


@given(_QUERIES)
@settings(max_examples=200, deadline=None, derandomize=True)
def test_quickchart_qr_never_fails_on_any_query(query: dict[str, str]) -> None:
    response = _FUZZ_CLIENT.get("/qr", params=query)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        names = {p["parameter"] for p in response.json()["parameters"]}
        assert names <= {p["name"] for p in QuickChartQR.parameters}
