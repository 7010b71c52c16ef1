"""The installed wheel carries the bundled fonts with their licences, and the playground."""

import json
from importlib.metadata import distribution

import pytest


def installed_files() -> set[str]:
    dist = distribution("imagegen")
    direct_url = dist.read_text("direct_url.json")
    if direct_url and json.loads(direct_url).get("dir_info", {}).get("editable"):
        pytest.skip("editable install: files are read from the source tree")
    return {str(f) for f in dist.files or []}


def test_wheel_ships_fonts_with_licences():
    files = installed_files()
    for family in ("lato", "roboto", "open-sans", "dejavu-sans", "droid-sans-fallback"):
        assert any(f.startswith(f"imagegen/fonts/{family}/") and f.endswith(".ttf") for f in files)
        assert any(f.startswith(f"imagegen/fonts/{family}/LICENSE") for f in files)


def test_wheel_ships_the_playground():
    files = installed_files()
    for name in ("index.html", "playground.js", "playground.css", "favicon.svg"):
        assert f"imagegen/static/{name}" in files
