"""A real uvicorn on loopback: what a browser or curl actually receives."""

import http.client

from tests.conftest import decode


def fetch(live_server, path, headers=None, method="GET"):
    host, port = live_server
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_image_has_exact_content_length_and_no_chunking(live_server):
    response, body = fetch(live_server, "/placeholder/600x400", {"Accept": "image/webp"})
    assert response.status == 200
    assert response.getheader("Content-Type") == "image/webp"
    assert response.getheader("Vary") == "Accept"
    assert response.getheader("Transfer-Encoding") is None
    assert int(response.getheader("Content-Length")) == len(body)
    assert decode(body).size == (600, 400)


def test_errors_are_json_with_content_length(live_server):
    response, body = fetch(live_server, "/placeholder/99999x1")
    assert response.status == 422
    assert response.getheader("Content-Type") == "application/json"
    assert int(response.getheader("Content-Length")) == len(body)
