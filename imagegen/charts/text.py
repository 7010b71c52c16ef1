"""Text on charts: every string in a bundled font that has its characters, drawn as is.

Each text element is set in the chosen font's chain (`FontLibrary.chain`): a character
the chosen family lacks is taken from the next family that has it.
"""

import threading
from functools import lru_cache

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager

from imagegen.fonts import FontFamily, FontLibrary


def literal(text: str) -> str:
    """`text` escaped so that matplotlib draws it as is: a pair of `$` would otherwise
    start mathtext, which could fail on user text or change how it reads. Every Unicode
    line boundary (`\r\n`, NEL, U+2028…) becomes the `\n` matplotlib breaks lines at, and a
    tab a space: matplotlib would draw them as missing glyphs."""
    lines = text.replace("$", r"\$").replace("\t", " ").splitlines()
    return "\n".join(lines) if lines else text


class ChartFonts:
    """The fonts of one chart: the chosen family, then the bundled fallbacks, character
    by character (matplotlib's font fallback, in Agg, SVG and PDF alike)."""

    def __init__(self, name: str, fonts: FontLibrary) -> None:
        chain = fonts.chain(name)
        _register(chain)
        self._chain = tuple(chain)

    def props(self, size: float, text: str = "") -> FontProperties:
        """The chain at `size` points for `text`: without the fallbacks that draw none of
        its characters. matplotlib draws each character in the first family of the chain
        that has it, so they would change nothing, and it looks every family up again
        each time it lays out or draws a text (a tenth of a small chart's render)."""
        return _props(_families(self._chain, text), size)

    def apply(self, figure: Figure) -> None:
        """Set every text of `figure` in the chain, keeping its size: the figure's, its
        axes' and their legends'. (`findobj` would find them too, but makes matplotlib
        build the tick objects of axes that draw none.)"""
        texts = list(figure.texts)
        for ax in figure.axes:
            texts += ax.texts
            legend = ax.get_legend()
            if legend is not None:
                texts += legend.get_texts()
        for text in texts:
            text.set_fontproperties(self.props(text.get_fontsize(), text.get_text()))


_registered: set[str] = set()
_registering = threading.Lock()


def _register(chain: list[FontFamily]) -> None:
    """Make the bundled families known to matplotlib's font manager by their family
    names, which its fallback needs. Done once per file; nothing else of matplotlib's
    global state is changed."""
    with _registering:
        for family in chain:
            if str(family.path) not in _registered:
                fontManager.addfont(family.path)
                _registered.add(str(family.path))


@lru_cache(maxsize=4096)
def _families(chain: tuple[FontFamily, ...], text: str) -> tuple[str, ...]:
    """The families of `chain` that draw a character of `text`, or of "lp": matplotlib
    measures a line's height on "lp" in the text's fonts (the first family is always
    kept, for missing glyphs)."""
    used = {0}
    first = chain[0].codepoints
    for code in {ord(character) for character in text + "lp"}:
        if code not in first:
            having = (i for i, family in enumerate(chain) if code in family.codepoints)
            used.add(next(having, 0))
    return tuple(chain[i].family for i in sorted(used))


@lru_cache(maxsize=512)
def _props(families: tuple[str, ...], size: float) -> FontProperties:
    return FontProperties(family=list(families), size=size)
