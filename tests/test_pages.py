"""The playground and the API docs are served by the app, with every asset local."""

import re

import pytest

from imagegen.pages import STATIC_DIR, VENDOR_DIR

PAGES = ["/", "/docs", "/redoc"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_only_local_assets(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)=["\']([^"\']+)', response.text)
    assert assets
    for asset in assets:
        assert "//" not in asset, f"{path} loads {asset} from elsewhere"
        if asset.startswith("/static/") or asset.startswith("static/"):
            assert client.get("/" + asset.lstrip("/")).status_code == 200, asset


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/playground.js", "text/javascript"),
        ("/static/playground.css", "text/css"),
        ("/static/favicon.svg", "image/svg+xml"),
        ("/static/vendor/swagger-ui-bundle.js", "text/javascript"),
        ("/static/vendor/swagger-ui.css", "text/css"),
        ("/static/vendor/redoc.standalone.js", "text/javascript"),
    ],
)
def test_static_assets(client, path, media_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


def test_docs_point_at_the_local_bundles_and_spec(client):
    swagger = client.get("/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in swagger
    assert "url: '/openapi.json'" in swagger
    redoc = client.get("/redoc").text
    assert "/static/vendor/redoc.standalone.js" in redoc
    assert "fonts.googleapis.com" not in redoc


def test_missing_asset_is_a_json_404(client):
    for path in ("/static/nope.js", "/static/vendor/nope.js", "/static/../pyproject.toml"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_pages_are_not_in_the_spec(app):
    paths = app.openapi()["paths"]
    assert not {"/", "/docs", "/redoc"} & set(paths)
    assert not any(path.startswith("/static") for path in paths)


def test_asset_folders_exist():
    assert (STATIC_DIR / "index.html").is_file()
    assert (VENDOR_DIR / "redoc.standalone.js").is_file()
