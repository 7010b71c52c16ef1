"""Styled QR codes: module shapes, a finder colour, a logo and a caption, raster and SVG.

The plain code (square modules, one colour, no logo or caption) is drawn by
`imagegen.generators.qr` as before; this module draws the rest. Raster output is
anti-aliased: each module shape is drawn once, four times larger, into a coverage
stamp of one module, and the code is tiled from the stamps with numpy, so a code of
any size costs one array operation. SVG output draws the same shapes as paths, in
module units, and the caption as text in the same font, size and lines the raster uses.
"""

import base64
import io
import math
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape

import numpy as np
from PIL import Image, ImageDraw

from imagegen.colors import RGBA, composite, coverage_palette
from imagegen.fonts import FontLibrary
from imagegen.text import Layout, TextBlock

Shape = Literal["square", "rounded", "dots", "gapped"]
SHAPES: tuple[Shape, ...] = ("square", "rounded", "dots", "gapped")
#: Shapes other than square need this many pixels a module to be drawn and read.
MIN_SHAPED_MODULE_PX = 4
_SUPERSAMPLE = 4
_GAP = 0.1  # of a module, on each side of a gapped module
_FINDER = 7  # modules a side
# Captions: the default size is a fifteenth of the image's width (10 px at 150, as
# QuickChart draws them), never under 8 px; at most three lines.
CAPTION_SHARE = 1 / 15
MIN_CAPTION_SIZE = 8
MAX_CAPTION_LINES = 3


@dataclass(frozen=True)
class Style:
    """What a styled code looks like, everything but its modules."""

    shape: Shape
    color: RGBA
    finder_color: RGBA
    background: RGBA
    border: int


@dataclass(frozen=True)
class Caption:
    """A caption laid out: its lines, colour and font, and its pixel size."""

    layout: Layout
    color: RGBA
    font_family: str


@dataclass(frozen=True)
class Geometry:
    """Where the code goes on the canvas, in pixels: `module` pixels a module, the
    code's top left corner at (`offset`, `offset`), the caption's ink from `caption_top`,
    the canvas `width` × `height`."""

    width: int
    height: int
    module: int
    offset: int
    caption_top: int


def finder_mask(count: int) -> np.ndarray:
    """The three finder patterns' modules (7 × 7 each) of a code `count` modules a side."""
    mask = np.zeros((count, count), dtype=bool)
    far = count - _FINDER
    for top, left in ((0, 0), (0, far), (far, 0)):
        mask[top : top + _FINDER, left : left + _FINDER] = True
    return mask


def finder_origins(count: int) -> list[tuple[int, int]]:
    far = count - _FINDER
    return [(0, 0), (0, far), (far, 0)]


def caption_gap(module: int, border: int) -> int:
    """Pixels between the code and its caption: two modules of the quiet zone (one when
    there is no quiet zone), so that the code keeps clear space around it."""
    return module * min(max(border, 1), 2)


def geometry(count: int, border: int, width: int, padding: int, caption_height: int) -> Geometry:
    """The layout of a code of `count` modules with a `border`-module quiet zone on a
    canvas `width` pixels wide, `padding` pixels of it plain on each side, and a caption
    `caption_height` pixels high (0: none) under it."""
    module = (width - 2 * padding) // (count + 2 * border)
    offset = (width - count * module) // 2
    if not caption_height:
        return Geometry(width, width, module, offset, 0)
    gap = caption_gap(module, border)
    caption_top = offset + count * module + gap
    height = max(width, caption_top + caption_height + gap)
    return Geometry(width, height, module, offset, caption_top)


# --- raster ---------------------------------------------------------------------------


def _stamp(module: int, draw_shape: object) -> np.ndarray:
    """A module's coverage (module × module, 0-255), drawn `_SUPERSAMPLE` times larger
    by `draw_shape(draw, extent)` and reduced, so that its edges are anti-aliased."""
    big = module * _SUPERSAMPLE
    image = Image.new("L", (big, big), 0)
    draw_shape(ImageDraw.Draw(image), big)  # type: ignore[operator]
    return np.asarray(image.reduce(_SUPERSAMPLE))


