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
from imagegen.compat.qrserver import QRServer
from imagegen.compat.quickchart_qr import QuickChartQR
from imagegen.settings import Settings
from imagegen.signing import sign_url
from tests.conftest import api_client


@pytest.fixture(scope="module")
def client() -> TestClient:
    return api_client(create_app(Settings()))


# One app for the property test (hypothesis runs it many times; a fixture would be shared
# across examples anyway, and function-scoped fixtures are refused with @given).
_FUZZ_CLIENT = api_client(create_app(Settings()))


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
    signed = api_client(create_app(Settings(signing_key=key)))
    assert signed.get("/qr?text=hi").status_code == 403
    url = sign_url("/qr?text=hi", key.encode())
    response = signed.get(url)
    assert response.status_code == 200
    assert _decoded(response.content) == "hi"


def test_quickchart_qr_caption_parameters_map_to_ours(client: TestClient) -> None:
    theirs = client.get(
        "/qr?text=hello&caption=Scan%20me&captionFontSize=12&captionFontColor=ff0000"
        "&captionFontFamily=sans-serif&centerImageSizeRatio=0.3"
    )
    ours = client.get(
        "/qr.png?data=hello&size=150&caption=Scan%20me&caption_size=12&caption_color=ff0000"
        "&caption_font=open-sans"
    )
    assert theirs.status_code == ours.status_code == 200
    assert theirs.content == ours.content
    image = Image.open(io.BytesIO(theirs.content))
    assert image.width == 150 and image.height > 150
    assert _decoded(theirs.content) == "hello"
    for query, parameter in [
        ("text=hi&centerImageSizeRatio=1.5", "centerImageSizeRatio"),
        ("text=hi&caption=x&captionFontSize=0", "captionFontSize"),
        ("text=hi&caption=x&captionFontFamily=comic-sans", "captionFontFamily"),
        ("text=hi&centerImageWidth=40", "centerImageWidth"),
    ]:
        response = client.get(f"/qr?{query}")
        assert response.status_code == 422, query
        assert response.json()["parameters"][0]["parameter"] == parameter


# Golden URLs from goqr.me's documentation of api.qrserver.com/v1/create-qr-code/.
QRSERVER_GOLDEN = [
    ("/v1/create-qr-code/?data=HelloWorld!&size=100x100", "HelloWorld!", (100, 100), "PNG"),
    ("/v1/create-qr-code/?size=150x150&data=Example", "Example", (150, 150), "PNG"),
    ("/v1/create-qr-code/?data=Example", "Example", (200, 200), "PNG"),
    ("/v1/create-qr-code/?data=Example&format=jpg&size=300x300", "Example", (300, 300), "JPEG"),
    ("/v1/create-qr-code/?data=Example&format=jpeg", "Example", (200, 200), "JPEG"),
    ("/v1/create-qr-code/?data=Example&format=gif&size=150x150", "Example", (150, 150), "GIF"),
]


@pytest.mark.parametrize(("url", "text", "size", "fmt"), QRSERVER_GOLDEN)
def test_qrserver_golden_urls(
    client: TestClient, url: str, text: str, size: tuple, fmt: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    image = Image.open(io.BytesIO(response.content))
    assert (image.size, image.format) == (size, fmt)
    assert _decoded(response.content) == text


def test_qrserver_defaults_ecc_l_no_quiet_zone_and_a_one_pixel_margin(client: TestClient) -> None:
    theirs = client.get("/v1/create-qr-code/?data=Example")
    ours = client.get("/qr.png?data=Example&size=200&ecc=L&border=0&padding=1")
    assert theirs.content == ours.content
    rgb = Image.open(io.BytesIO(theirs.content)).convert("RGB")
    # Version 1, 21 modules of 9 px in the 198 px inside the margin, centred: 189 px
    # from pixel 5 (the finder's corner), the 11 px left over split around it.
    assert rgb.getpixel((4, 4)) == (255, 255, 255)
    assert rgb.getpixel((5, 5)) == (0, 0, 0)


def test_qrserver_colours_margin_qzone_and_svg(client: TestClient) -> None:
    decimal = client.get("/v1/create-qr-code/?data=hi&color=255-0-0&bgcolor=0-0-255&qzone=2")
    hexa = client.get("/v1/create-qr-code/?data=hi&color=f00&bgcolor=0000ff&qzone=2")
    assert decimal.content == hexa.content
    rgb = Image.open(io.BytesIO(decimal.content)).convert("RGB")
    assert {c for _, c in rgb.getcolors()} == {(255, 0, 0), (0, 0, 255)}
    svg = client.get("/v1/create-qr-code/?data=hi&format=svg&margin=20")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.content == client.get("/qr.svg?data=hi&size=200&ecc=L&border=0").content


def test_qrserver_charsets(client: TestClient) -> None:
    latin = client.get(
        "/v1/create-qr-code/?data=caf%E9&charset-source=ISO-8859-1&charset-target=ISO-8859-1"
    )
    (result,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(latin.content)).convert("RGB"))
    assert (result.text, result.bytes) == ("café", b"caf\xe9")
    utf8 = client.get("/v1/create-qr-code/?data=caf%C3%A9")
    assert _decoded(utf8.content) == "café"


def test_qrserver_gif_is_a_gif(client: TestClient) -> None:
    response = client.get("/v1/create-qr-code/?data=hi&format=gif")
    assert response.headers["content-type"] == "image/gif"
    assert Image.open(io.BytesIO(response.content)).format == "GIF"
    assert _decoded(response.content) == "hi"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("data=", "data"),
        ("size=100x100", "data"),
        ("data=hi&size=200x100", "size"),
        ("data=hi&size=big", "size"),
        ("data=hi&color=256-0-0", "color"),
        ("data=hi&bgcolor=white", "bgcolor"),
        ("data=hi&margin=51", "margin"),
        ("data=hi&qzone=101", "qzone"),
        ("data=hi&ecc=X", "ecc"),
        ("data=hi&format=eps", "format"),
        ("data=hi&charset-source=latin9", "charset-source"),
        ("data=%E2%82%AC&charset-target=ISO-8859-1", "data"),
    ],
)
def test_qrserver_errors_name_its_parameters(
    client: TestClient, query: str, parameter: str
) -> None:
    response = client.get(f"/v1/create-qr-code/?{query}")
    assert response.status_code == 422, response.text
    [problem] = response.json()["parameters"]
    assert problem["parameter"] == parameter
    assert problem["limit"] is not None, "every refusal states what the value must be"


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


_QRSERVER_QUERIES = st.fixed_dictionaries(
    {"data": _VALUES},
    optional={p["name"]: _VALUES for p in QRServer.parameters if p["name"] != "data"},
)


@given(_QRSERVER_QUERIES)
@settings(max_examples=200, deadline=None, derandomize=True)
def test_qrserver_never_fails_on_any_query(query: dict[str, str]) -> None:
    response = _FUZZ_CLIENT.get("/v1/create-qr-code/", params=query)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        names = {p["parameter"] for p in response.json()["parameters"]}
        assert names <= {p["name"] for p in QRServer.parameters}
