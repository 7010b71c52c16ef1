"""Section 6 of the benchmarks: PNG, WebP and AVIF side by side over the gallery (every
generator's examples, at scale 1), bytes and encode time at equal quality, from which
each generator's preference between WebP and AVIF is decided (README, "Formats").

    .venv/bin/python -m bench.formats   # this section alone; bench/run runs it too

Equal quality: PNG is exact; WebP is encoded as imagegen serves it by default (exact for
flat images, quality 80 otherwise) and AVIF at the lowest quality, in steps of 5, whose
PSNR reaches WebP's (capped at 45 dB, where WebP is exact: differences past it do not
show). Encode times are medians of `--repeats` encodes in one thread, the formats
alternating. Run alone, it prints the section and puts it in bench/results.md (its
own marked section).
"""

import argparse
import io
import math
import statistics
import sys
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image

from bench.run import ROOT, replace_section
from imagegen.encoding import AVIF_SPEED, DEFAULT_AVIF_QUALITY, EncodeOptions, encode
from imagegen.formats import AVIF, PNG, WEBP
from imagegen.rendering import create_generators, validate_params

TITLE = "### 6. PNG, WebP and AVIF at equal quality"
_EXACT_DB = 45.0


@dataclass
class Encoded:
    size: int
    ms: float
    psnr: float
    quality: int | None = None


def psnr(original: Image.Image, data: bytes) -> float:
    """Peak signal-to-noise ratio of the decoded `data` against `original`, over RGBA."""
    a = np.asarray(original.convert("RGBA"), dtype=np.float64)
    b = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"), dtype=np.float64)
    mse = float(np.mean((a - b) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def avif_at_equal_quality(image: Image.Image, target: float) -> int:
    """The lowest AVIF quality (steps of 5) whose PSNR reaches `target` dB."""
    for quality in range(5, 101, 5):
        if psnr(image, encode(image, AVIF, EncodeOptions(quality=quality))) >= target:
            return quality
    return 100


def gallery_images() -> list[tuple[str, str, Image.Image]]:
    """(generator, label, drawn image) of every example, as the routes draw them."""
    found = []
    for generator in create_generators().values():
        for number, example in enumerate(generator.examples, 1):
            query = {k: v for k, v in example.items() if k != "scale"}
            params = validate_params(generator, query)
            drawn = generator.render(params, PNG)
            if isinstance(drawn, Image.Image):
                found.append((generator.name, f"{generator.name}-{number}", drawn))
    return found


def measure(image: Image.Image, repeats: int) -> dict[str, Encoded]:
    """Each format's bytes, median encode ms (this thread's CPU time, the formats taking
    turns) and PSNR."""
    webp_psnr = psnr(image, encode(image, WEBP, EncodeOptions()))
    quality = avif_at_equal_quality(image, min(webp_psnr, _EXACT_DB))
    encoders = {
        "png": (PNG, EncodeOptions()),
        "webp": (WEBP, EncodeOptions()),
        "avif": (AVIF, EncodeOptions(quality=quality)),
        "avif default": (AVIF, EncodeOptions()),
    }
    times: dict[str, list[float]] = {name: [] for name in encoders}
    data: dict[str, bytes] = {}
    for _ in range(repeats):
        for name, (fmt, options) in encoders.items():
            start = time.thread_time()
            data[name] = encode(image, fmt, options)
            times[name].append(time.thread_time() - start)
    return {
        name: Encoded(
            len(data[name]),
            statistics.median(times[name]) * 1000,
            psnr(image, data[name]),
            quality if name == "avif" else None,
        )
        for name in encoders
    }


def _db(value: float) -> str:
    return "exact" if math.isinf(value) else f"{value:.1f} dB"


def formats_section(repeats: int) -> list[str]:
    rows, totals = [], {}
    for generator, label, image in gallery_images():
        results = measure(image, repeats)
        png, webp, avif, default = (results[k] for k in ("png", "webp", "avif", "avif default"))
        rows.append(
            f"| {label} ({image.width}×{image.height}) | {png.size:,} / {png.ms:.1f} | "
            f"{webp.size:,} / {webp.ms:.1f} ({_db(webp.psnr)}) | q{avif.quality}: "
            f"{avif.size:,} / {avif.ms:.1f} ({_db(avif.psnr)}) | {default.size:,} / "
            f"{default.ms:.1f} ({_db(default.psnr)}) |"
        )
        total = totals.setdefault(generator, {k: [0, 0.0] for k in results})
        for key, result in results.items():
            total[key][0] += result.size
            total[key][1] += result.ms
    lines = [
        f"{TITLE} (bytes / encode ms; AVIF at speed {AVIF_SPEED}, one thread)\n",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, median of {repeats} "
        "encodes each, formats alternating. Equal quality: AVIF at the lowest quality "
        f"reaching WebP's PSNR (at most {_EXACT_DB:g} dB).\n",
        "| image | PNG | WebP (default) | AVIF at equal quality | AVIF default "
        f"(q{DEFAULT_AVIF_QUALITY}) |",
        "|---|---:|---:|---:|---:|",
        *rows,
        "",
        "| generator | PNG bytes / ms | WebP bytes / ms | AVIF (equal quality) bytes / ms "
        "| AVIF / WebP bytes | AVIF / WebP time |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for generator, total in totals.items():
        (png_b, png_t), (webp_b, webp_t), (avif_b, avif_t) = (
            total[k] for k in ("png", "webp", "avif")
        )
        lines.append(
            f"| {generator} | {png_b:,} / {png_t:.1f} | {webp_b:,} / {webp_t:.1f} | "
            f"{avif_b:,} / {avif_t:.1f} | {avif_b / webp_b:.2f}x | {avif_t / webp_t:.1f}x |"
        )
    return [*lines, ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="encodes per format (default 5)")
    args = parser.parse_args()
    text = "\n".join(formats_section(args.repeats))
    print(text)
    replace_section(ROOT / "bench" / "results.md", "formats", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
