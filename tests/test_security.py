"""No path, URL or markup from a request goes anywhere it could do harm."""

import ast
from pathlib import Path

import pytest

import imagegen

PACKAGE = Path(imagegen.__file__).resolve().parent
NETWORK_MODULES = {
    "urllib.request",
    "http.client",
    "httpx",
    "httpx2",
    "requests",
    "socket",
    "aiohttp",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_can_fetch_a_url(path):
    """No generator fetches a user-given URL: nothing in the package can open a connection."""
    assert not imported_modules(path) & NETWORK_MODULES


@pytest.mark.parametrize(
    "font", ["../../etc/passwd", "/etc/passwd", "lato/../../../etc/passwd", "C:\\fonts\\x.ttf"]
)
def test_fonts_are_names_never_paths(client, font):
    response = client.get("/placeholder/100x100", params={"font": font})
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == "font"


@pytest.mark.parametrize(
    "query",
    [
        {"background": "<script>alert(1)</script>"},
        {"font": "<img src=x onerror=alert(1)>"},
        {"text": "x" * 300 + "<script>"},
    ],
)
def test_errors_never_echo_the_input(client, query):
    response = client.get("/placeholder/100x100", params=query)
    assert response.status_code == 422
    assert "<script>" not in response.text and "<img" not in response.text


def test_qr_svg_contains_no_user_text(client):
    payload = '</svg><script>alert("x")</script>'
    svg = client.get("/qr.svg", params={"data": payload}).text
    assert "<script" not in svg and "alert" not in svg
