"""Laying out and drawing centred, multi-line text with per-character font fallback."""

from dataclasses import dataclass

from PIL import ImageDraw, ImageFont

from imagegen.colors import RGBA
from imagegen.fonts import FontFamily, FontLibrary

_REFERENCE_SIZE = 100  # fitting measures once at this size, then scales


@dataclass(frozen=True)
class _Line:
    runs: list[tuple[str, ImageFont.FreeTypeFont]]
    width: float
    top: int  # ink extent relative to the baseline (negative is above)
    bottom: int


def _runs(line: str, chain: list[FontFamily]) -> list[tuple[str, FontFamily]]:
    """Split `line` into runs, each drawn with the first family that has its glyphs."""
    runs: list[tuple[str, FontFamily]] = []
    for char in line:
        family = next((f for f in chain if ord(char) in f.codepoints), chain[0])
        if char.isspace() and runs:
            family = runs[-1][1]  # spaces never start a new run
        if runs and runs[-1][1] is family:
            runs[-1] = (runs[-1][0] + char, family)
        else:
            runs.append((char, family))
    return runs


class TextBlock:
    """Lines of text with their fonts resolved; measured and drawn at a given size."""

    def __init__(self, text: str, font: str, fonts: FontLibrary) -> None:
        chain = fonts.chain(font)
        self._fonts = fonts
        # Every Unicode line boundary (\n, \r\n, NEL, U+2028, U+2029…) breaks a line; left
        # inside a run, the layout engine (raqm) refuses them.
        self._lines = [_runs(line, chain) for line in text.splitlines() or [""]]
        self._primary = chain[0]
        # Fitting (or the area check) and drawing both lay out the final size: once is enough.
        self._layouts: dict[int, tuple[list[_Line], int]] = {}

    def _layout(self, size: int) -> tuple[list[_Line], int]:
        if size not in self._layouts:
            self._layouts[size] = self._lay_out(size)
        return self._layouts[size]

    @staticmethod
    def _height(lines: list[_Line], pitch: int) -> float:
        """From the ink top of the first line to the ink bottom of the last."""
        return (len(lines) - 1) * pitch + lines[-1].bottom - lines[0].top

    def _lay_out(self, size: int) -> tuple[list[_Line], int]:
        primary = self._fonts.sized(self._primary, size)
        ascent, descent = primary.getmetrics()
        lines = []
        for runs in self._lines:
            sized = [(text, self._fonts.sized(family, size)) for text, family in runs]
            width = sum(f.getlength(text) for text, f in sized)
            boxes = [f.getbbox(text, anchor="ls") for text, f in sized if text.strip()]
            top = min((b[1] for b in boxes), default=-ascent)
            bottom = max((b[3] for b in boxes), default=0)
            lines.append(_Line(sized, width, top, bottom))
        return lines, ascent + descent

    def measure(self, size: int) -> tuple[float, float]:
        """(width, height) of the inked block at `size` px."""
        lines, pitch = self._layout(size)
        return max(line.width for line in lines), self._height(lines, pitch)

    def fit(self, box_width: float, box_height: float, max_size: int) -> int:
        """The largest size (at most `max_size`, at least 1) at which the block fits."""
        width, height = self.measure(_REFERENCE_SIZE)
        ratio = min(box_width / max(width, 1), box_height / max(height, 1))
        size = max(1, min(max_size, int(_REFERENCE_SIZE * ratio)))
        while size > 1:
            width, height = self.measure(size)
            if width <= box_width and height <= box_height:
                break
            size = max(1, int(size * 0.95))
        return size

    def draw(self, draw: ImageDraw.ImageDraw, size: int, fill: int | RGBA) -> None:
        """Draw the block centred on the image, each line centred horizontally."""
        lines, pitch = self._layout(size)
        image_width, image_height = draw.im.size
        baseline = (image_height - self._height(lines, pitch)) / 2 - lines[0].top
        for line in lines:
            x = (image_width - line.width) / 2
            for text, font in line.runs:
                draw.text((x, baseline), text, font=font, fill=fill, anchor="ls")
                x += font.getlength(text)
            baseline += pitch
