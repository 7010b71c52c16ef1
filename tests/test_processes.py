"""Heavy generators render in render processes (imagegen/processes.py): killed at their
deadline, replaced when they die or grow, gone when the server goes."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

import imagegen.processes
from imagegen.app import create_app
from imagegen.registry import PluginError
from imagegen.rendering import create_generators, validate_params
from imagegen.settings import Settings
from tests.conftest import decode
from tests.test_cache import free_port
from tests.test_hardening import get_in_background, serving, wait_until
from tests.test_plugins import install_plugin

# A heavy plugin that reports where and with what it rendered, and misbehaves on demand.
PROBE_MODULE = """
import html, os, time

from pydantic import BaseModel, Field

from imagegen.colors import Color
from imagegen.errors import invalid_parameter
from imagegen.formats import SVG
from imagegen.plugin import Generator

HELD = []


class ProbeParams(BaseModel):
    color: Color = Field("red", validate_default=True)
    seconds: float = Field(0, ge=0, le=120)
    allocate: int = Field(0, ge=0, description="Bytes to allocate while rendering.")
    keep: bool = Field(False, description="Keep the allocation after the render.")
    fail: str = Field("", description="api, raise or exit.")


class Probe(Generator):
    name = "probe"
    summary = "Where a heavy render ran"
    formats = (SVG,)
    heavy = True

    def params_model(self):
        return ProbeParams

    def render(self, params, fmt):
        if params.fail == "api":
            raise invalid_parameter("fail", "asked to fail", "api")
        if params.fail == "raise":
            raise ValueError("asked to raise")
        if params.fail == "exit":
            os._exit(3)
        block = bytearray(params.allocate)
        if params.keep:
            HELD.append(block)
        time.sleep(params.seconds)
        attributes = {
            "pid": os.getpid(),
            "validated": isinstance(params, self.params),
            "params": params.model_dump_json(),
        }
        data = " ".join(f'data-{k}="{html.escape(str(v))}"' for k, v in attributes.items())
        return f'<svg xmlns="http://www.w3.org/2000/svg" {data}/>'.encode()