def _module_stamps(shape: Shape, module: int) -> np.ndarray:
    """The stamps of `shape`: index 0 is a light module. Square, dots and gapped have
    one dark stamp; rounded has sixteen, one per set of rounded corners (bit 0 top left,
    1 top right, 2 bottom right, 3 bottom left), index 1 + corners."""
    stamps = [np.zeros((module, module), dtype=np.uint8)]
    if shape == "square":
        stamps.append(np.full((module, module), 255, dtype=np.uint8))
    elif shape == "dots":
        stamps.append(_stamp(module, lambda d, big: d.ellipse((0, 0, big - 1, big - 1), 255)))
    elif shape == "gapped":
        gap = round(_GAP * module * _SUPERSAMPLE)
        stamps.append(
            _stamp(
                module, lambda d, big: d.rectangle((gap, gap, big - 1 - gap, big - 1 - gap), 255)
            )
        )
    else:
        # A rounded corner is the quarter of the circle inscribed in the module.
        big = module * _SUPERSAMPLE
        circle = Image.new("L", (big, big), 0)
        ImageDraw.Draw(circle).ellipse((0, 0, big - 1, big - 1), 255)
        round_ = np.asarray(circle)
        half = big // 2
        quadrants = (
            np.s_[:half, :half],
            np.s_[:half, half:],
            np.s_[half:, half:],
            np.s_[half:, :half],
        )
        for corners in range(16):
            big_stamp = np.full((big, big), 255, dtype=np.uint8)
            for bit, quadrant in enumerate(quadrants):
                if corners >> bit & 1:
                    big_stamp[quadrant] = round_[quadrant]
            stamps.append(np.asarray(Image.fromarray(big_stamp, "L").reduce(_SUPERSAMPLE)))
    return np.stack(stamps)


def _rounded_corners(dark: np.ndarray) -> np.ndarray:
    """For each dark module, which corners are rounded (the bits of `_module_stamps`): a
    corner whose two neighbours beside it are both light."""
    padded = np.pad(dark, 1)
    up, down = padded[:-2, 1:-1], padded[2:, 1:-1]
    left, right = padded[1:-1, :-2], padded[1:-1, 2:]
    corners = (
        (~up & ~left).astype(np.int32)
        | (~up & ~right) << 1
        | (~down & ~right) << 2
        | (~down & ~left) << 3
    )
    return corners


def _stamp_indices(shape: Shape, dark: np.ndarray) -> np.ndarray:
    """Each module's stamp in `_module_stamps(shape, …)`."""
    if shape == "rounded":
        return np.where(dark, 1 + _rounded_corners(dark), 0)
    return dark.astype(np.intp)


def _finder_stamp(shape: Shape, module: int) -> np.ndarray:
    """One finder pattern's coverage: a ring of 7 modules and a 3-module centre, with
    rounded corners for the rounded and dot shapes (never dots: readers look for the
    ring's proportions across every line through it)."""
    rounded = shape in ("rounded", "dots")
    step = module * _SUPERSAMPLE

    def draw(d: ImageDraw.ImageDraw, big: int) -> None:
        for inset, fill in ((0, 255), (step, 0), (2 * step, 255)):
            box = (inset, inset, big - 1 - inset, big - 1 - inset)
            if rounded:
                d.rounded_rectangle(box, radius=2 * step if inset == 0 else step, fill=fill)
            else:
                d.rectangle(box, fill=fill)

    return _stamp(module * _FINDER, draw)


