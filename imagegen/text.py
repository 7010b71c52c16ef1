"""Laying out and drawing centred text in a box: lines wrapped on words (and between
CJK characters) before the text shrinks, ordered by the Unicode bidirectional algorithm,
each character in the first bundled font that has it.

A paragraph (the text between hard line breaks) may mix fonts, since characters a font
lacks fall back to others, and directions (`Hello مرحبا world`). Pillow's layout engine,
raqm, shapes and orders the text of one call, in one font; so the paragraph's embedding
levels come from the bidirectional algorithm (python-bidi), each line is cut into runs of
one font and one level, the runs are put in visual order (rule L2), and raqm shapes each
run in its own direction.
"""

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

from bidi import algorithm as bidi
from PIL import ImageDraw, ImageFont, features

from imagegen.colors import RGBA
from imagegen.fonts import FontFamily, FontLibrary, family_for

_REFERENCE_SIZE = 100  # words are measured once at this size, then scaled
ELLIPSIS = "…"
# Shortened text keeps at least this many characters before its "…"; with fewer it says
# nothing legible and is left out.
_MIN_SHORTENED_CHARS = 3

_HAS_RAQM = features.check("raqm")
# Bidirectional types that can make any level odd: without them a paragraph is all LTR.
_RTL_TYPES = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI", "FSI"})
# The legacy python-bidi algorithm predates isolates; it reads them as neutrals.
_ISOLATES = frozenset({"LRI", "RLI", "FSI", "PDI"})
# Code points this Python's Unicode data does not know have no bidi class, which
# python-bidi's last step asserts against. Unicode gives unassigned code points a default
# (DerivedBidiClass.txt): right-to-left in the blocks kept for right-to-left scripts,
# left-to-right elsewhere.
_RTL_DEFAULT_RANGES = (
    (0x0590, 0x08FF),
    (0xFB1D, 0xFDFF),
    (0xFE70, 0xFEFF),
    (0x10800, 0x10FFF),
    (0x1E800, 0x1EFFF),
)
# No line starts with closing punctuation or ends with opening punctuation (a short
# version of the Japanese line-breaking rules, kinsoku).
_NO_BREAK_BEFORE = frozenset("、。，．,.：；:;！？!?）)」』】〕〉》〙〗］]｝}ー々〻ゝゞヽヾ…‥・")
_NO_BREAK_AFTER = frozenset("（(「『【〔〈《〘〖［[｛{")


