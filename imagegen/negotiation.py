"""HTTP `Accept` parsing and format choice (RFC 9110 §12.5.1). Pure functions.

A media type's quality is the q-value of the most specific range that matches it
(`image/png` beats `image/*` beats `*/*`); `q=0` excludes. Among types of equal quality,
one the client names outright beats one it only admits by wildcard, and after that the
server's order of preference decides, so `*/*` or no header at all gives the first
offered type (PNG, which every email client shows).
"""

from collections.abc import Sequence
from dataclasses import dataclass

# Spellings seen in the wild that mean a registered type.
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
_MAX_RANGES = 64  # a real browser sends about ten; more is noise or abuse


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header, such as `image/*;q=0.8`."""

    type: str
    subtype: str
    q: float
    has_params: bool = False

    @property
    def specificity(self) -> int:
        """2 for `type/subtype`, 1 for `type/*`, 0 for `*/*`."""
        if self.type == "*":
            return 0
        return 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        """Whether this range admits `media_type` (given without parameters)."""
        if self.has_params:  # e.g. `text/html;level=1`: our types carry no parameters
            return False
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return True
        return self.type == kind and self.subtype in ("*", sub)


def _parse_range(element: str) -> MediaRange | None:
    media, *params = (part.strip() for part in element.split(";"))
    media = _ALIASES.get(media.lower(), media.lower())
    kind, slash, sub = media.partition("/")
    if not slash or not kind or not sub or (kind == "*" and sub != "*"):
        return None
    q = 1.0
    has_params = False
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return None
            if not 0.0 <= q <= 1.0:
                return None
            break  # parameters after q are accept-extensions, not media type parameters
        if key.strip():
            has_params = True
    return MediaRange(kind, sub, q, has_params)


def parse_accept(header: str) -> list[MediaRange]:
    """The valid media ranges of an Accept header; malformed elements are skipped."""
    ranges = []
    for element in header.split(",")[:_MAX_RANGES]:
        if element.strip():
            parsed = _parse_range(element)
            if parsed is not None:
                ranges.append(parsed)
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """(q, specificity) of the most specific range matching `media_type`; (0, -1) if none."""
    best: MediaRange | None = None
    for candidate in ranges:
        if candidate.matches(media_type) and (
            best is None or candidate.specificity > best.specificity
        ):
            best = candidate
    return (0.0, -1) if best is None else (best.q, best.specificity)


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The best of `offered` (in server preference order) for this Accept header.

    None means nothing offered is acceptable (answer 406). An absent, empty or wholly
    malformed header accepts anything, so the first offered type is returned.
    """
    ranges = parse_accept(accept) if accept else []
    if not ranges:
        return offered[0] if offered else None
    best_type, best_key = None, (0.0, -1, 0)
    for preference, media_type in enumerate(offered):
        q, specificity = quality(ranges, media_type)
        key = (q, specificity, -preference)
        if q > 0 and (best_type is None or key > best_key):
            best_type, best_key = media_type, key
    return best_type
