"""Limits come from settings, and environment variables override them."""

from fastapi.testclient import TestClient

from imagegen.app import create_app
from imagegen.settings import Settings


def test_environment_overrides_limits_in_validation_and_spec(monkeypatch):
    monkeypatch.setenv("IMAGEGEN_MAX_WIDTH", "500")
    monkeypatch.setenv("IMAGEGEN_MAX_TEXT_LENGTH", "5")
    app = create_app()
    client = TestClient(app)
    assert client.get("/placeholder/500x10").status_code == 200
    too_wide = client.get("/placeholder/501x10").json()
    assert too_wide["parameters"][0] == {
        "parameter": "width",
        "message": "Input should be less than or equal to 500",
        "limit": 500,
    }
    assert client.get("/placeholder/50x10?text=abcdef").status_code == 422
    params = app.openapi()["paths"]["/placeholder/{width}x{height}"]["get"]["parameters"]
    assert next(p for p in params if p["name"] == "width")["schema"]["maximum"] == 500


def test_defaults_ignore_the_environment(monkeypatch):
    monkeypatch.setenv("IMAGEGEN_MAX_WIDTH", "500")
    assert Settings().max_width == 500
    assert Settings.defaults().max_width == 4000
