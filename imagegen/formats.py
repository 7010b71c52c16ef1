"""The one table of output formats: name, media type and file extensions."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageFormat:
    """An output format a generator can produce."""

    name: str
    media_type: str
    extensions: tuple[str, ...]
    vector: bool = False


PNG = ImageFormat("png", "image/png", ("png",))
JPEG = ImageFormat("jpeg", "image/jpeg", ("jpg", "jpeg"))
WEBP = ImageFormat("webp", "image/webp", ("webp",))
AVIF = ImageFormat("avif", "image/avif", ("avif",))
GIF = ImageFormat("gif", "image/gif", ("gif",))  # for old email clients: 256 colours
SVG = ImageFormat("svg", "image/svg+xml", ("svg",), vector=True)
PDF = ImageFormat("pdf", "application/pdf", ("pdf",), vector=True)

ALL_FORMATS: tuple[ImageFormat, ...] = (PNG, JPEG, WEBP, AVIF, GIF, SVG, PDF)
# A generator's order is its preference when `Accept` names several types outright (a
# browser names AVIF, WebP and SVG): PNG first, for `*/*` and email; AVIF after WebP
# unless the measured table in the README ("Formats") says it pays for its encoding.
RASTER_FORMATS: tuple[ImageFormat, ...] = (PNG, JPEG, WEBP, AVIF, GIF)

_BY_TOKEN = {token: fmt for fmt in ALL_FORMATS for token in (fmt.name, *fmt.extensions)}


def format_for_token(token: str) -> ImageFormat | None:
    """The format named by a `format=` value or a path extension (`jpg`, `JPEG`), if any."""
    return _BY_TOKEN.get(token.strip().lower())


def tokens_for(formats: tuple[ImageFormat, ...]) -> list[str]:
    """Every name and extension that selects one of `formats`, for docs and error messages."""
    return [token for fmt in formats for token in dict.fromkeys((fmt.name, *fmt.extensions))]
