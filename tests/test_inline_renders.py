"""Quick renders (`Generator.renders_quickly`) are drawn on the event loop; the rest in
render threads. Which is which, and that both give the same image."""

import asyncio

import pytest
from fastapi.testclient import TestClient

from imagegen.app import create_app
from imagegen.formats import format_for_token
from imagegen.generators.placeholder import Placeholder
from imagegen.generators.qr import QR
from imagegen.rendering import create_generators, validate_params
from imagegen.settings import Settings
from tests.conftest import decode

GENERATORS = create_generators(Settings.defaults())

QUICK = [
    ("placeholder", "png", {"width": "600", "height": "400"}),
    ("placeholder", "png", {"width": "800", "height": "600", "background": "123456"}),
    ("placeholder", "png", {"width": "1000", "height": "480", "color": "ff0000"}),
    ("placeholder", "png", {"width": "346", "height": "346", "scale": "2"}),
    ("placeholder", "svg", {"width": "800", "height": "600"}),
    ("qr", "png", {"data": "https://example.com", "size": "300"}),
    ("qr", "png", {"data": "x" * 64, "size": "400", "ecc": "H"}),
    ("qr", "svg", {"data": "https://example.com", "size": "200", "scale": "2", "version": "6"}),
]
NOT_QUICK = [
    ("placeholder", "jpeg", {"width": "600", "height": "400"}),
    ("placeholder", "webp", {"width": "600", "height": "400"}),
    ("placeholder", "gif", {"width": "600", "height": "400"}),
    ("placeholder", "png", {"width": "800", "height": "601"}),  # over 480,000 pixels
    ("placeholder", "png", {"width": "1001", "height": "100"}),  # over 1000 on a side
    ("placeholder", "png", {"width": "347", "height": "347", "scale": "2"}),
    ("placeholder", "png", {"width": "600", "height": "400", "text": "Hello"}),
    ("placeholder", "png", {"width": "600", "height": "400", "font_size": "20"}),
    ("placeholder", "png", {"width": "600", "height": "400", "gradient": "linear,0,fff,000"}),
    ("placeholder", "png", {"width": "600", "height": "400", "radius": "0"}),
    ("placeholder", "png", {"width": "600", "height": "400", "border": "1"}),
    ("qr", "jpeg", {"data": "https://example.com"}),
    ("qr", "png", {"data": "https://example.com", "size": "401"}),
    ("qr", "png", {"data": "https://example.com", "size": "201", "scale": "2"}),
    ("qr", "png", {"data": "x" * 65}),
    ("qr", "png", {"data": "https://example.com", "version": "7"}),
    ("qr", "png", {"data": "https://example.com", "shape": "dots", "size": "300"}),
    ("qr", "png", {"data": "https://example.com", "caption": "Scan me", "size": "300"}),
    ("chart", "png", {"type": "bar", "data": "1,2,3"}),
]


def quick(name: str, fmt: str, query: dict[str, str]) -> bool:
    generator = GENERATORS[name]
    params = validate_params(generator, query)
    output_format = format_for_token(fmt)
    assert output_format is not None
    return generator.renders_quickly(params, output_format)


@pytest.mark.parametrize(("name", "fmt", "query"), QUICK)
def test_renders_called_quick(name, fmt, query):
    assert quick(name, fmt, query)


@pytest.mark.parametrize(("name", "fmt", "query"), NOT_QUICK)
def test_renders_not_called_quick(name, fmt, query):
    assert not quick(name, fmt, query)


@pytest.fixture
def render_places(monkeypatch) -> list[tuple[str, str]]:
    """(generator, where) of each render: "loop" when drawn on a thread running an event
    loop (the server's), else "thread"."""
    places: list[tuple[str, str]] = []

    def spy(cls: type) -> None:
        real = cls.render

        def render(self, params, fmt):
            try:
                asyncio.get_running_loop()
                places.append((self.name, "loop"))
            except RuntimeError:
                places.append((self.name, "thread"))
            return real(self, params, fmt)

        monkeypatch.setattr(cls, "render", render)

    spy(Placeholder)
    spy(QR)
    return places


def client_with(**settings: object) -> TestClient:
    values = {"cache_max_bytes": 0, **settings}
    app = create_app(Settings.defaults().model_copy(update=values))
    return TestClient(app, raise_server_exceptions=False)


def test_quick_renders_are_drawn_on_the_event_loop_and_others_in_threads(render_places):
    with client_with() as client:
        for path in (
            "/placeholder/600x400.png",
            "/placeholder/600x400.png?text=Hi",
            "/placeholder/600x400.webp",
            "/qr.png?data=hello&size=300",
            "/qr.png?data=hello&size=1000",
            "/600x400/png",  # placehold.co's grammar at the root: our placeholder
        ):
            assert client.get(path).status_code == 200, path
    assert render_places == [
        ("placeholder", "loop"),
        ("placeholder", "thread"),
        ("placeholder", "thread"),
        ("qr", "loop"),
        ("qr", "thread"),
        ("placeholder", "loop"),
    ]


def test_inline_renders_off_sends_every_render_to_a_thread(render_places):
    with client_with(inline_renders=False) as client:
        assert client.get("/placeholder/600x400.png").status_code == 200
        assert client.get("/qr.png?data=hello").status_code == 200
    assert render_places == [("placeholder", "thread"), ("qr", "thread")]


@pytest.mark.parametrize(
    "path", ["/placeholder/600x400.png?background=1e293b&color=f8fafc", "/qr.svg?data=hello"]
)
def test_a_quick_render_is_the_same_image_either_way(path):
    with client_with() as inline, client_with(inline_renders=False) as threaded:
        on_loop, in_thread = inline.get(path), threaded.get(path)
    assert on_loop.status_code == in_thread.status_code == 200
    assert on_loop.content == in_thread.content
    assert on_loop.headers["etag"] == in_thread.headers["etag"]
    if path.startswith("/placeholder"):
        image = decode(on_loop.content).convert("RGB")
        assert image.size == (600, 400)
        assert image.getpixel((0, 0)) == (0x1E, 0x29, 0x3B)
        assert (0xF8, 0xFA, 0xFC) in {color for _, color in image.getcolors(256)}


def test_a_quick_render_that_fails_is_a_clear_error_not_a_stuck_loop(monkeypatch):
    def broken(self, params, fmt):
        raise ValueError("drawing failed")

    monkeypatch.setattr(Placeholder, "render", broken)
    with client_with() as client:
        first = client.get("/placeholder/600x400.png")
        assert first.status_code == 500
        assert first.json()["error"] == "internal_error"
        monkeypatch.undo()
        second = client.get("/placeholder/600x400.png")  # the loop answers on
    assert second.status_code == 200
