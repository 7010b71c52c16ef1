"""Text on charts: every string in a bundled font that has its characters, drawn as is.

Fonts are given to matplotlib per text element as a file (`FontProperties(fname=...)`),
never registered with its global font manager. Each string is set in the first family
of the chosen font's chain (`FontLibrary.chain`) that has all of its characters.
"""

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

from imagegen.fonts import FontFamily, FontLibrary


def literal(text: str) -> str:
    """`text` escaped so that matplotlib draws it as is: a pair of `$` would otherwise
    start mathtext, which could fail on user text or change how it reads. Every Unicode
    line boundary (`\r\n`, NEL, U+2028…) becomes the `\n` matplotlib breaks lines at, and a
    tab a space: matplotlib would draw them as missing glyphs."""
    lines = text.replace("$", r"\$").replace("\t", " ").splitlines()
    return "\n".join(lines) if lines else text


class ChartFonts:
    """The fonts of one chart: the chosen family, then the bundled fallbacks."""

    def __init__(self, name: str, fonts: FontLibrary) -> None:
        self._chain = fonts.chain(name)

    def family_for(self, text: str) -> FontFamily:
        """The first family of the chain with a glyph for every character of `text`;
        the chosen family when no family has them all."""
        needed = {ord(char) for char in text if not char.isspace()}
        return next((f for f in self._chain if needed <= f.codepoints), self._chain[0])

    def apply(self, figure: Figure) -> None:
        """Set every text of `figure` in its family, keeping its size. Call it when the
        chart is built: tick labels that matplotlib adds while drawing copy the font of
        the first tick of their axis."""
        for text in figure.findobj(Text):
            family = self.family_for(text.get_text())
            text.set_fontproperties(FontProperties(fname=family.path, size=text.get_fontsize()))
