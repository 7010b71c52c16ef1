"""Bundled fonts, looked up by name (never by path), with glyph fallback.

`fonts/` holds one folder per family: its slug is the name users pass (`open-sans`), and
the folder holds one .ttf and the family's licence. Text is drawn with the chosen family,
and any character it lacks falls back to the families in `FALLBACK_ORDER`.
"""

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from fontTools.ttLib import TTFont
from PIL import ImageFont
from pydantic import BeforeValidator

# Broad-coverage families tried, in order, for characters the chosen family lacks:
# DejaVu Sans for Latin, Greek, Cyrillic, Arabic, Hebrew and symbols; Droid Sans Fallback
# for Chinese and Japanese; Nanum Gothic for Korean; Noto Emoji (monochrome) for emoji.
FALLBACK_ORDER = ("dejavu-sans", "droid-sans-fallback", "nanum-gothic", "noto-emoji")
# A fallback family draws a character only where it covers more than this share of the
# character's 256-code-point page, unless no family does: a few stray glyphs (Droid Sans
# Fallback has 3 of 11,172 Hangul syllables, DejaVu Sans a quarter of the emoji page)
# would otherwise set single characters of a word in another style.
_DENSE_PAGE_SHARE = 0.25
_LICENSE_NAMES = ("LICENSE", "OFL.txt", "LICENSE.txt", "COPYING")


def normalize_font_name(name: str) -> str:
    """`Open Sans`, `open_sans` and `OPEN-SANS` all name `open-sans`."""
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def _normalized(value: object) -> object:
    return normalize_font_name(value) if isinstance(value, str) else value


def font_choice(names: list[str]) -> Any:
    """The type of a `font` parameter: one of `names` (an enum in the spec), in any
    spelling `normalize_font_name` accepts."""
    return Annotated[Literal[tuple(names)], BeforeValidator(_normalized)]


@dataclass(frozen=True)
class FontFamily:
    """One bundled family."""

    name: str
    family: str
    path: Path
    license_file: Path | None

    @cached_property
    def license_name(self) -> str | None:
        """The licence's name, such as `SIL Open Font License 1.1`, if it is known."""
        if self.license_file is None:
            return None
        return licence_name(self.license_file.read_text(encoding="utf-8", errors="replace"))

    @cached_property
    def codepoints(self) -> frozenset[int]:
        """Every character this font has a glyph for."""
        with TTFont(self.path, lazy=True) as font:
            return frozenset(font.getBestCmap())

    @cached_property
    def _page_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for code in self.codepoints:
            counts[code >> 8] = counts.get(code >> 8, 0) + 1
        return counts

    def covers_page_of(self, code: int) -> bool:
        """Whether this font has most of a script's block around `code`: more than
        `_DENSE_PAGE_SHARE` of its 256-code-point page."""
        return self._page_counts.get(code >> 8, 0) > 256 * _DENSE_PAGE_SHARE


def family_for(code: int, chain: list[FontFamily]) -> FontFamily:
    """The family of `chain` (the chosen one, then fallbacks) that draws character `code`:
    the chosen one if it has it, else the first fallback that has it and covers its page,
    else the first that has it at all; the chosen one (its missing glyph) if none has."""
    first = chain[0]
    if code in first.codepoints:
        return first
    having = [family for family in chain[1:] if code in family.codepoints]
    return next((f for f in having if f.covers_page_of(code)), having[0] if having else first)


# Licence names by the identifiers of Debian copyright files (`License:` of the stanza
# for `Files: *`), and by phrases of the licences' own texts.
_LICENCE_IDS = {
    "ofl-1.1": "SIL Open Font License 1.1",
    "apache-2": "Apache License 2.0",
    "apache-2.0": "Apache License 2.0",
    "bitstream-vera": "Bitstream Vera Fonts licence",
    "ufl-1.0": "Ubuntu Font Licence 1.0",
}
_LICENCE_PHRASES = {
    "SIL OPEN FONT LICENSE": "SIL Open Font License 1.1",
    "Apache License": "Apache License 2.0",
    "Bitstream Vera": "Bitstream Vera Fonts licence",
}


