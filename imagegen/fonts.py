"""Bundled fonts, looked up by name (never by path), with glyph fallback.

`fonts/` holds one folder per family: its slug is the name users pass (`open-sans`), and
the folder holds one .ttf and the family's licence. Text is drawn with the chosen family,
and any character it lacks falls back to the families in `FALLBACK_ORDER`.
"""

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from fontTools.ttLib import TTFont
from PIL import ImageFont
from pydantic import BeforeValidator

# Broad-coverage families tried, in order, for characters the chosen family lacks.
FALLBACK_ORDER = ("dejavu-sans", "droid-sans-fallback")
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
    def codepoints(self) -> frozenset[int]:
        """Every character this font has a glyph for."""
        with TTFont(self.path, lazy=True) as font:
            return frozenset(font.getBestCmap())


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
        """A FreeType font at `size` px. Cached per thread: FreeType faces are not
        safe to share between threads rendering at once."""
        cache: dict[tuple[Path, int], ImageFont.FreeTypeFont]
        cache = self._local.__dict__.setdefault("fonts", {})
        key = (family.path, size)
        if key not in cache:
            if len(cache) > 512:
                cache.clear()
            cache[key] = ImageFont.truetype(str(family.path), size)
        return cache[key]
