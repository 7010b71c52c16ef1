"""Plain QR codes against another checkout: the same bytes, and no slower when cold.

    .venv/bin/python -m bench.qr --baseline /work/main

Each tree renders in a worker process of its own (`imagegen.rendering.render`: validation,
modules, drawing, encoding; no cache), with that tree first on `sys.path`. The parent
asks them in turn, one case at a time, so both see the same machine; each answer is the
median CPU time of a batch. Every case's bytes must be identical in both trees (exit 1
otherwise), and the table gives this tree's median over the baseline's.
"""

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent

CASES: dict[str, tuple[dict[str, str], str]] = {
    "URL 300 PNG": ({"data": "https://example.com/tickets/42", "size": "300"}, "png"),
    "URL 300 SVG": ({"data": "https://example.com/tickets/42", "size": "300"}, "svg"),
    "URL 300 WebP": ({"data": "https://example.com/tickets/42", "size": "300"}, "webp"),
    "URL 300 JPEG": ({"data": "https://example.com/tickets/42", "size": "300"}, "jpg"),
    "emoji, ecc H, colours": (
        {"data": "Hello 👋", "size": "200", "ecc": "H", "color": "336699"},
        "png",
    ),
    "transparent, border 0, scale 2": (
        {"data": "transparent", "background": "transparent", "border": "0", "scale": "2"},
        "png",
    ),
    "version 10, ecc q": ({"data": "v10", "version": "10", "ecc": "q", "size": "400"}, "png"),
    "1000 bytes, 1000 px, ecc H": ({"data": "x" * 1000, "size": "1000", "ecc": "H"}, "png"),
}


def worker(tree: Path) -> None:
    """Answer `[case name, count]` lines with the case's digest and CPU times, with
    imagegen imported from `tree` (not from an editable install's finder)."""
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__]
    sys.path.insert(0, str(tree))
    import imagegen
    from imagegen.rendering import create_generators, render
    from imagegen.settings import Settings

    qr = create_generators(Settings.defaults())["qr"]
    print(json.dumps({"module": imagegen.__file__}), flush=True)
    for line in sys.stdin:
        name, count = json.loads(line)
        query, extension = CASES[name]
        times, digest = [], ""
        for _ in range(count):
            start = time.process_time()
            content = render(qr, dict(query), extension).content
            times.append(time.process_time() - start)
            digest = hashlib.sha256(content).hexdigest()
        print(json.dumps({"digest": digest, "times": times}), flush=True)


class Worker:
    def __init__(self, tree: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.qr", "--worker", str(tree)],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.module = self._read()["module"]
        if not self.module.startswith(str(tree)):
            raise SystemExit(f"{tree}: imported imagegen from {self.module}")

    def _read(self) -> Any:
        assert self.process.stdout is not None
        return json.loads(self.process.stdout.readline())

    def ask(self, name: str, count: int) -> Any:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps([name, count]) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="the other checkout (its root folder)")
    parser.add_argument("--rounds", type=int, default=15, help="alternating rounds (default 15)")
    parser.add_argument("--batch", type=int, default=20, help="renders per round (default 20)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return 0
    if args.baseline is None:
        parser.error("--baseline is required")
    trees = {"baseline": Worker(args.baseline.resolve()), "this tree": Worker(HERE)}
    failed = False
    print("| case | baseline ms | this tree ms | ratio | same bytes |\n|---|---:|---:|---:|---|")
    for name in CASES:
        medians: dict[str, list[float]] = {label: [] for label in trees}
        digests: dict[str, str] = {}
        for tree in trees.values():
            tree.ask(name, 3)  # warm: fonts, tables, the version's layout
        for _ in range(args.rounds):
            for label, tree in trees.items():
                answer = tree.ask(name, args.batch)
                medians[label].append(statistics.median(answer["times"]))
                digests[label] = answer["digest"]
        base, ours = (1000 * statistics.median(medians[label]) for label in trees)
        same = digests["baseline"] == digests["this tree"]
        failed |= not same
        verdict = "yes" if same else "**NO**"
        print(f"| {name} | {base:.2f} | {ours:.2f} | {ours / base:.2f}x | {verdict} |")
    for tree in trees.values():
        tree.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
