"""Text measured with the real font at the real size, and fitted to a width: wrapped on
words (and between CJK characters), then shortened with an ellipsis.

Every width and height here is in CSS pixels. They come from the Agg renderer of the
figure being laid out, with the chart's fonts and their per-character fallback, so what
is measured is what is drawn.
"""

import re
import threading
from functools import lru_cache

from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

from imagegen.charts.style import PT_PER_PX
from imagegen.charts.text import ChartFonts, literal

ELLIPSIS = "…"
LINE_SPACING = 1.2  # matplotlib's default between the lines of one text
# Wrapping points: after spaces and hyphens, and around every CJK character (which is
# written without spaces), so that a line may end between any two of them.
_BREAKS = re.compile(
    r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uac00-\ud7af"
    r"\uf900-\ufaff\uff00-\uffef-]*-?\s*"
)


class Measure:
    """Measures text for one figure, at its scale, in the chart's fonts."""

    def __init__(self, scale: int, fonts: ChartFonts) -> None:
        self._scale = scale  # device pixels per CSS pixel
        self._fonts = fonts

    def width(self, text: str, size: float) -> float:
        """Width of one line of `text` at `size` CSS pixels."""
        if not text:
            return 0.0
        props = self._fonts.props(size * PT_PER_PX, text)
        return _extent(literal(text), props, self._scale)[0] / self._scale

    def line(self, size: float) -> float:
        """Height of one line of text at `size` CSS pixels, from the top of its tallest
        letters to the bottom of its descenders."""
        return _extent("lp", self._fonts.props(size * PT_PER_PX), self._scale)[1] / self._scale

    def block(self, lines: int, size: float) -> float:
        """Height of `lines` lines of text, spaced as matplotlib spaces them."""
        if lines <= 0:
            return 0.0
        return self.line(size) * (1 + (lines - 1) * LINE_SPACING)

    def shorten(self, text: str, room: float, size: float) -> str:
        """`text`, or as much of its start as fits in `room` with an ellipsis after it;
        "" when not even the ellipsis fits."""
        if self.width(text, size) <= room:
            return text
        low, high = 0, len(text)  # the longest prefix that fits is at least low
        while low < high:
            middle = (low + high + 1) // 2
            if self.width(text[:middle].rstrip() + ELLIPSIS, size) <= room:
                low = middle
            else:
                high = middle - 1
        if low == 0:
            return ELLIPSIS if self.width(ELLIPSIS, size) <= room else ""
        return text[:low].rstrip() + ELLIPSIS

    def wrap(self, text: str, room: float, size: float, max_lines: int) -> list[str]:
        """`text` in at most `max_lines` lines no wider than `room`: broken on spaces,
        hyphens and CJK characters, and at given line breaks; the last line shortened
        with an ellipsis when the rest does not fit."""
        lines: list[str] = []
        paragraphs = text.split("\n")
        for at, paragraph in enumerate(paragraphs):
            line = ""
            for piece in _BREAKS.findall(paragraph):
                if not piece:
                    continue
                if not line or self.width((line + piece).rstrip(), size) <= room:
                    line += piece
                    continue
                lines.append(line.rstrip())
                line = piece
            lines.append(line.rstrip())
            if len(lines) >= max_lines and at < len(paragraphs) - 1:
                break
        if len(lines) > max_lines:
            lines[max_lines - 1] = " ".join(lines[max_lines - 1 :]) + " " + ELLIPSIS
            del lines[max_lines:]
        fitted = [self.shorten(line, room, size) for line in lines]
        return [line for line in fitted if line] or ([] if not text.strip() else fitted[:1])


_local = threading.local()


@lru_cache(maxsize=8192)
def _extent(text: str, props: FontProperties, scale: int) -> tuple[float, float]:
    """Width and height in device pixels of one line of `text` drawn by Agg at `scale`
    times 96 dpi: text is laid out with hinting at the device's size, so widths are not
    quite proportional to the scale."""
    renderers: dict[int, RendererAgg] = _local.__dict__.setdefault("renderers", {})
    if scale not in renderers:
        renderers[scale] = RendererAgg(1, 1, 96 * scale)  # measures; never draws
    width, height, _ = renderers[scale].get_text_width_height_descent(text, props, ismath=False)
    return width, height