"""


@pytest.fixture
def probe(tmp_path, monkeypatch):
    """The probe plugin installed; render pools made during the test closed after it."""
    install_plugin(
        tmp_path,
        monkeypatch,
        "[imagegen.generators]\nprobe = toy_probe:Probe\n",
        module="toy_probe",
        source=PROBE_MODULE,
    )
    before = set(imagegen.processes._pools)
    yield
    for key, pool in list(imagegen.processes._pools.items()):
        if key not in before:
            pool.close()
            del imagegen.processes._pools[key]


def probe_attributes(content: bytes) -> dict[str, str]:
    svg = ElementTree.fromstring(content)
    return {name.removeprefix("data-"): value for name, value in svg.attrib.items()}


def get(address, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(*address, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie does not: it has exited, its parent not reaped it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_heavy_render_runs_in_a_render_process_with_its_parameters_validated_again(probe):
    app = create_app(Settings.defaults().model_copy(update={"render_processes": 1}))
    response = TestClient(app).get("/probe?color=%23FF0000")
    assert response.status_code == 200
    seen = probe_attributes(response.content)
    pool = app.state.render_pool
    assert int(seen["pid"]) != os.getpid() and pool.pids == [int(seen["pid"])]
    assert seen["validated"] == "True"
    assert json.loads(seen["params"])["color"] == "#ff0000ff"  # the canonical form


def test_a_heavy_generator_a_render_process_cannot_import_fails_at_startup():
    chart = create_generators(Settings.defaults())["chart"]

    class LocalChart(type(chart)):  # defined in a function: no module path reaches it
        pass

    with pytest.raises(PluginError, match="define it at the top level"):
        imagegen.processes.shared_pool(Settings.defaults(), [LocalChart(chart.context)])


def test_charts_render_in_render_processes_and_threads_alike():
    query = "/chart.png?type=bar&data=3,1,2&width=240&height=160&scale=2"
    images = []
    for processes in (2, 0):
        app = create_app(Settings.defaults().model_copy(update={"render_processes": processes}))
        response = TestClient(app).get(query)
        assert response.status_code == 200
        images.append(decode(response.content))
        assert (app.state.render_pool is None) == (processes == 0)
    assert images[0].size == (480, 320)
    assert images[0].tobytes() == images[1].tobytes()  # deterministic wherever drawn


def test_chart_parameters_survive_the_trip_to_a_render_process():
    """What the child receives, `model_dump(mode="json")`, validates to the same model."""
    chart = create_generators(Settings.defaults())["chart"]
    cases: list[tuple[dict, bool]] = [(dict(example), False) for example in chart.examples]
    post = (
        {
            "type": "line",
            "datasets": [
                {"data": [1, 2.5, -3], "label": "a\tb", "color": "teal", "type": "area"},
                {"data": [4, None, 6], "color": "#33669980", "line_style": "dashed"},
            ],
            "x": [0, 1.5, 4],
            "labels": ["x", "y", "z"],
            "colors": ["fff", "red"],
            "y_min": -5,
            "title": "Trip\nback",
            "font": "Open Sans",
        },
        True,  # a JSON body, validated strictly
    )
    for body, strict in [*cases, post]:
        params = validate_params(chart, body, strict=strict)
        again = chart.params.model_validate(params.model_dump(mode="json"))
        assert again == params, body


def test_a_render_past_its_deadline_is_killed_and_its_process_replaced(probe):
    with serving(render_timeout=0.5, render_processes=1) as address:
        # The first request starts the process, which may take longer than 0.5 s.
        wait_until(lambda: get(address, "/probe?seconds=0")[0] == 200, seconds=60)
        status, content = get(address, "/probe?seconds=0")
        first = int(probe_attributes(content)["pid"])
        started = time.monotonic()
        status, content = get(address, "/probe?seconds=60")
        assert status == 503 and json.loads(content)["error"] == "render_timeout"
        # Killed at its deadline, not after its 60 s of work.
        wait_until(lambda: not alive(first), seconds=20)
        assert time.monotonic() - started < 30
        # Replaced at once: the next render does not wait for the one killed.
        wait_until(lambda: get(address, "/probe?seconds=0.01")[0] == 200, seconds=60)
        status, content = get(address, "/probe?seconds=0.02")
        assert int(probe_attributes(content)["pid"]) not in (first, os.getpid())


def test_a_queued_render_whose_client_left_is_dropped_before_a_process_gets_it(probe):
    with serving(render_processes=1, render_timeout=20) as address:
        busy, busy_result = get_in_background(address, "/probe?seconds=2")
        time.sleep(0.5)
        with socket.create_connection(address) as leaving:  # queued behind it, then gone
            leaving.sendall(b"GET /probe?seconds=60&color=blue HTTP/1.1\r\nHost: t\r\n\r\n")
            time.sleep(0.3)
        busy.join(30)
        assert busy_result["status"] == 200
        # Had the abandoned render reached the process, this would wait 20 s for it.
        after = http.client.HTTPConnection(*address, timeout=10)
        after.request("GET", "/probe?seconds=0")
        assert after.getresponse().status == 200


def test_errors_in_a_render_process(probe):
    client = TestClient(
        create_app(Settings.defaults().model_copy(update={"render_processes": 1})),
        raise_server_exceptions=False,
    )
    refused = client.get("/probe?fail=api")
    assert refused.status_code == 422
    assert refused.json()["parameters"] == [
        {"parameter": "fail", "message": "asked to fail", "limit": "api"}
    ]
    pid = int(probe_attributes(client.get("/probe").content)["pid"])
    failed = client.get("/probe?fail=raise")
    assert failed.status_code == 500 and failed.json()["error"] == "internal_error"
    assert int(probe_attributes(client.get("/probe?color=blue").content)["pid"]) == pid
    died = client.get("/probe?fail=exit")
    assert died.status_code == 500 and "exit" not in died.text
    replaced = int(probe_attributes(client.get("/probe?color=green").content)["pid"])
    assert replaced != pid and not alive(pid)


def test_memory_of_a_render_process_is_bounded(probe):
    limit = 2**30
    app = create_app(
        Settings.defaults().model_copy(
            update={"render_processes": 1, "render_process_memory": limit}
        )
    )
    client = TestClient(app, raise_server_exceptions=False)
    pid = int(probe_attributes(client.get("/probe").content)["pid"])
    # Over the address-space limit: the allocation fails, the process stays.
    assert client.get(f"/probe?allocate={limit}").status_code == 500
    assert int(probe_attributes(client.get("/probe?color=blue").content)["pid"]) == pid
    # Holding more than half the limit after a render: the process is replaced.
    kept = client.get(f"/probe?allocate={limit * 6 // 10}&keep=true")
    assert kept.status_code == 200
    wait_until(lambda: not alive(pid))
    assert int(probe_attributes(client.get("/probe?color=green").content)["pid"]) != pid


def test_a_live_server_renders_charts_in_processes(live_server):
    status, content = get(live_server, "/chart.webp?type=line&data=1,3,2|2,2,4&width=300")
    assert status == 200 and decode(content).size == (300, 400)


# No render process outlives its server.


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def render_processes_of(pid: int) -> set[int]:
    found = set()
    for child in descendants(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue
        if b"imagegen.processes" in command:
            found.add(child)
    return found


def start_serve(workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [sys.executable, "-m", "imagegen.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until(lambda: get_or_none(port) is not None or server.poll() is not None, 60)
    assert server.poll() is None
    return server, port


def get_or_none(port: int) -> int | None:
    try:
        return get(("127.0.0.1", port), "/chart?data=1,2&width=160&height=120")[0]
    except OSError:
        return None


@pytest.mark.parametrize(
    ("workers", "stop"),
    [(1, signal.SIGTERM), (2, signal.SIGINT), (1, signal.SIGKILL)],
    ids=["1 worker, SIGTERM", "2 workers, SIGINT", "1 worker, SIGKILL"],
)
def test_imagegen_serve_leaves_no_render_process_behind(workers, stop):
    server, port = start_serve(workers)
    try:
        for i in range(4 * workers):  # charts on every worker (and both of its processes)
            status, content = get(("127.0.0.1", port), f"/chart?data=1,{i}&width=200")
            assert status == 200 and decode(content).size == (200, 400)
        processes = render_processes_of(server.pid)
        assert len(processes) == 2 * workers  # started with each worker, two each
        everything = descendants(server.pid)
        server.send_signal(stop)
        server.wait(30)
        wait_until(lambda: not any(alive(pid) for pid in processes), 10)
        if stop != signal.SIGKILL:  # a killed supervisor cannot stop its workers
            wait_until(lambda: not any(alive(pid) for pid in everything), 10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
