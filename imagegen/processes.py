"""Heavy renders in child processes: the render pool.

matplotlib's Agg renderer holds the GIL through each drawing call, tens of milliseconds
at a time, so a chart drawn in a thread of the server's process stalls its event loop:
cached images waited 110-190 ms (p99) beside 8 chart renders. A generator that declares
`heavy = True` renders instead in a child process: a fresh interpreter running
`python -m imagegen.processes`, which holds its own GIL, runs at a lower CPU priority than
the server (`NICENESS`), and can be killed: a render past its deadline is killed with its
process, so the CPU it spends after its 503 is bounded, and the process is replaced.

The conversation with a child, over a Unix socket pair (`multiprocessing.Pipe`):

    parent -> child  the settings and the heavy generators' class paths (JSON), once
    child  -> parent READY, once they are imported and built
    parent -> child  a job: class path, parameters as `model_dump(mode="json")`, format
                     name, encoder options
    child  -> parent ("ok", rss) then the file's bytes; or ("api_error", body, headers,
                     rss); or ("error", traceback, rss)

The child validates the parameters again with its own generator, renders and encodes.
Its standard input is a pipe the parent never writes: when the parent ends, however it
ends, the child reads end-of-file and exits at once, even mid-render, so no render
process outlives its server.
"""

import atexit
import importlib
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import Any

from pydantic import BaseModel

from imagegen.cache import Render
from imagegen.encoding import EncodeOptions
from imagegen.errors import ApiError, ParameterProblem
from imagegen.fonts import FontLibrary
from imagegen.formats import format_for_token
from imagegen.output import OutputChoice
from imagegen.plugin import Generator, GeneratorContext
from imagegen.registry import PluginError
from imagegen.rendering import RenderAbandoned, render_image
from imagegen.settings import Settings

READY = b"ready"
# A child renders at this `nice` level: when a render and the event loop want the same
# core, the kernel hands it to the event loop first (bench/loop.py measures the effect).
NICENESS = 10
# Seconds a new child may take to import and build its generators (about 1 s of CPU).
STARTUP_TIMEOUT = 60.0
# Seconds `close` waits for a child to exit before killing it.
EXIT_TIMEOUT = 5.0


class RenderFailed(RuntimeError):
    """A render process failed other than with an `ApiError`: it raised (the child's
    traceback is the message), died, or did not start."""


def class_path(cls: type) -> str:
    """`module:QualName`, by which a child imports a generator class."""
    return f"{cls.__module__}:{cls.__qualname__}"


def _import_class(path: str) -> type[Generator]:
    module, _, name = path.partition(":")
    found: Any = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    return found


def _check_importable(cls: type[Generator]) -> None:
    """A `PluginError` at start-up, rather than failed renders, for a heavy generator
    that a render process could not import by its path (defined in `__main__`, or in a
    function)."""
    path = class_path(cls)
    try:
        found = _import_class(path) if cls.__module__ != "__main__" else None
    except (ImportError, AttributeError):
        found = None
    if found is not cls:
        raise PluginError(
            f"{path}: a heavy generator renders in a render process, which imports it by "
            "its module path: define it at the top level of an importable module"
        )


def _setup_message(settings: Settings, generators: Sequence[Generator]) -> bytes:
    return json.dumps(
        {
            # The signing key stays in the server: the child only draws.
            "settings": settings.model_dump(mode="json", exclude={"signing_key"}),
            "generators": [class_path(type(g)) for g in generators],
            # Plugins load from wherever the server found them.
            "path": sys.path,
        }
    ).encode()


