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
        self._families = tuple(family.family for family in chain)

    def props(self, size: float) -> FontProperties:
        """The chain at `size` points."""
        return _props(self._families, size)

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
            text.set_fontproperties(self.props(text.get_fontsize()))


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


@lru_cache(maxsize=512)
def _props(families: tuple[str, ...], size: float) -> FontProperties:
    return FontProperties(family=list(families), size=size)
