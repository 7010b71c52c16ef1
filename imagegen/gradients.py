"""Linear and radial gradients, written and drawn as CSS's `linear-gradient()` and
`radial-gradient()` draw them.

URL syntax: `linear,{angle},{stop},{stop}[,…]` or `radial,{stop},{stop}[,…]`, where a
stop is a colour with an optional position in per cent, `ff0000` or `ff0000:30`.
"""

import math
import re
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from PIL import Image
from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from imagegen.colors import RGBA, format_color, parse_color

GRADIENT_SYNTAX = (
    "`linear,{angle},{colour},{colour}[,…]` (CSS degrees: `90` runs left to right) or "
    "`radial,{colour},{colour}[,…]`; a colour may end in `:{per cent}` (`ff0000:20`)."
)
_ANGLE = re.compile(r"(-?[0-9]{1,6}(?:\.[0-9]{1,3})?)(?:deg)?")
_POSITION = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3})?")
# The colours of a gradient are looked up in a table with one entry per pixel along it,
# at most this many (more than 8-bit colour can tell apart on any side we draw).
_MAX_TABLE = 8192


@dataclass(frozen=True)
class Gradient:
    """A gradient: `kind`, `angle` (degrees, linear only) and stops whose positions are
    fractions from 0 to 1, in order."""

    kind: Literal["linear", "radial"]
    angle: float
    stops: tuple[tuple[RGBA, float], ...]

    def __str__(self) -> str:
        stops = ",".join(f"{format_color(c)[1:]}:{p * 100:g}" for c, p in self.stops)
        head = f"linear,{self.angle:g}" if self.kind == "linear" else "radial"
        return f"{head},{stops}"


def _positions(given: list[float | None]) -> list[float]:
    """CSS's rules for stop positions: the first defaults to 0 and the last to 1, one
    before an earlier one's position moves up to it, and runs without positions are
    spread evenly between the stops around them."""
    positions = list(given)
    positions[0] = 0.0 if positions[0] is None else positions[0]
    positions[-1] = 1.0 if positions[-1] is None else positions[-1]
    highest = 0.0
    for i, position in enumerate(positions):
        if position is not None:
            highest = max(highest, position)
            positions[i] = highest
    i = 0
    while i < len(positions):
        if positions[i] is None:
            j = i
            while positions[j] is None:
                j += 1
            start, end = positions[i - 1], positions[j]
            for k in range(i, j):
                positions[k] = start + (end - start) * (k - i + 1) / (j - i + 1)
            i = j
        i += 1
    return [float(p) for p in positions]  # type: ignore[arg-type]


def parse_gradient(value: object) -> Gradient:
    """A gradient as written in a URL (see `GRADIENT_SYNTAX`); ValueError says what is wrong."""
    if isinstance(value, Gradient):
        return value
    if not isinstance(value, str):
        raise ValueError("must be text: " + GRADIENT_SYNTAX)
    kind, *parts = (part.strip() for part in value.split(","))
    kind = kind.lower()
    if kind not in ("linear", "radial"):
        raise ValueError("must start with `linear` or `radial`")
    angle = 180.0
    if kind == "linear":
        match = _ANGLE.fullmatch(parts[0].lower()) if parts else None
        if match is None:
            raise ValueError("`linear` is followed by an angle in degrees, such as 45")
        angle = float(match.group(1)) % 360
        parts = parts[1:]
    if len(parts) < 2:
        raise ValueError("needs at least two colours")
    colours, given = [], []
    for part in parts:
        colour, colon, position = part.partition(":")
        try:
            colours.append(parse_color(colour.strip()))
        except ValueError:
            raise ValueError(f"`{colour.strip()}` is not a colour (hex or a CSS name)") from None
        if not colon:
            given.append(None)
        elif _POSITION.fullmatch(position.strip()) and float(position) <= 100:
            given.append(float(position) / 100)
        else:
            raise ValueError(f"the position `{position}` must be a per cent from 0 to 100")
    return Gradient(kind, angle, tuple(zip(colours, _positions(given), strict=True)))


GradientParam = Annotated[
    Gradient,
    PlainValidator(parse_gradient),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(?i:linear|radial),.+,.+$",
            "examples": ["linear,45,ff0000,0000ff", "radial,ffffff,1e293b"],
        }
    ),
]


def _table(gradient: Gradient, entries: int) -> np.ndarray:
    """`entries` colours evenly from position 0 to 1, as one uint32 each (RGBA bytes),
    interpolated in premultiplied alpha as CSS does (so `transparent` fades a colour out
    rather than through grey)."""
    positions = np.array([position for _, position in gradient.stops])
    colours = np.array([colour for colour, _ in gradient.stops], dtype=np.float64)
    alpha = colours[:, 3:] / 255
    premultiplied = np.hstack([colours[:, :3] * alpha, alpha])
    at = np.linspace(0.0, 1.0, entries)
    # np.interp needs increasing positions: a stop at the same position as the one
    # before is a hard edge, drawn by nudging it a hair later.
    positions = positions + np.arange(len(positions)) * 1e-9
    mixed = np.stack([np.interp(at, positions, premultiplied[:, c]) for c in range(4)], axis=1)
    out_alpha = mixed[:, 3:]
    rgb = np.divide(mixed[:, :3], out_alpha, out=np.zeros_like(mixed[:, :3]), where=out_alpha > 0)
    table = np.rint(np.hstack([rgb, out_alpha * 255])).clip(0, 255).astype(np.uint8)
    return table.view(np.uint32).ravel()


def _where_along(gradient: Gradient, width: int, height: int) -> tuple[np.ndarray, float]:
    """Each pixel centre's position along the gradient (0 at its start, 1 at its end;
    beyond them outside), and the gradient's length in pixels."""
    x = (np.arange(width, dtype=np.float32) + 0.5) - width / 2
    y = (np.arange(height, dtype=np.float32) + 0.5) - height / 2
    if gradient.kind == "linear":
        # CSS: the gradient line runs through the centre at `angle`, long enough that
        # its ends' perpendiculars touch the corners.
        theta = math.radians(gradient.angle)
        sin, cos = math.sin(theta), math.cos(theta)
        length = abs(width * sin) + abs(height * cos) or 1.0
        along = (x * sin / length)[None, :] - (y * cos / length)[:, None] + 0.5
        return along, length
    # CSS's default radial gradient: an ellipse of the image's proportions through its
    # corners (radii √2 × half the sides).
    rx, ry = max(width, 1) / math.sqrt(2), max(height, 1) / math.sqrt(2)
    along = np.sqrt((x / rx)[None, :] ** 2 + (y / ry)[:, None] ** 2)
    return along, max(rx, ry)


def draw_gradient(gradient: Gradient, width: int, height: int) -> Image.Image:
    """An RGBA image of `gradient` filling `width` × `height` pixels."""
    along, length = _where_along(gradient, width, height)
    entries = int(min(max(math.ceil(length), 2), _MAX_TABLE))
    table = _table(gradient, entries)
    index = np.rint(along * (entries - 1))
    np.clip(index, 0, entries - 1, out=index)
    pixels = table[index.astype(np.intp)]
    return Image.frombuffer("RGBA", (width, height), pixels.tobytes(), "raw", "RGBA", 0, 1)