def _coverage(
    modules: np.ndarray, shape: Shape, module: int, hole: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """(the data modules' coverage, the finder patterns' coverage) over the code, one
    byte a pixel; modules in `hole` (a logo's) are left light."""
    count = len(modules)
    finders = finder_mask(count)
    dark = modules & ~finders
    if hole is not None:
        dark &= ~hole
    stamps = _module_stamps(shape, module)
    tiles = stamps[_stamp_indices(shape, dark)]  # count × count × module × module
    data = tiles.transpose(0, 2, 1, 3).reshape(count * module, count * module)
    finder = np.zeros_like(data)
    stamp = _finder_stamp(shape, module)
    side = _FINDER * module
    for top, left in finder_origins(count):
        finder[top * module : top * module + side, left * module : left * module + side] = stamp
    return data, finder


def _two_ink_palette(ink: RGBA, other: RGBA, background: RGBA) -> bytes:
    """128 coverage steps of `ink` over `background`, then 128 of `other`."""
    steps = [i / 127 for i in range(128)]
    entries = [composite(ink, background, c) for c in steps]
    entries += [composite(other, background, c) for c in steps]
    return b"".join(bytes(entry) for entry in entries)


def draw_raster(
    modules: np.ndarray,
    style: Style,
    shape_geometry: Geometry,
    hole: tuple[int, int, int, int] | None,
    logo: Image.Image | None,
    caption: Caption | None,
) -> Image.Image:
    """The styled code on its canvas. `hole` is the logo's (top, left, height, width)
    in modules."""
    g = shape_geometry
    count = len(modules)
    hole_mask = None
    if hole is not None:
        top, left, height, width = hole
        hole_mask = np.zeros_like(modules)
        hole_mask[top : top + height, left : left + width] = True
    data, finder = _coverage(modules, style.shape, g.module, hole_mask)
    canvas = np.zeros((g.height, g.width), dtype=np.uint8)
    area = canvas[g.offset : g.offset + count * g.module, g.offset : g.offset + count * g.module]
    if style.finder_color == style.color:
        area[...] = np.maximum(data, finder)
        palette = coverage_palette(style.color, style.background)
    else:
        # Finder and data modules never share a pixel: 128 steps of each colour.
        area[...] = np.where(finder > 0, 128 + (finder.astype(np.uint16) * 127 // 255), 0)
        area += (data.astype(np.uint16) * 127 // 255).astype(np.uint8)
        palette = _two_ink_palette(style.color, style.finder_color, style.background)
    image = Image.fromarray(canvas, "L").convert("P")
    image.putpalette(palette, rawmode="RGBA")
    if logo is None and caption is None:
        return image
    image = image.convert("RGBA")
    if logo is not None and hole is not None:
        top, left, height, width = hole
        box = (
            g.offset + left * g.module,
            g.offset + top * g.module,
            width * g.module,
            height * g.module,
        )
        _paste_logo(image, logo, box, g.module)
    if caption is not None:
        _draw_caption(image, caption, g)
    return image


def logo_rect(box: tuple[int, int, int, int], module: float, aspect: float) -> tuple[float, ...]:
    """(x, y, width, height) of a logo of `aspect` (width / height) fitted in `box`
    (x, y, width, height) less half a module of clear space on each side."""
    x, y, width, height = box
    margin = module / 2
    room_w, room_h = max(width - 2 * margin, 1), max(height - 2 * margin, 1)
    drawn_w = min(room_w, room_h * aspect)
    drawn_h = drawn_w / aspect
    return (x + (width - drawn_w) / 2, y + (height - drawn_h) / 2, drawn_w, drawn_h)


def _paste_logo(
    image: Image.Image, logo: Image.Image, box: tuple[int, int, int, int], module: int
) -> None:
    x, y, width, height = logo_rect(box, module, logo.width / logo.height)
    size = (max(1, round(width)), max(1, round(height)))
    resized = logo.resize(size, Image.Resampling.LANCZOS)
    image.alpha_composite(resized, (round(x), round(y)))


def _draw_caption(image: Image.Image, caption: Caption, g: Geometry) -> None:
    """The caption from `caption_top`, within the canvas (a layout at a larger scale may
    round a pixel taller than the canvas made at scale 1 has room for)."""
    layout = caption.layout
    room = g.height - g.caption_top
    band = Image.new("L", (g.width, min(math.ceil(layout.height), room)), 0)
    draw = ImageDraw.Draw(band)
    draw.fontmode = "L"
    layout.draw(draw, 255)
    r, g_, b, alpha = caption.color
    ink = Image.new("RGBA", band.size, (r, g_, b, 0))
    ink.putalpha(band.point(lambda v: v * alpha // 255))
    image.alpha_composite(ink, (0, g.caption_top))


# --- captions -------------------------------------------------------------------------


def layout_caption(
    text: str, font: str, fonts: FontLibrary, size: int | None, box_width: int, default_size: int
) -> Layout | None:
    """The caption in lines at most `box_width` wide: at `size` px (cut to three lines
    with "…"), or by default the largest size up to `default_size` at which it fits in
    two lines, else at the smallest size cut with "…". None if nothing legible fits."""
    block = TextBlock(text, font, fonts)
    smallest = min(MIN_CAPTION_SIZE, default_size)
    if size is not None:
        layout = block.at(size, box_width)
        lines_height = layout.pitch * MAX_CAPTION_LINES
        if len(layout.lines) <= MAX_CAPTION_LINES and layout.width <= box_width:
            return layout
        return block.shortened(size, box_width, lines_height)
    pitch = default_size * 1.4
    layout = block.fit(box_width, 2 * pitch, default_size, smallest)
    if layout is None:
        layout = block.shortened(smallest, box_width, 2 * pitch)
    return layout


# --- SVG ------------------------------------------------------------------------------


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _fill(color: RGBA) -> str:
    r, g, b, alpha = color
    opacity = f' fill-opacity="{round(alpha / 255, 3)}"' if alpha < 255 else ""
    return f' fill="#{r:02x}{g:02x}{b:02x}"{opacity}'


def _rounded_module(x: int, y: int, corners: int) -> str:
    """A unit square at (x, y) as path data, its corners in `corners` (the bits of
    `_module_stamps`) rounded with a radius of half a module."""
    tl, tr, br, bl = (bool(corners >> bit & 1) for bit in range(4))
    parts = [f"M{x + 0.5 if tl else x} {y}"]
    parts.append(f"H{x + 0.5}a.5 .5 0 0 1 .5 .5" if tr else f"H{x + 1}")
    parts.append(f"V{y + 0.5}a.5 .5 0 0 1 -.5 .5" if br else f"V{y + 1}")
    parts.append(f"H{x + 0.5}a.5 .5 0 0 1 -.5 -.5" if bl else f"H{x}")
    parts.append(f"V{y + 0.5}a.5 .5 0 0 1 .5 -.5z" if tl else f"V{y}z")
    return "".join(parts)


def _modules_path(dark: np.ndarray, shape: Shape) -> str:
    """Path data of the dark modules in `shape`, in module units."""
    rows, cols = np.nonzero(dark)
    points = zip(cols.tolist(), rows.tolist(), strict=True)
    if shape == "square":
        return "".join(f"M{x} {y}h1v1h-1z" for x, y in points)
    if shape == "gapped":
        side = _num(1 - 2 * _GAP)
        return "".join(
            f"M{_num(x + _GAP)} {_num(y + _GAP)}h{side}v{side}h-{side}z" for x, y in points
        )
    if shape == "dots":
        return "".join(f"M{x} {y + 0.5}a.5 .5 0 1 0 1 0a.5 .5 0 1 0 -1 0z" for x, y in points)
    corners = _rounded_corners(dark)
    return "".join(_rounded_module(x, y, int(corners[y, x])) for x, y in points)


def _round_rect(x: float, y: float, size: float, radius: float) -> str:
    """A square as path data, clockwise, with corners of `radius`."""
    if radius == 0:
        return f"M{_num(x)} {_num(y)}h{_num(size)}v{_num(size)}h-{_num(size)}z"
    r, s = _num(radius), _num(size - 2 * radius)
    arc = f"a{r} {r} 0 0 1"
    return (
        f"M{_num(x + radius)} {_num(y)}h{s}{arc} {r} {r}v{s}{arc} -{r} {r}"
        f"h-{s}{arc} -{r} -{r}v-{s}{arc} {r} -{r}z"
    )


def _finders_path(count: int, shape: Shape) -> str:
    """The finder patterns as path data: ring, hole and centre, for the even-odd rule."""
    rounded = shape in ("rounded", "dots")
    parts = []
    for top, left in finder_origins(count):
        for inset in (0, 1, 2):
            radius = (2 if inset == 0 else 1) if rounded else 0
            parts.append(_round_rect(left + inset, top + inset, _FINDER - 2 * inset, radius))
    return "".join(parts)


def _logo_png(logo: Image.Image, width: float, height: float) -> str:
    """The logo as a PNG `data:` URI, at twice its drawn size (sharp on retina screens)
    or its own size if smaller: the decoded pixels, not the bytes received."""
    size = (max(1, min(logo.width, round(2 * width))), max(1, min(logo.height, round(2 * height))))
    out = io.BytesIO()
    logo.resize(size, Image.Resampling.LANCZOS).save(out, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def draw_svg(
    modules: np.ndarray,
    style: Style,
    size: int,
    padding: int,
    hole: tuple[int, int, int, int] | None,
    logo: Image.Image | None,
    caption: Caption | None,
    caption_scale: int,
) -> bytes:
    """The styled code as SVG, `size` CSS pixels wide. The code is drawn in module units
    inside a group scaled to fill the width less `padding`; the caption, laid out at
    `caption_scale` (the raster's device pixels per CSS pixel), is written as text."""
    count = len(modules)
    side = count + 2 * style.border
    unit = (size - 2 * padding) / side
    height = float(size)
    caption_top = 0.0
    if caption is not None:
        gap = min(max(style.border, 1), 2) * unit
        caption_top = padding + (style.border + count) * unit + gap
        height = max(height, caption_top + caption.layout.height / caption_scale + gap)
    height_text = _num(math.ceil(height * 100) / 100)
    dark = modules & ~finder_mask(count)
    if hole is not None:
        top, left, hole_h, hole_w = hole
        dark[top : top + hole_h, left : left + hole_w] = False
    crisp = ' shape-rendering="crispEdges"' if style.shape == "square" else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{height_text}" '
        f'viewBox="0 0 {size} {height_text}">'
    ]
    if style.background[3] > 0:
        parts.append(f'<rect width="{size}" height="{height_text}"{_fill(style.background)}/>')
    origin = _num(padding + style.border * unit)
    parts.append(f'<g transform="translate({origin} {origin}) scale({_num(unit)})"{crisp}>')
    parts.append(f'<path{_fill(style.color)} d="{_modules_path(dark, style.shape)}"/>')
    finders = _finders_path(count, style.shape)
    parts.append(f'<path{_fill(style.finder_color)} fill-rule="evenodd" d="{finders}"/>')
    parts.append("</g>")
    if logo is not None and hole is not None:
        top, left, hole_h, hole_w = hole
        start = padding + style.border * unit
        box = (start + left * unit, start + top * unit, hole_w * unit, hole_h * unit)
        x, y, width, logo_h = logo_rect(box, unit, logo.width / logo.height)  # type: ignore[arg-type]
        parts.append(
            f'<image x="{_num(x)}" y="{_num(y)}" width="{_num(width)}" height="{_num(logo_h)}" '
            f'href="{_logo_png(logo, width, logo_h)}"/>'
        )
    if caption is not None:
        parts.append(_caption_svg(caption, size, caption_top, caption_scale))
    parts.append("</svg>\n")
    return "".join(parts).encode("utf-8")


def _caption_svg(caption: Caption, width: int, top: float, scale: int) -> str:
    layout = caption.layout
    family = escape(caption.font_family, {'"': "&quot;"})
    baseline = top - layout.lines[0].top / scale
    lines = []
    for line in layout.lines:
        text = escape(line.text)
        lines.append(f'<text x="{_num(width / 2)}" y="{_num(baseline)}">{text}</text>')
        baseline += layout.pitch / scale
    return (
        f'<g font-family="{family}, sans-serif" font-size="{_num(layout.size / scale)}" '
        f'text-anchor="middle"{_fill(caption.color)}>' + "".join(lines) + "</g>"
    )