def licence_name(text: str) -> str | None:
    """The name of the licence in a font's licence file: from a Debian copyright file's
    stanza for all files, else from the licence text itself; None if unknown."""
    for stanza in re.split(r"\n\s*\n", text):
        if re.search(r"^Files:\s*\*\s*$", stanza, re.MULTILINE):
            found = re.search(r"^License:\s*(\S+)", stanza, re.MULTILINE)
            if found and found.group(1).lower() in _LICENCE_IDS:
                return _LICENCE_IDS[found.group(1).lower()]
    return next((name for phrase, name in _LICENCE_PHRASES.items() if phrase in text), None)


def _family_name(path: Path) -> str:
    return ImageFont.truetype(str(path), 10).getname()[0] or path.stem


@dataclass
class FontLibrary:
    """The families in a fonts folder, and sized font objects for drawing."""

    directory: Path
    families: dict[str, FontFamily] = field(init=False)
    _local: threading.local = field(init=False, default_factory=threading.local)

    def __post_init__(self) -> None:
        families = {}
        for folder in sorted(p for p in self.directory.iterdir() if p.is_dir()):
            ttf = sorted(folder.glob("*.ttf")) + sorted(folder.glob("*.otf"))
            if not ttf:
                continue
            licence = next((folder / n for n in _LICENSE_NAMES if (folder / n).is_file()), None)
            name = normalize_font_name(folder.name)
            families[name] = FontFamily(name, _family_name(ttf[0]), ttf[0], licence)
        if not families:
            raise RuntimeError(f"no fonts found in {self.directory}")
        self.families = families

    @property
    def names(self) -> list[str]:
        """The names users may pass, sorted."""
        return sorted(self.families)

    def resolve(self, name: str) -> FontFamily | None:
        """The family called `name` (in any spelling `normalize_font_name` accepts)."""
        return self.families.get(normalize_font_name(name))

    def chain(self, name: str) -> list[FontFamily]:
        """The family `name` followed by the bundled fallbacks, without repeats."""
        names = dict.fromkeys((normalize_font_name(name), *FALLBACK_ORDER))
        return [self.families[n] for n in names if n in self.families]

    def sized(self, family: FontFamily, size: int) -> ImageFont.FreeTypeFont:
        """A FreeType font at `size` px. Cached per thread, least recently used first
        out within `FONT_CACHE_BYTES`: FreeType faces are not safe to share between
        threads rendering at once, and each costs memory (see `font_cost`)."""
        cache = self._local.__dict__.get("fonts")
        if cache is None:
            cache = self._local.fonts = _FontCache()
        return cache.get(family.path, size)


# Resident memory of one FreeType face, measured over 100 faces each: about 280 KB for
# Lato and 460 KB for Droid Sans Fallback at 12 px, growing with the square of the size
# (530 KB and 1.05 MB at 1,000 px). Rounded up.
_FACE_BASE = 512 * 1024
FONT_CACHE_BYTES = 24 * 2**20  # per thread: ~48 small faces, enough for every fit


def font_cost(size: int) -> int:
    """Estimated bytes of one cached face at `size` px."""
    return _FACE_BASE + size * size


class _FontCache:
    """One thread's sized fonts, bounded by their estimated bytes."""

    def __init__(self) -> None:
        self.fonts: OrderedDict[tuple[Path, int], ImageFont.FreeTypeFont] = OrderedDict()
        self.size = 0

    def get(self, path: Path, size: int) -> ImageFont.FreeTypeFont:
        key = (path, size)
        font = self.fonts.get(key)
        if font is not None:
            self.fonts.move_to_end(key)
            return font
        font = self.fonts[key] = ImageFont.truetype(str(path), size)
        self.size += font_cost(size)
        while self.size > FONT_CACHE_BYTES and len(self.fonts) > 1:
            (_, evicted_size), _ = self.fonts.popitem(last=False)
            self.size -= font_cost(evicted_size)
        return font
