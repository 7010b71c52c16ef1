"""The dearest renders a generator calls quick (`Generator.renders_quickly`), which
`imagegen serve` draws on its event loop instead of a render thread:

    .venv/bin/python -m bench.quick [--rounds 15]

Each case is rendered `rounds` times in-process, cold: a new image every time (its
colour, size or data), the cases alternating. Prints the median and the worst CPU ms of
each, beside the target (about 5 ms: the event loop answers nothing else meanwhile),
and checks that every case is one its generator calls quick.
"""

import argparse
import statistics
import time

from imagegen.formats import format_for_token
from imagegen.rendering import create_generators, render, validate_params

TARGET_MS = 5.0
# (generator, format, query with {n} for what changes each round): the corners of what
# `renders_quickly` admits.
CASES = (
    ("placeholder", "png", {"width": "600", "height": "400", "background": "{n:06x}"}),
    ("placeholder", "png", {"width": "800", "height": "600", "background": "{n:06x}"}),
    ("placeholder", "png", {"width": "1000", "height": "480", "color": "{n:06x}"}),
    ("placeholder", "png", {"width": "480", "height": "1000", "color": "{n:06x}"}),
    ("placeholder", "png", {"width": "1000", "height": "4{n:02d}"}),
    ("placeholder", "png", {"width": "5{n:02d}", "height": "700"}),
    ("placeholder", "png", {"width": "346", "height": "346", "scale": "2", "color": "{n:06x}"}),
    ("placeholder", "svg", {"width": "800", "height": "600", "background": "{n:06x}"}),
    ("qr", "png", {"data": "https://example.com/{n}", "size": "300"}),
    ("qr", "png", {"data": "{n:064d}", "size": "400", "ecc": "H"}),
    ("qr", "png", {"data": "é{n:063d}", "size": "400", "ecc": "H"}),
    ("qr", "png", {"data": "{n}", "size": "400", "version": "6"}),
    ("qr", "png", {"data": "{n}", "size": "200", "scale": "2", "version": "6"}),
    ("qr", "svg", {"data": "é{n:063d}", "size": "400", "ecc": "H"}),
)


def measure(rounds: int) -> list[tuple[str, float, float]]:
    """(case, median CPU ms, worst CPU ms) of each case, cases alternating."""
    generators = create_generators()
    times: dict[int, list[float]] = {i: [] for i in range(len(CASES))}
    for n in range(rounds + 2):
        for i, (name, fmt, query) in enumerate(CASES):
            values = {key: value.format(n=n) for key, value in query.items()}
            generator = generators[name]
            params = validate_params(generator, values)
            if not generator.renders_quickly(params, format_for_token(fmt)):
                raise SystemExit(f"not a quick render: {name} {fmt} {query}")
            start = time.thread_time()
            render(generator, values, fmt)
            if n >= 2:  # the first rounds warm the fonts and code paths up
                times[i].append((time.thread_time() - start) * 1000)
    rows = []
    for i, (name, fmt, query) in enumerate(CASES):
        label = f"{name} {fmt} " + "&".join(f"{k}={v}" for k, v in query.items())
        rows.append((label, statistics.median(times[i]), max(times[i])))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    rows = measure(args.rounds)
    print("| quick render (cold, in-process) | median CPU ms | worst CPU ms |")
    print("|---|---:|---:|")
    for label, median, worst in rows:
        print(f"| `{label}` | {median:.2f} | {worst:.2f} |")
    dearest = max(median for _, median, _ in rows)
    verdict = "met" if dearest <= TARGET_MS else "**missed**"
    print(f"\nDearest median {dearest:.2f} ms: target <= {TARGET_MS:g} ms — {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