def _extends(char: str) -> bool:
    """Whether `char` belongs to the character before it (a combining mark, a joiner, a
    variation selector, an emoji modifier or tag): never a run or line of its own."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or code in (0x200C, 0x200D)
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0xE0100 <= code <= 0xE01EF
    )


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _breaks(text: str) -> list[int]:
    """Indices where a line may start: after spaces and hyphens, and between CJK
    characters (which are written without spaces)."""
    found = []
    for i in range(1, len(text)):
        before, after = text[i - 1], text[i]
        if after.isspace() or _extends(after) or before == "\u200d":
            continue
        cjk = (_wide(before) or _wide(after)) and (
            after not in _NO_BREAK_BEFORE and before not in _NO_BREAK_AFTER
        )
        if cjk or before.isspace() or before in "-\u2010":
            found.append(i)
    return found


def _graphemes(text: str, start: int, end: int) -> list[int]:
    """Indices in [start, end) where a character that is not an extension starts: where
    a word too long for a line may be broken."""
    return [
        i
        for i in range(start + 1, end)
        if not _extends(text[i]) and text[i - 1] != "\u200d" and not text[i].isspace()
    ]


def _default_bidi_class(char: str) -> str:
    """The bidi class Unicode gives `char`, a code point unknown to this Python."""
    code = ord(char)
    rtl = any(low <= code <= high for low, high in _RTL_DEFAULT_RANGES)
    return "R" if rtl else "L"


def _levels(text: str) -> tuple[list[int], int]:
    """Each character's embedding level, and the paragraph's (0 LTR, 1 RTL)."""
    types = [unicodedata.bidirectional(char) for char in text]
    if not _RTL_TYPES.intersection(types):
        return [0] * len(text), 0
    storage = bidi.get_empty_storage()
    base = bidi.get_base_level(text)
    storage["base_level"], storage["base_dir"] = base, "LR"[base]
    bidi.get_embedding_levels(text, storage)
    chars = list(storage["chars"])
    for char in chars:
        if char["type"] in _ISOLATES:
            char["type"] = char["orig"] = "ON"
        elif not char["type"]:
            char["type"] = char["orig"] = _default_bidi_class(char["ch"])
    bidi.explicit_embed_and_overrides(storage)
    bidi.resolve_weak_types(storage)
    bidi.resolve_neutral_types(storage, False)
    bidi.resolve_implicit_levels(storage, False)
    return [char["level"] for char in chars], base


@dataclass(frozen=True)
class _Run:
    """Characters of one font at one embedding level, in logical order."""

    text: str
    family: FontFamily
    level: int

    @property
    def direction(self) -> str:
        return "rtl" if self.level % 2 else "ltr"


class _Paragraph:
    """One hard line of text with its fonts, levels and break opportunities."""

    def __init__(self, text: str, chain: list[FontFamily]) -> None:
        self.text = text
        self.families: list[FontFamily] = []
        for i, char in enumerate(text):
            if i and (char.isspace() or _extends(char)):
                self.families.append(self.families[-1])  # never a run of their own
            else:
                self.families.append(family_for(ord(char), chain))
        self.levels, self.base_level = _levels(text)
        self.breaks = _breaks(text)

    def runs(self, start: int, end: int) -> list[_Run]:
        """The runs of [start, end), in logical order."""
        runs: list[_Run] = []
        first = start
        for i in range(start + 1, end + 1):
            if (
                i == end
                or self.families[i] is not self.families[first]
                or self.levels[i] != self.levels[first]
            ):
                runs.append(_Run(self.text[first:i], self.families[first], self.levels[first]))
                first = i
        return runs


def _visual(runs: list[_Run]) -> list[_Run]:
    """Runs in the order they are drawn, left to right (rule L2: from the highest level
    to the lowest odd one, every sequence at that level or above is reversed)."""
    if not runs:
        return runs
    order = list(runs)
    highest = max(run.level for run in order)
    lowest_odd = min(run.level for run in order) | 1
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if order[i].level >= level:
                j = i
                while j < len(order) and order[j].level >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order


@dataclass
class _Line:
    runs: list[_Run]  # visual order
    fonts: list[ImageFont.FreeTypeFont]
    width: float
    top: float  # ink extent relative to the baseline (negative is above)
    bottom: float
    text: str = ""  # in logical order, for formats that lay out text themselves (SVG)


def _run_args(run: _Run) -> tuple[str, dict[str, str]]:
    """The text and keyword arguments to measure or draw `run` with."""
    if _HAS_RAQM:
        return run.text, {"direction": run.direction}
    # Pillow's basic layout draws left to right only: an RTL run is reversed instead.
    return (run.text[::-1] if run.level % 2 else run.text), {}


@dataclass
class Layout:
    """Lines at one size, ready to draw centred."""

    lines: list[_Line]
    pitch: int  # baseline to baseline
    size: int
    shortened: bool = False

    @property
    def width(self) -> float:
        return max((line.width for line in self.lines), default=0)

    @property
    def height(self) -> float:
        """From the ink top of the first line to the ink bottom of the last."""
        if not self.lines:
            return 0
        return (len(self.lines) - 1) * self.pitch + self.lines[-1].bottom - self.lines[0].top

    def draw(self, draw: ImageDraw.ImageDraw, fill: int | RGBA) -> None:
        """Draw the lines centred on the image, each line centred horizontally."""
        if not self.lines:
            return
        image_width, image_height = draw.im.size
        baseline = (image_height - self.height) / 2 - self.lines[0].top
        for line in self.lines:
            x = (image_width - line.width) / 2
            for i, (run, font) in enumerate(zip(line.runs, line.fonts, strict=True)):
                text, args = _run_args(run)
                draw.text((x, baseline), text, font=font, fill=fill, anchor="ls", **args)
                if i + 1 < len(line.runs):
                    x += font.getlength(text, **args)
            baseline += self.pitch


# A piece of a paragraph that stays on one line: (start, end of its visible part, end
# with its trailing spaces), and its visible and trailing widths at the reference size.
_Piece = tuple[int, int, int, float, float]


class TextBlock:
    """Text with its fonts, levels and break opportunities resolved; laid out to fit a
    box at a given size, or at the largest size that fits."""

    def __init__(self, text: str, font: str, fonts: FontLibrary) -> None:
        self._fonts = fonts
        self._chain = fonts.chain(font)
        # Every Unicode line boundary (\n, \r\n, NEL, U+2028, U+2029…) breaks a line; left
        # inside a run, raqm refuses them.
        self._paragraphs = [_Paragraph(line, self._chain) for line in text.splitlines() or [""]]
        self._grapheme_widths: dict[tuple[int, int], list[_Piece]] = {}

    @cached_property
    def _pieces(self) -> list[list[_Piece]]:
        """Each paragraph's unbreakable pieces, measured at the reference size."""
        return [self._measure_pieces(p) for p in self._paragraphs]

    @cached_property
    def _reference_pitch(self) -> int:
        ascent, descent = self._sized(self._chain[0], _REFERENCE_SIZE).getmetrics()
        return ascent + descent

    @cached_property
    def _reference_ink(self) -> float:
        """From the ink top of the first paragraph to the ink bottom of the last, at the
        reference size: a block of n lines is estimated as n - 1 pitches more."""
        first = self._line(0, 0, len(self._paragraphs[0].text), _REFERENCE_SIZE)
        last = self._paragraphs[-1]
        if len(self._paragraphs) > 1:
            last_line = self._line(len(self._paragraphs) - 1, 0, len(last.text), _REFERENCE_SIZE)
        else:
            last_line = first
        return last_line.bottom - first.top

    def _sized(self, family: FontFamily, size: int) -> ImageFont.FreeTypeFont:
        return self._fonts.sized(family, size)

    def _width(self, paragraph: _Paragraph, start: int, end: int, size: int) -> float:
        total = 0.0
        for run in paragraph.runs(start, end):
            text, args = _run_args(run)
            total += self._sized(run.family, size).getlength(text, **args)
        return total

    def _measure_pieces(self, paragraph: _Paragraph) -> list[_Piece]:
        text = paragraph.text
        bounds = [0, *paragraph.breaks, len(text)]
        pieces = []
        for start, end in pairwise(bounds):
            visible = end
            while visible > start and text[visible - 1].isspace():
                visible -= 1
            width = self._width(paragraph, start, visible, _REFERENCE_SIZE)
            trailing = self._width(paragraph, visible, end, _REFERENCE_SIZE) if end > visible else 0
            pieces.append((start, visible, end, width, trailing))
        return pieces

    def _split_piece(self, index: int, piece_index: int) -> list[_Piece]:
        """A piece cut into its characters (with their extensions): for a word wider
        than a whole line."""
        key = (index, piece_index)
        if key not in self._grapheme_widths:
            paragraph = self._paragraphs[index]
            start, visible, end, _, trailing = self._pieces[index][piece_index]
            cuts = [start, *_graphemes(paragraph.text, start, visible), visible]
            parts: list[_Piece] = [
                (a, b, b, self._width(paragraph, a, b, _REFERENCE_SIZE), 0.0)
                for a, b in pairwise(cuts)
            ]
            a, b, _, width, _ = parts[-1]
            parts[-1] = (a, b, end, width, trailing)
            self._grapheme_widths[key] = parts
        return self._grapheme_widths[key]

    def _too_wide(self, size: int, box_width: float) -> bool:
        """Whether a word is wider than a line at `size`."""
        widest = max(piece[3] for pieces in self._pieces for piece in pieces)
        return widest * size / _REFERENCE_SIZE > box_width

    def _wrap(self, size: int, box_width: float) -> list[tuple[int, int, int]]:
        """Lines as (paragraph, start, end of visible text), filled greedily at `size`
        with the reference widths scaled; a word wider than a line is broken."""
        scale = size / _REFERENCE_SIZE
        lines = []
        for index, pieces in enumerate(self._pieces):
            line_start, line_end, filled = None, 0, 0.0
            for piece_index, piece in enumerate(pieces):
                parts = [piece]
                if piece[3] * scale > box_width:
                    parts = self._split_piece(index, piece_index)
                for start, visible, _, width, trailing in parts:
                    if line_start is not None and filled + width * scale > box_width:
                        lines.append((index, line_start, line_end))
                        line_start, filled = None, 0.0
                    if line_start is None:
                        line_start = start
                    line_end = visible if visible > start else line_end
                    filled += (width + trailing) * scale
            lines.append((index, line_start or 0, line_end))
        return lines

    def _estimated_height(self, line_count: int, size: int) -> float:
        pitches = (line_count - 1) * self._reference_pitch + self._reference_ink
        return pitches * size / _REFERENCE_SIZE

    def _line(self, index: int, start: int, end: int, size: int, suffix: str = "") -> _Line:
        paragraph = self._paragraphs[index]
        runs = paragraph.runs(start, end)
        if suffix:
            family = family_for(ord(suffix[0]), self._chain)
            runs.append(_Run(suffix, family, paragraph.base_level))
        runs = _visual(runs)
        fonts = [self._sized(run.family, size) for run in runs]
        width, top, bottom = 0.0, 0.0, 0.0
        inked = False
        for run, font in zip(runs, fonts, strict=True):
            text, args = _run_args(run)
            width += font.getlength(text, **args)
            if text.strip():
                box = font.getbbox(text, anchor="ls", **args)
                top, bottom = (
                    (box[1], box[3]) if not inked else (min(top, box[1]), max(bottom, box[3]))
                )
                inked = True
        if not inked:
            top = -self._sized(self._chain[0], size).getmetrics()[0]
        return _Line(runs, fonts, width, top, bottom, paragraph.text[start:end] + suffix)

    def at(self, size: int, box_width: float) -> Layout:
        """Every line, wrapped to `box_width`, at `size` px."""
        ascent, descent = self._sized(self._chain[0], size).getmetrics()
        lines = [self._line(*line, size) for line in self._wrap(size, box_width)]
        return Layout(lines, ascent + descent, size)

    def _fits(self, layout: Layout, box_width: float, box_height: float) -> bool:
        return layout.width <= box_width and layout.height <= box_height

    def fit(
        self, box_width: float, box_height: float, max_size: int, min_size: int
    ) -> Layout | None:
        """The largest size from `min_size` to `max_size` at which the text, wrapped,
        fits the box; None if it fits at no size in that range."""
        if max_size < min_size:
            return None
        # Text whose paragraphs fit on their lines at the largest size needs no search.
        ascent, descent = self._sized(self._chain[0], max_size).getmetrics()
        whole = [self._line(i, 0, len(p.text), max_size) for i, p in enumerate(self._paragraphs)]
        unwrapped = Layout(whole, ascent + descent, max_size)
        if self._fits(unwrapped, box_width, box_height):
            return unwrapped

        def estimate_fits(size: int) -> bool:
            # Words are broken only when they fit at no size: shrinking comes first.
            if self._too_wide(size, box_width) and size > min_size:
                return False
            lines = self._wrap(size, box_width)
            return self._estimated_height(len(lines), size) <= box_height

        low, high = min_size, max_size
        if not estimate_fits(low):
            high = low
        while low < high:  # the largest size whose estimate fits
            middle = (low + high + 1) // 2
            if estimate_fits(middle):
                low = middle
            else:
                high = middle - 1
        size = low
        while size >= min_size:  # the estimate scales; rounding and hinting do not
            layout = self.at(size, box_width)
            if self._fits(layout, box_width, box_height):
                return self._grown(layout, box_width, box_height, max_size)
            size = min(size - 1, int(size * 0.95))
        return None

    def _grown(self, layout: Layout, box_width: float, box_height: float, max_size: int) -> Layout:
        """`layout` one size larger while that still fits: the height of several lines
        is estimated from the first and last paragraphs, which may be the shorter ones."""
        while len(layout.lines) > 1 and layout.size < max_size:
            larger = self.at(layout.size + 1, box_width)
            if self._too_wide(larger.size, box_width) or not self._fits(
                larger, box_width, box_height
            ):
                break
            layout = larger
        return layout

    def shortened(self, size: int, box_width: float, box_height: float) -> Layout | None:
        """The lines at `size` that fit the box, the last ending in "…" if text was cut;
        None if not even `_MIN_SHORTENED_CHARS` characters fit."""
        wrapped = self._wrap(size, box_width)
        layout = self.at(size, box_width)
        kept = len(layout.lines)
        while kept and Layout(layout.lines[:kept], layout.pitch, size).height > box_height:
            kept -= 1
        if kept == 0:
            return None
        if kept == len(wrapped) and layout.width <= box_width:
            return layout
        index, start, end = wrapped[kept - 1]
        text = self._paragraphs[index].text
        cuts = [start, *_graphemes(text, start, end), end]
        for cut in reversed(cuts[1:]):
            while cut > start and text[cut - 1].isspace():
                cut -= 1
            line = self._line(index, start, cut, size, ELLIPSIS)
            if line.width <= box_width:
                shown = sum(not c.isspace() for c in text[start:cut])
                if kept == 1 and shown < _MIN_SHORTENED_CHARS:
                    return None
                lines = [*layout.lines[: kept - 1], line]
                shortened = Layout(lines, layout.pitch, size, shortened=True)
                return shortened if shortened.height <= box_height else None
        return None


def characters_drawn(layout: Layout) -> Iterator[tuple[str, FontFamily]]:
    """Every character of `layout` with the family that draws it (for checking glyphs)."""
    for line in layout.lines:
        for run in line.runs:
            for char in run.text:
                yield char, run.family
