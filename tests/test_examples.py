"""Every generator's `examples` are listed on `/generators` and draw an image."""

import doctest

import pytest

import imagegen.urls
from imagegen.registry import BUILTIN_GENERATORS, discover_generators
from imagegen.urls import image_url
from tests.conftest import assert_format

EXAMPLES = [(cls, example) for cls in discover_generators() for example in cls.examples]


def test_built_in_generators_have_examples():
    assert all(cls.examples for cls in BUILTIN_GENERATORS)


def test_generators_route_lists_the_examples(client):
    listed = {info["name"]: info for info in client.get("/generators").json()}
    for cls in discover_generators():
        assert listed[cls.name]["examples"] == list(cls.examples)
        assert listed[cls.name]["path"] == f"/{cls.name}{cls.path}"


@pytest.mark.parametrize(
    ("cls", "example"), EXAMPLES, ids=[f"{c.name}-{i}" for i, (c, _) in enumerate(EXAMPLES)]
)
def test_example_draws_an_image_in_every_format(client, cls, example):
    route = f"/{cls.name}{cls.path}"
    for fmt in cls.formats:
        response = client.get(image_url(route, example, fmt.extensions[0]))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == fmt.media_type
        assert_format(response.content, fmt)


def test_image_url_fills_the_path_and_encodes_the_query():
    route = "/placeholder/{width}x{height}"
    url = image_url(route, {"width": "6", "text": "a&b c/é,=#", "height": "4"}, "webp")
    assert url == "/placeholder/6x4.webp?text=a%26b%20c%2F%C3%A9,%3D%23"
    assert image_url("/qr", {}) == "/qr"
    assert doctest.testmod(imagegen.urls).failed == 0
