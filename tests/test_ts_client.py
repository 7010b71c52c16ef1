"""A TypeScript client generated from the committed spec, calling every image operation.

openapi-typescript turns openapi/openapi.json into types, `tsc --strict` checks
tests/ts_client/call.ts (openapi-fetch calls) against them, and node runs it against a
live server; every image it gets back must decode. The npm packages are pinned in
tests/ts_client/package-lock.json and installed by `.ci/run` (`npm ci`).
"""

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from imagegen.formats import ALL_FORMATS
from tests.conftest import NOT_TESTED, assert_format, loud_skip_unless_ci

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "tests" / "ts_client"
BIN = CLIENT / "node_modules" / ".bin"
_BY_MEDIA_TYPE = {fmt.media_type: fmt for fmt in ALL_FORMATS}

pytestmark = loud_skip_unless_ci(
    not (BIN / "openapi-typescript").exists() or shutil.which("node") is None,
    NOT_TESTED + "the TypeScript client test needs node and its npm packages: "
    "(cd tests/ts_client && npm ci)  (or run: bash .ci/run)",
)


def run(*command: str) -> str:
    done = subprocess.run(
        command, cwd=CLIENT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def compiled() -> Path:
    """call.ts type-checked against types generated from the committed spec; its JS."""
    # Request bodies: a field with a default is optional (openapi-typescript's default
    # treats it as always present, as in a response).
    run(
        str(BIN / "openapi-typescript"),
        str(ROOT / "openapi" / "openapi.json"),
        "--default-non-nullable",
        "false",
        "-o",
        "schema.d.ts",
    )
    run(str(BIN / "tsc"), "-p", ".")
    return CLIENT / "build" / "call.js"


def spec_image_operations() -> set[str]:
    spec = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    return {
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if "meta" not in operation.get("tags", [])
    }


def test_generated_typescript_client_calls_every_image_operation(compiled, live_server):
    host, port = live_server
    lines = run("node", str(compiled), f"http://{host}:{port}").splitlines()
    results = [json.loads(line) for line in lines]
    assert {r["operation"] for r in results} == spec_image_operations()
    for result in results:
        assert result["status"] == 200, result["operation"]
        fmt = _BY_MEDIA_TYPE[result["type"]]
        assert_format(base64.b64decode(result["image"]), fmt)


def test_spec_type_errors_fail_the_compile(compiled, tmp_path):
    # The type check is real: a call that breaks the spec's types (a string for the
    # integer `size`) fails to compile.
    broken = CLIENT / "broken.ts"
    broken.write_text(
        'import createClient from "openapi-fetch";\n'
        'import type { paths } from "./schema.d.ts";\n'
        "const client = createClient<paths>({});\n"
        'client.GET("/qr", { params: { query: { data: "x", size: "big" } } });\n'
    )
    try:
        done = subprocess.run(
            [
                str(BIN / "tsc"),
                "--noEmit",
                "--strict",
                "--module",
                "NodeNext",
                "--moduleResolution",
                "NodeNext",
                "--lib",
                "ES2022,DOM",
                "broken.ts",
            ],
            cwd=CLIENT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        broken.unlink()
    assert done.returncode != 0 and "broken.ts(4," in done.stdout, done.stdout
