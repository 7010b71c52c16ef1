"""Cold QR codes in-process: imagegen against the qrcode library's own `make` + PNG for
the same data (target: <= 0.35x of its time), alternating one for one, CPU time.

    .venv/bin/python -m bench.qr_peer [--rounds 400]

imagegen's side is the whole of a `GET /qr.png?size=300&data=...` without HTTP
(`imagegen.rendering.render`: validation, version fitting, modules, drawing, PNG);
qrcode's is `bench.run.direct_qr` (QRCode(error_correction=M, box_size=8, border=4),
`make(fit=True)`, `make_image().save(PNG)`). Both are timed with `time.thread_time`, so
other processes on a shared machine move the ratio little; the median of each is taken.
"""

import argparse
import statistics
import sys
import time

from bench.run import _QR_DATA, direct_qr
from imagegen.rendering import create_generators, render

QUERY = {"data": _QR_DATA, "size": "300"}


def measure(rounds: int) -> tuple[float, float]:
    """Median CPU ms of imagegen's cold QR code and of qrcode's, alternated."""
    qr = create_generators()["qr"]
    ours, theirs = [], []
    for _ in range(rounds + 20):
        start = time.thread_time()
        render(qr, QUERY, "png")
        ours.append(time.thread_time() - start)
        start = time.thread_time()
        direct_qr()
        theirs.append(time.thread_time() - start)
    return statistics.median(ours[20:]) * 1000, statistics.median(theirs[20:]) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args()
    ours, theirs = measure(args.rounds)
    ratio = ours / theirs
    print(
        f"QR 300×300 PNG, cold, in-process, median CPU of {args.rounds} alternating rounds: "
        f"imagegen {ours:.2f} ms, qrcode make + PNG {theirs:.2f} ms: **{ratio:.3f}x** "
        f"(target <= 0.35x: {'met' if ratio <= 0.35 else 'missed'})"
    )
    return 0 if ratio <= 0.35 else 1


if __name__ == "__main__":
    sys.exit(main())
