"""Optional URL signing: with a key, only signed image URLs are rendered."""

import asyncio

import pytest
from fastapi.testclient import TestClient

from imagegen.app import create_app
from imagegen.cli import main
from imagegen.signing import compute_signature, sign_url, split_signature
from tests.conftest import decode

KEY = "correct horse battery staple"


@pytest.fixture
def signed_client(monkeypatch):
    monkeypatch.setenv("IMAGEGEN_SIGNING_KEY", KEY)
    return TestClient(create_app())


def test_signed_urls_render_and_others_get_403(signed_client):
    url = sign_url("/placeholder/60x40.png?text=ok&background=teal", KEY.encode())
    assert decode(signed_client.get(url).content).size == (60, 40)
    # unsigned, tampered parameter, tampered path, signature of another key, doubled
    for bad in (
        "/placeholder/60x40.png?text=ok&background=teal",
        url.replace("text=ok", "text=no"),
        url.replace("60x40", "61x40"),
        sign_url("/placeholder/60x40.png?text=ok&background=teal", b"other key"),
        url + "&signature=x",
    ):
        response = signed_client.get(bad)
        assert response.status_code == 403, bad
        assert response.json()["error"] == "bad_signature"


def test_cached_images_are_not_served_to_unsigned_requests(signed_client):
    url = sign_url("/placeholder/30x30", KEY.encode())
    assert signed_client.get(url).status_code == 200
    assert signed_client.get(url).status_code == 200  # a cache hit
    assert signed_client.get("/placeholder/30x30").status_code == 403


def test_post_bodies_are_signed_too(signed_client):
    body = b'{"data": "signed"}'
    url = sign_url("/qr.png", KEY.encode(), body)
    assert signed_client.post(url, content=body).status_code == 200
    assert signed_client.post(url, content=b'{"data": "other"}').status_code == 403


def test_other_routes_stay_open(signed_client):
    assert signed_client.get("/fonts").status_code == 200
    assert signed_client.get("/openapi.json").status_code == 200


def test_spec_documents_the_signature_only_when_required(signed_client, app):
    signed = signed_client.get("/openapi.json").json()["paths"]["/qr"]["get"]
    assert "signature" in {p["name"] for p in signed["parameters"]}
    assert "403" in signed["responses"]
    unsigned = app.openapi()["paths"]["/qr"]["get"]
    assert "signature" not in {p["name"] for p in unsigned["parameters"]}


def test_signature_covers_the_query_exactly_as_sent():
    query, signature = split_signature(b"b=2&signature=abc&a=1")
    assert (query, signature) == (b"b=2&a=1", b"abc")
    assert compute_signature(b"k", b"GET", b"/qr", b"a=1&b=2") != compute_signature(
        b"k", b"GET", b"/qr", b"b=2&a=1"
    )


def test_signature_binds_the_method(signed_client):
    get_url = sign_url("/qr.png", KEY.encode())
    # A GET signature with an empty body must not pass as a POST (of an empty body).
    assert signed_client.post(get_url, content=b"").status_code == 403
    assert signed_client.head(sign_url("/qr.png?data=x", KEY.encode())).status_code == 200
    post_url = sign_url("/qr.png", KEY.encode(), b'{"data": "x"}')
    assert signed_client.post(post_url, content=b'{"data": "x"}').status_code == 200
    assert signed_client.get(post_url).status_code == 403


def test_signed_url_without_a_format_is_one_image(signed_client):
    url = sign_url("/placeholder/30x20?text=a", KEY.encode())
    for accept in ("image/webp", "image/avif,image/webp,*/*", "image/jpeg", "*/*", None):
        headers = {"accept": accept} if accept else {}
        response = signed_client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert "vary" not in response.headers
    # Another format is another URL, with its own signature.
    webp = signed_client.get(sign_url("/placeholder/30x20.webp?text=a", KEY.encode()))
    assert webp.headers["content-type"] == "image/webp"


def test_sign_command(monkeypatch, capsys):
    monkeypatch.setenv("IMAGEGEN_SIGNING_KEY", KEY)
    assert main(["sign", "http://example.com/qr.svg?data=hi"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == sign_url("http://example.com/qr.svg?data=hi", KEY.encode())
    assert printed.startswith("http://example.com/qr.svg?data=hi&signature=")
    monkeypatch.delenv("IMAGEGEN_SIGNING_KEY")
    assert main(["sign", "/qr?data=hi"]) == 2


def test_oversized_body_is_refused_by_its_content_length_before_any_read(monkeypatch):
    monkeypatch.setenv("IMAGEGEN_SIGNING_KEY", KEY)
    app = create_app()
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/qr",
        "raw_path": b"/qr",
        "query_string": b"signature=x",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100000000")],
    }
    sent = []

    async def receive():
        raise AssertionError("the body was read")

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert b"body_too_large" in sent[1]["body"]
