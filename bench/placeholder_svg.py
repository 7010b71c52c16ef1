"""Placeholder SVG: bytes of text as `<text>` against glyph outlines, and how close the
SVG drawn by chromium comes to the PNG.

    .venv/bin/python -m bench.placeholder_svg   # needs chromium (/usr/bin/chromium)

Outline bytes are a lower bound: each glyph of the label once as a `<path>` by fontTools
(no kerning, no shaping), as a `<symbol>` reused by `<use>`. Fidelity: chromium draws the
SVG with `<img>` at the CSS size (no web fonts load there, so the text is in a system
font stretched to the measured width), and the mean difference from the PNG over the
pixels, and over the text's box, is in levels of 255.
"""

import base64
import io
import os
from pathlib import Path

import numpy as np
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.ttLib import TTFont
from PIL import Image

from imagegen.generators.placeholder import Placeholder
from imagegen.rendering import create_generators, render

CASES = {
    "default 600×400": Placeholder.examples[0],
    "two lines 300×250": {"width": "300", "height": "250", "text": "Ad\\nspace"},
    "gradient, radius 320×180": Placeholder.examples[3],
}
CHROMIUM = Path(os.environ.get("IMAGEGEN_TEST_CHROMIUM", "/usr/bin/chromium"))


def outline_bytes(text: str, font_path: Path) -> int:
    """Bytes of `text`'s distinct glyphs as SVG paths (one `<path>` each, plus a
    `<use>` per character)."""
    with TTFont(font_path) as font:
        glyphs, cmap = font.getGlyphSet(), font.getBestCmap()
        total = 0
        for char in set(text.replace("\n", "")):
            if ord(char) not in cmap:
                continue
            pen = SVGPathPen(glyphs)
            glyphs[cmap[ord(char)]].draw(pen)
            total += len(f'<symbol id="a"><path d="{pen.getCommands()}"/></symbol>')
        return total + len('<use href="#a" x="000.0"/>') * len(text)


def screenshots(svgs: dict[str, bytes]) -> dict[str, Image.Image]:
    from playwright.sync_api import sync_playwright

    shots = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(device_scale_factor=1)
        for name, svg in svgs.items():
            uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
            page.set_content(f'<body style="margin:0"><img id="i" src="{uri}"></body>')
            page.wait_for_function("document.getElementById('i').complete")
            shots[name] = Image.open(io.BytesIO(page.locator("#i").screenshot()))
        browser.close()
    return shots


def main() -> None:
    generator = create_generators()["placeholder"]
    lato = generator.context.fonts.chain("lato")[0].path
    svgs, pngs = {}, {}
    for name, query in CASES.items():
        svgs[name] = render(generator, query, "svg").content
        pngs[name] = render(generator, query, "png").content
    shots = screenshots(svgs)
    print(
        "| placeholder | PNG bytes | SVG bytes (`<text>`) | outlines of its glyphs, at least "
        "| mean difference, whole image | mean difference, text box |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, query in CASES.items():
        png = Image.open(io.BytesIO(pngs[name])).convert("RGBA")
        shot = shots[name].convert("RGBA").resize(png.size)
        a = np.asarray(png, dtype=np.float64)
        b = np.asarray(shot, dtype=np.float64)
        diff = np.abs(a - b)[..., :3].mean(axis=2)
        ink = np.argwhere(np.abs(a - a[png.height // 2, 2]).sum(axis=2) > 30)
        (top, left), (bottom, right) = ink.min(axis=0), ink.max(axis=0) + 1
        text = query.get("text", f"{query['width']}×{query['height']}").replace("\\n", "\n")
        print(
            f"| {name} | {len(pngs[name]):,} | {len(svgs[name]):,} | "
            f"{outline_bytes(text, lato):,} | {diff.mean():.1f} | "
            f"{diff[top:bottom, left:right].mean():.1f} |"
        )


if __name__ == "__main__":
    main()
