"""Google Image Charts URLs on /chart (cht=…): charts into our chart, cht=qr into our QR
code; examples from Google's chart gallery as QuickChart and image-charts serve them."""

import io

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from imagegen.app import create_app
from imagegen.compat import CompatRequest
from imagegen.compat.google_charts import GoogleImageCharts
from imagegen.errors import ApiError
from imagegen.rendering import create_generators, validate_params
from imagegen.settings import Settings
from tests.conftest import api_client


@pytest.fixture(scope="module")
def client() -> TestClient:
    return api_client(create_app(Settings()))


def _image(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content)).convert("RGBA")


def _colors(image: Image.Image) -> set[tuple[int, int, int, int]]:
    return {color for _, color in image.getcolors(image.width * image.height)}


@pytest.mark.parametrize(
    ("query", "size", "colors"),
    [
        ("cht=bvg&chs=250x150&chd=t:10,50,60,80,40&chco=4D89F9", (250, 150), [(77, 137, 249, 255)]),
        (
            "cht=bvs&chs=300x200&chd=t:10,50,60|50,30,20&chco=4D89F9,C6D9FD&chdl=A|B",
            (300, 200),
            [(77, 137, 249, 255), (198, 217, 253, 255)],
        ),
        (
            "cht=bhg&chs=300x200&chd=s:ATb&chco=FF0000&chxt=y&chxl=0:|one|two|three",
            (300, 200),
            [(255, 0, 0, 255)],
        ),
        (
            "cht=bhs&chs=300x200&chd=e:AAgA..,MMzz.A&chco=00FF00,0000FF",
            (300, 200),
            [(0, 255, 0, 255), (0, 0, 255, 255)],
        ),
        (
            "cht=lc&chs=300x200&chd=t:40,60,60,45,47,75,70,72&chco=FF0000&chls=3&chxt=x,y&chg=20,25",
            (300, 200),
            [(255, 0, 0, 255)],
        ),
        (
            "cht=ls&chs=200x60&chd=t:27,25,60,31,25,39,25,31,26,28,80,28,27,31,27,29,26,35,70,25&chco=0077CC",
            (200, 60),
            [(0, 119, 204, 255)],
        ),
        (
            "cht=lxy&chs=300x200&chd=t:10,20,40,80,90,95,99|20,30,40,50,60,70,80&chco=3072F3",
            (300, 200),
            [(48, 114, 243, 255)],
        ),
        (
            "cht=p&chs=250x150&chd=t:60,40&chl=Hello|World&chco=FF0000|0000FF",
            (250, 150),
            [(255, 0, 0, 255), (0, 0, 255, 255)],
        ),
        ("cht=p3&chs=250x100&chd=t:60,40&chl=Hello|World", (250, 100), [(78, 121, 167, 255)]),
        ("cht=pd&chs=250x150&chd=t:30,70&chco=FFFF00,00FFFF", (250, 150), [(255, 255, 0, 255)]),
        (
            "cht=bvg&chs=300x200&chd=a:1200,3400,2300&chco=FF00FF&chxt=y&chm=N,000000,0,-1,11&chf=bg,s,EFEFEF",
            (300, 200),
            [(255, 0, 255, 255), (239, 239, 239, 255)],
        ),
    ],
)
def test_google_charts_draw(client, query, size, colors):
    response = client.get(f"/chart?{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    image = _image(response.content)
    assert image.size == size
    seen = _colors(image)
    for color in colors:
        assert color in seen, color


def test_data_fills_the_plot_as_google_scales_it(client):
    # t: is 0-100: a 50 is half the plot's height whatever chxr writes on the axis.
    half = client.get("/chart?cht=bvg&chs=200x200&chd=t:50&chco=FF0000&chxt=y&chxr=0,0,1000")
    image = _image(half.content)
    red = [y for y in range(image.height) if image.getpixel((100, y)) == (255, 0, 0, 255)]
    plot_top = min(y for y in range(image.height) if image.getpixel((100, y))[3] and y > 5)
    assert red and red[-1] - red[0] > 0.35 * (red[-1] - plot_top)


def test_google_gif_as_google_served_it(client):
    response = client.get("/chart?cht=p&chs=200x120&chd=t:60,40&chof=gif")
    assert response.headers["content-type"] == "image/gif"
    assert Image.open(io.BytesIO(response.content)).size == (200, 120)


def test_google_qr_is_our_qr(client):
    theirs = client.get("/chart?cht=qr&chs=200x200&chl=Hello+world&chld=M|2")
    ours = client.get("/qr.png?data=Hello+world&size=200&ecc=M&border=2")
    assert theirs.status_code == 200
    assert theirs.headers["etag"] == ours.headers["etag"]
    (result,) = zxingcpp.read_barcodes(_image(theirs.content).convert("RGB"))
    assert result.text == "Hello world"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("cht=v&chd=t:1", "cht"),
        ("cht=bvg&chd=x:1", "chd"),
        ("cht=bvg&chd=s:A!", "chd"),
        ("cht=bvg&chd=t:1&chs=big", "chs"),
        ("cht=bvg&chd=t:1&chs=9000x100", "chs"),
        ("cht=bvg&chd=t:1&chf=bg,lg,0,FFFFFF,0,000000,1", "chf"),
        ("cht=bvg&chd=t:1&chm=o,FF0000,0,-1,5", "chm"),
        ("cht=bvg&chd=t:1&chxt=r", "chxt"),
        ("cht=bvg&chd=t:1&chof=bmp", "chof"),
        ("cht=bvg&chd=t:1&chco=zz", "chco"),
        ("cht=bvg&chd=t:1&chem=y;s=bubble", "chem"),
        ("cht=qr&chl=hi&chld=Z", "chld"),
    ],
)
def test_google_errors_name_the_parameter(client, query, parameter):
    response = client.get(f"/chart?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["parameters"][0]["parameter"] == parameter


_PIECES = st.sampled_from(
    [
        "t:",
        "s:",
        "e:",
        "a:",
        "1",
        "-5",
        "50",
        "1e999",
        ",",
        "|",
        "_",
        "A",
        "z",
        ".",
        "x",
        ":",
        "0",
        "bvg",
        "p",
        "lxy",
        "qr",
        "FF0000",
        "bg,s,",
        "N",
        "B",
        "a",
    ]
)
_VALUE = st.lists(_PIECES, max_size=8).map("".join)
_QUERY = st.fixed_dictionaries(
    {
        "cht": st.sampled_from(["bvg", "bhs", "lc", "ls", "lxy", "p", "pd", "qr", "bvo"]),
        "chd": _VALUE,
    },
    optional={
        name: _VALUE
        for name in (
            "chs",
            "chds",
            "chco",
            "chdl",
            "chdlp",
            "chtt",
            "chl",
            "chxt",
            "chxl",
            "chxr",
            "chg",
            "chf",
            "chm",
            "chls",
            "chld",
            "chof",
        )
    },
)


_GENERATORS = create_generators(Settings())
_GRAMMAR = GoogleImageCharts(Settings())


@given(_QUERY)
@settings(max_examples=300, deadline=None, derandomize=True)
def test_any_google_query_translates_or_is_a_4xx_naming_its_parameter(query):
    translation = None
    try:
        translation = _GRAMMAR.translate(CompatRequest("/chart", {}, query, b"", None))
        generator = _GENERATORS[translation.generator]
        validate_params(generator, translation.params, strict=translation.json)
    except ApiError as error:
        assert 400 <= error.body.status < 500
        for problem in error.body.parameters:
            name = translation.their_name(problem.parameter) if translation else problem.parameter
            assert name.startswith("ch"), (name, problem.message)
