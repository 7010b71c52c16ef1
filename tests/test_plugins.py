"""Third-party generators register through the `imagegen.generators` entry-point group."""

import importlib
import sys
import textwrap

import pytest
from fastapi.testclient import TestClient

from imagegen.app import create_app
from imagegen.registry import PluginError, discover_generators
from imagegen.settings import Settings
from tests.conftest import decode

TOY_MODULE = """
from PIL import Image
from pydantic import BaseModel, Field

from imagegen.colors import Color
from imagegen.formats import ImageFormat
from imagegen.plugin import Generator, with_limits


class SwatchParams(BaseModel):
    size: int = Field(16, ge=1, description="Edge length in pixels.")
    color: Color = Field("red", validate_default=True, description="Fill colour.")


class Swatch(Generator):
    name = "swatch"
    summary = "A square of one colour"
    accepts_body = True

    def params_model(self):
        return with_limits(SwatchParams, size={"le": self.context.settings.max_width})

    def render(self, params: SwatchParams, fmt: ImageFormat) -> Image.Image:
        return Image.new("RGBA", (params.size, params.size), params.color)


class FakePlaceholder(Swatch):
    name = "placeholder"


class NotAGenerator:
    name = "bogus"
"""


def install_plugin(
    tmp_path, monkeypatch, entry_points: str, module: str = "toy_swatch", source: str = TOY_MODULE
) -> None:
    """Install a distribution the way pip would: a module and its .dist-info."""
    (tmp_path / f"{module}.py").write_text(source)
    dist = tmp_path / f"{module}-1.0.dist-info"
    dist.mkdir()
    name = module.replace("_", "-")
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    monkeypatch.delitem(sys.modules, module, raising=False)


def test_entry_point_generator_gets_documented_working_routes(tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch, "[imagegen.generators]\nswatch = toy_swatch:Swatch\n")
    app = create_app(Settings.defaults())
    client = TestClient(app)

    image = decode(client.get("/swatch.png?size=20&color=00ff00").content)
    assert image.size == (20, 20)
    assert image.convert("RGBA").getpixel((5, 5)) == (0, 255, 0, 255)

    posted = client.post("/swatch", json={"size": 8, "color": "blue"}, headers={"Accept": "*/*"})
    assert posted.headers["content-type"] == "image/png"
    assert decode(posted.content).convert("RGB").getpixel((0, 0)) == (0, 0, 255)

    too_big = client.get("/swatch?size=4001").json()
    assert too_big["parameters"][0]["parameter"] == "size"
    assert client.post("/swatch", content=b"{not json").status_code == 400

    spec = app.openapi()
    assert set(spec["paths"]["/swatch"]["get"]["responses"]["200"]["content"]) == {
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/avif",
        "image/gif",
    }
    body = spec["paths"]["/swatch"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/SwatchParams"}
    assert spec["components"]["schemas"]["SwatchParams"]["properties"]["size"]["maximum"] == 4000
    assert "swatch" in {g["name"] for g in client.get("/generators").json()}


def test_oversized_json_body_is_refused_before_reading(tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch, "[imagegen.generators]\nswatch = toy_swatch:Swatch\n")
    client = TestClient(create_app(Settings.defaults()))
    response = client.post("/swatch", content=b"[" + b"1," * 600_000 + b"1]")
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("bogus = toy_swatch:NotAGenerator", "not an imagegen.plugin.Generator"),
        ("placeholder = toy_swatch:FakePlaceholder", "exists already"),
    ],
)
def test_broken_plugins_fail_at_startup_with_a_clear_error(tmp_path, monkeypatch, entry, message):
    install_plugin(tmp_path, monkeypatch, f"[imagegen.generators]\n{entry}\n")
    with pytest.raises(PluginError, match=message):
        discover_generators()