def _resident_bytes() -> int:
    """This process's resident memory (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


# The child's side.


def _exit_with_parent() -> None:
    """Exit as soon as the parent is gone: its end of our standard input closes with it."""

    def watch() -> None:
        while os.read(0, 4096):  # b"" at end-of-file: the parent has gone
            pass
        os._exit(0)

    threading.Thread(target=watch, name="parent watch", daemon=True).start()


def _answer(conn: Connection, generators: dict[str, Generator], job: tuple[Any, ...]) -> None:
    path, data, format_name, options = job
    try:
        generator = generators[path]
        params = generator.params.model_validate(data)
        fmt = format_for_token(format_name)
        assert fmt is not None
        output = OutputChoice(fmt, False, EncodeOptions(**options))
        content = render_image(generator, params, output)
    except ApiError as exc:
        conn.send(("api_error", exc.body.model_dump(), exc.headers, _resident_bytes()))
        return
    except Exception:  # the server logs the traceback and answers 500
        conn.send(("error", traceback.format_exc(), _resident_bytes()))
        return
    conn.send(("ok", _resident_bytes()))
    conn.send_bytes(content)


def serve_renders(fd: int) -> None:
    """The child's main loop on the socket `fd`: set up, then answer jobs until the
    parent closes the socket."""
    _exit_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server to handle
    os.nice(NICENESS)
    conn = Connection(fd)
    setup = json.loads(conn.recv_bytes())
    sys.path[:] = setup["path"]
    settings = Settings.model_validate(setup["settings"])
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = settings.render_process_memory
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    context = GeneratorContext(settings, FontLibrary(settings.fonts_dir))
    generators = {path: _import_class(path)(context) for path in setup["generators"]}
    conn.send_bytes(READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the server closed the socket, or went
            return
        _answer(conn, generators, job)


# The parent's side.


class RenderProcess:
    """One child process and the parent's end of its socket. Used by one thread at a
    time (the pool hands it out)."""

    def __init__(self, setup: bytes) -> None:
        self.conn, child_end = Pipe()  # a Unix socket pair: the child gets one end
        with child_end:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "imagegen.processes", str(child_end.fileno())],
                stdin=subprocess.PIPE,
                pass_fds=(child_end.fileno(),),
            )
        self.conn.send_bytes(setup)
        self.ready = False
        self.reusable = False  # whether the last job ended with a whole answer
        self.resident = 0

    @property
    def pid(self) -> int:
        return self.popen.pid

    def wait_ready(self) -> None:
        if self.ready:
            return
        try:
            if self.conn.poll(STARTUP_TIMEOUT) and self.conn.recv_bytes() == READY:
                self.ready = True
                return
        except (EOFError, OSError):
            pass
        raise RenderFailed(f"render process {self.pid} did not start (see its output)")

    def render(self, job: tuple[Any, ...], deadline: float) -> bytes:
        """Send `job` and wait for its answer until `deadline` (`time.monotonic`):
        `RenderAbandoned` past it, leaving the process unusable (kill it)."""
        self.reusable = False
        try:
            self.conn.send(job)
            if not self.conn.poll(max(0.0, deadline - time.monotonic())):
                raise RenderAbandoned
            reply = self.conn.recv()
            content = self.conn.recv_bytes() if reply[0] == "ok" else b""
        except (EOFError, OSError):
            code = self.popen.poll()
            raise RenderFailed(f"render process {self.pid} died (exit status {code})") from None
        self.reusable = True
        self.resident = reply[-1]
        if reply[0] == "api_error":
            _, body, headers, _ = reply
            problems = [ParameterProblem(**problem) for problem in body["parameters"]]
            raise ApiError(
                body["status"], body["error"], body["message"], problems, body["available"], headers
            )
        if reply[0] == "error":
            raise RenderFailed(f"render process {self.pid} failed:\n{reply[1]}")
        return content

    def stop(self, kill: bool) -> None:
        """End the process: at once (`kill`), or by closing its input and socket, which
        makes it exit (killed if it has not after `EXIT_TIMEOUT`). Then reap it."""
        if kill:
            self.popen.kill()
        for stream in (self.popen.stdin, self.conn):
            if stream is not None:
                stream.close()
        try:
            self.popen.wait(EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


class RenderPool:
    """Up to `settings.render_processes` render processes for `generators` (the heavy
    ones), each started when first needed or by `start`, and shared by the threads that
    call `render`. A process is replaced (a new one started at once) when its render is
    killed at its deadline, when it dies, and when it holds more than half of
    `render_process_memory` after a render.
    """

    def __init__(self, settings: Settings, generators: Sequence[Generator]) -> None:
        self.settings = settings
        self.size = settings.render_processes
        self._setup = _setup_message(settings, generators)
        self._idle: list[RenderProcess] = []
        self._processes: set[RenderProcess] = set()
        self._changed = threading.Condition()

    @property
    def pids(self) -> list[int]:
        """The process ids of the render processes running now."""
        with self._changed:
            return sorted(process.pid for process in self._processes)

    def start(self) -> None:
        """Start the missing processes now, without waiting for them to be ready."""
        with self._changed:
            while len(self._processes) < self.size:
                process = RenderProcess(self._setup)
                self._processes.add(process)
                self._idle.append(process)

    def render(
        self, generator: Generator, params: BaseModel, output: OutputChoice, render: Render
    ) -> bytes:
        """`generator`'s image of `params` as `output`, drawn in a render process; blocks,
        so call it from a worker thread. The render's budget starts once a process is
        ready for it (`render.start`); past it, the process is killed and
        `RenderAbandoned` raised."""
        job = (
            class_path(type(generator)),
            params.model_dump(mode="json"),
            output.format.name,
            asdict(output.options),
        )
        process = self._acquire()
        try:
            process.wait_ready()
            if not render.start(self.settings.render_timeout):
                process.reusable = True  # it was given nothing to do
                raise RenderAbandoned
            return process.render(job, render.deadline)
        finally:
            self._release(process)

    def _acquire(self) -> RenderProcess:
        with self._changed:
            while True:
                if self._idle:
                    return self._idle.pop()
                if len(self._processes) < self.size:
                    process = RenderProcess(self._setup)
                    self._processes.add(process)
                    return process
                self._changed.wait()

    def _release(self, process: RenderProcess) -> None:
        keep = process.reusable and process.resident <= self.settings.render_process_memory / 2
        with self._changed:
            if process not in self._processes:  # the pool was closed meanwhile
                keep = False
            elif not keep:  # replaced at once, so that the next render finds it started
                self._processes.remove(process)
                replacement = RenderProcess(self._setup)
                self._processes.add(replacement)
                self._idle.append(replacement)
            else:
                self._idle.append(process)
            self._changed.notify()
        if not keep:
            process.stop(kill=True)

    def close(self) -> None:
        """Stop every process: idle ones at once, busy ones make their render fail. A
        later `render` starts new ones."""
        with self._changed:
            idle, busy = self._idle, self._processes - set(self._idle)
            self._idle, self._processes = [], set()
            self._changed.notify_all()
        for process in busy:
            if process.popen.stdin is not None:
                process.popen.stdin.close()  # it exits; its thread then reaps it
        for process in idle:
            process.stop(kill=False)


_pools: dict[str, RenderPool] = {}
_pools_lock = threading.Lock()


def shared_pool(settings: Settings, generators: Sequence[Generator]) -> RenderPool | None:
    """This process's render pool for `settings` and the heavy ones of `generators`;
    None when there are none or `render_processes` is 0. Apps built with the same
    settings in one process (tests, embedding) share one pool, as they share threads."""
    heavy = [g for g in generators if g.heavy]
    if not heavy or settings.render_processes == 0:
        return None
    for generator in heavy:
        _check_importable(type(generator))
    key = _setup_message(settings, heavy).decode()
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = RenderPool(settings, heavy)
        return pool


@atexit.register
def _close_pools() -> None:
    with _pools_lock:
        pools = list(_pools.values())
    for pool in pools:
        pool.close()


if __name__ == "__main__":
    serve_renders(int(sys.argv[1]))
