"""Accept parsing and format choice, against headers real clients send."""

import pytest

from imagegen.negotiation import negotiate, parse_accept, quality

RASTER = ["image/png", "image/jpeg", "image/webp"]
WITH_SVG = ["image/png", "image/jpeg", "image/webp", "image/svg+xml"]

CHROME_IMG = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
CHROME_NAV = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX_IMG = "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
FIREFOX_OLD_IMG = "image/webp,*/*"
FIREFOX_NAV = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAFARI_IMG = (
    "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,"
    "image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
)
SAFARI_OLD_IMG = "image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5"
EDGE_IMG = CHROME_IMG
IE11_IMG = "image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"


@pytest.mark.parametrize(
    ("accept", "offered", "expected"),
    [
        # Browsers' <img> requests: WebP where they name it, PNG where they don't.
        (CHROME_IMG, RASTER, "image/webp"),
        (CHROME_IMG, WITH_SVG, "image/webp"),
        (EDGE_IMG, RASTER, "image/webp"),
        (FIREFOX_IMG, RASTER, "image/png"),  # names png and webp at q=1: our preference
        (FIREFOX_OLD_IMG, RASTER, "image/webp"),
        (SAFARI_IMG, RASTER, "image/png"),
        (SAFARI_OLD_IMG, RASTER, "image/png"),
        (IE11_IMG, RASTER, "image/png"),
        # Page navigations (a URL opened in a tab): */* admits everything, PNG first.
        (CHROME_NAV, RASTER, "image/webp"),
        (FIREFOX_NAV, RASTER, "image/png"),
        # Command-line clients and libraries.
        ("*/*", RASTER, "image/png"),  # curl, wget, httpx, requests
        (None, RASTER, "image/png"),  # no header at all
        ("", RASTER, "image/png"),
        ("image/webp", RASTER, "image/webp"),  # curl -H 'Accept: image/webp'
        ("image/jpeg", RASTER, "image/jpeg"),
        ("image/svg+xml", WITH_SVG, "image/svg+xml"),
        # Email image proxies (Gmail's GoogleImageProxy, Outlook, Apple Mail Privacy).
        ("*/*", WITH_SVG, "image/png"),
        ("image/*", WITH_SVG, "image/png"),
        ("image/*,*/*;q=0.8", RASTER, "image/png"),
        # q-values and specificity.
        ("image/webp;q=0.9, image/*;q=0.5", RASTER, "image/webp"),
        ("image/*;q=0.5, image/jpeg", RASTER, "image/jpeg"),
        ("image/png;q=0.1, image/jpeg;q=0.2", RASTER, "image/jpeg"),
        ("image/*;q=0, image/png", RASTER, "image/png"),  # specific beats wildcard
        ("image/png;q=0, image/*", RASTER, "image/jpeg"),  # q=0 excludes png only
        ("*/*;q=0.1, image/webp;q=0", RASTER, "image/png"),
        ("IMAGE/WEBP", RASTER, "image/webp"),  # case-insensitive
        (" image/webp ; q=1.0 ", RASTER, "image/webp"),
        ("image/jpg", RASTER, "image/jpeg"),  # common misspelling
        # Nothing acceptable.
        ("text/html", RASTER, None),
        ("application/json", RASTER, None),
        ("image/avif", RASTER, None),
        ("*/*;q=0", RASTER, None),
        ("image/svg+xml", RASTER, None),
        # Malformed headers are ignored rather than rejected.
        ("garbage", RASTER, "image/png"),
        ("image/png;q=abc", RASTER, "image/png"),
        ("image/webp;q=2", RASTER, "image/png"),
        (",,,", RASTER, "image/png"),
    ],
)
def test_negotiate(accept, offered, expected):
    assert negotiate(accept, offered) == expected


def test_parse_accept_reads_q_and_skips_malformed():
    ranges = parse_accept("image/webp;q=0.9, nonsense, image/*;q=0.5, */*;q=x")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("image", "webp", 0.9),
        ("image", "*", 0.5),
    ]


def test_most_specific_range_sets_quality():
    ranges = parse_accept("*/*;q=0.1, image/*;q=0.5, image/png;q=0.9")
    assert quality(ranges, "image/png") == (0.9, 2)
    assert quality(ranges, "image/webp") == (0.5, 1)
    assert quality(ranges, "application/pdf") == (0.1, 0)


def test_media_type_parameters_do_not_match_plain_types():
    assert negotiate("image/png;level=1", RASTER) is None


def test_huge_header_is_bounded():
    header = ",".join(["text/html"] * 10_000 + ["image/png"])
    assert len(parse_accept(header)) == 64
