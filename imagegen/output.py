"""Choosing the output format of one request and the encoder options it asks for."""

import re
from dataclasses import dataclass

from imagegen.encoding import EncodeOptions
from imagegen.errors import ApiError, invalid_parameter
from imagegen.formats import ImageFormat, format_for_token, tokens_for
from imagegen.negotiation import negotiate

# Query parameters every image route takes, handled by the core, not by generators.
FORMAT_PARAM, QUALITY_PARAM, LOSSLESS_PARAM = "format", "quality", "lossless"
CORE_PARAMS = (FORMAT_PARAM, QUALITY_PARAM, LOSSLESS_PARAM)
_QUALITY = re.compile(r"[0-9]{1,3}")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class OutputChoice:
    """The format to produce, whether `Accept` decided it, and encoder options."""

    format: ImageFormat
    negotiated: bool
    options: EncodeOptions


def choose_format(
    explicit: str | None, accept: str | None, formats: tuple[ImageFormat, ...]
) -> tuple[ImageFormat, bool]:
    """The format to serve and whether `Accept` chose it.

    An explicit `format=` or path extension wins; otherwise `Accept` is negotiated
    against `formats` in the generator's order of preference.
    """
    if explicit is not None:
        fmt = format_for_token(explicit)
        if fmt is None or fmt not in formats:
            allowed = tokens_for(formats)
            raise invalid_parameter(
                FORMAT_PARAM, f"must be one of {', '.join(allowed)}", ", ".join(allowed)
            )
        return fmt, False
    offered = [fmt.media_type for fmt in formats]
    chosen = negotiate(accept, offered)
    if chosen is None:
        raise ApiError(
            406,
            "not_acceptable",
            "None of the media types in the Accept header can be produced here; "
            "ask for one of `available`, or add a `format` parameter.",
            available=offered,
            headers={"Vary": "Accept"},
        )
    return next(fmt for fmt in formats if fmt.media_type == chosen), True


def _quality(raw: str | None) -> int | None:
    if raw is None:
        return None
    # ASCII digits only: `str.isdigit` admits `²`, which `int` refuses, and an unbounded
    # run of digits costs `int` quadratic time before it refuses it.
    if not _QUALITY.fullmatch(raw.strip()) or not 1 <= int(raw) <= 100:
        raise invalid_parameter(QUALITY_PARAM, "must be a whole number from 1 to 100", 100)
    return int(raw)


def _lossless(raw: str | None) -> bool | None:
    if raw is None:
        return None
    value = raw.strip().lower()
    if value not in _TRUE + _FALSE:
        raise invalid_parameter(LOSSLESS_PARAM, "must be true or false")
    return value in _TRUE


def choose_output(
    query: dict[str, str],
    extension: str | None,
    accept: str | None,
    formats: tuple[ImageFormat, ...],
    png_level: int,
) -> OutputChoice:
    """Read `format`, `quality` and `lossless` (removing them from `query`) and decide;
    `png_level` is the server's PNG compression setting."""
    explicit = query.pop(FORMAT_PARAM, None)
    if extension is not None:
        if explicit is not None and format_for_token(explicit) != format_for_token(extension):
            raise invalid_parameter(
                FORMAT_PARAM, f"conflicts with the path's extension .{extension}"
            )
        explicit = extension
    fmt, negotiated = choose_format(explicit, accept, formats)
    options = EncodeOptions(
        quality=_quality(query.pop(QUALITY_PARAM, None)),
        lossless=_lossless(query.pop(LOSSLESS_PARAM, None)),
        png_level=png_level,
    )
    return OutputChoice(fmt, negotiated, options)
