"""The installed wheel carries the bundled fonts and their licences."""

import json
from importlib.metadata import distribution

import pytest


def test_wheel_ships_fonts_with_licences():
    dist = distribution("imagegen")
    direct_url = dist.read_text("direct_url.json")
    if direct_url and json.loads(direct_url).get("dir_info", {}).get("editable"):
        pytest.skip("editable install: fonts are read from the source tree")
    files = {str(f) for f in dist.files or []}
    for family in ("lato", "roboto", "open-sans", "dejavu-sans", "droid-sans-fallback"):
        assert any(f.startswith(f"imagegen/fonts/{family}/") and f.endswith(".ttf") for f in files)
        assert any(f.startswith(f"imagegen/fonts/{family}/LICENSE") for f in files)
