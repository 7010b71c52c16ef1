"""The committed spec matches the app, and declares image routes the way clients need."""

import json
from pathlib import Path

from imagegen.openapi import render_spec

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_committed_spec_matches_the_app(app):
    assert SPEC_PATH.read_text(encoding="utf-8") == render_spec(app), (
        "openapi/openapi.json is out of date: run `imagegen openapi` and commit it"
    )


def image_operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            content = operation["responses"]["200"].get("content", {})
            if any(media.startswith("image/") for media in content):
                yield path, method, operation


def test_image_routes_list_every_media_type_as_binary_and_no_json(app):
    spec = app.openapi()
    operations = list(image_operations(spec))
    assert {p for p, _, _ in operations} >= {
        "/placeholder/{width}x{height}",
        "/placeholder/{width}x{height}.{format}",
    }
    for _, _, operation in operations:
        content = operation["responses"]["200"]["content"]
        assert {"image/png", "image/jpeg", "image/webp"} <= set(content)
        assert "application/json" not in content
        for media in content.values():
            assert media["schema"] == {"type": "string", "format": "binary"}
        for status in ("406", "422"):
            error = operation["responses"][status]["content"]["application/json"]
            assert error["schema"] == {"$ref": "#/components/schemas/ErrorBody"}


def test_limits_are_in_the_spec(app):
    operation = app.openapi()["paths"]["/placeholder/{width}x{height}"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["width"]["schema"]["maximum"] == 4000
    assert params["height"]["schema"]["maximum"] == 4000
    assert params["text"]["schema"]["maxLength"] == 200
    assert params["scale"]["schema"]["maximum"] == 4
    assert "lato" in params["font"]["schema"]["enum"]
    assert params["format"]["schema"]["enum"] == [
        "png",
        "jpeg",
        "jpg",
        "webp",
        "avif",
        "gif",
        "svg",
    ]


def test_spec_is_valid_json_with_unique_operation_ids():
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
