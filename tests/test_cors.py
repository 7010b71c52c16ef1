"""CORS, opt-in: pages of the configured origins may read images with fetch()."""

from fastapi.testclient import TestClient

from imagegen.app import create_app
from imagegen.settings import Settings
from tests.conftest import decode

ORIGIN = "https://app.example.com"


def cors_client(*origins: str) -> TestClient:
    settings = Settings.defaults().model_copy(update={"cors_origins": origins})
    return TestClient(create_app(settings))


def test_allowed_origin_reads_images_and_their_etag_from_the_cache_too():
    client = cors_client(ORIGIN)
    for _ in range(2):  # rendered, then answered by the cache middleware
        response = client.get("/placeholder/30x20", headers={"Origin": ORIGIN})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ORIGIN
        assert "ETag" in response.headers["access-control-expose-headers"]
        assert "Origin" in response.headers["vary"] and "Accept" in response.headers["vary"]
        assert decode(response.content).size == (30, 20)


def test_preflight_and_other_origins():
    client = cors_client(ORIGIN)
    preflight = client.options(
        "/chart.png",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in preflight.headers["access-control-allow-methods"]
    other = client.get("/placeholder/30x20", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other.headers


def test_any_origin():
    response = cors_client("*").get("/qr.png?data=x", headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == "*"


def test_off_by_default(client):
    response = client.get("/placeholder/30x20", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in response.headers
