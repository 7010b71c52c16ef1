"""Placeholder text layout (imagegen/text.py): wrapping, legibility, bidirectional order
and glyph coverage, measured on the drawing itself."""

import io
import json
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from imagegen.colors import composite, coverage_palette
from imagegen.fonts import FontLibrary
from imagegen.generators.placeholder import MIN_LEGIBLE_SIZE, Placeholder, PlaceholderParams
from imagegen.settings import Settings
from imagegen.text import ELLIPSIS, TextBlock, characters_drawn
from tests.conftest import decode

GREY = (204, 204, 204)
LONG = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
    "exercitation ullamco laboris nisi ut aliquip ex ea."
)


@pytest.fixture(scope="module")
def fonts() -> FontLibrary:
    return FontLibrary(Settings.defaults().fonts_dir)


@pytest.fixture(scope="module")
def placeholder(fonts) -> Placeholder:
    from imagegen.plugin import GeneratorContext

    return Placeholder(GeneratorContext(Settings.defaults(), fonts))


def layout_of(placeholder, **query):
    params = PlaceholderParams.model_validate(query)
    scale = params.scale
    return placeholder._layout(params, params.width * scale, params.height * scale)


def ink_rows(image: Image.Image, background=GREY) -> list[tuple[int, int]]:
    """Bands of rows holding any pixel other than `background`: one per line of text."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    inked = (np.abs(pixels - np.array(background)).sum(axis=2) > 0).any(axis=1)
    bands, start = [], None
    for y, row in enumerate([*inked, False]):
        if row and start is None:
            start = y
        elif not row and start is not None:
            bands.append((start, y))
            start = None
    return bands


def ink_box(image: Image.Image, background=GREY) -> tuple[int, int, int, int] | None:
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    ys, xs = np.nonzero(np.abs(pixels - np.array(background)).sum(axis=2) > 0)
    if len(xs) == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def test_200_characters_wrap_into_legible_lines_inside_the_image(client):
    text = LONG[:200]
    image = decode(client.get("/placeholder/600x400", params={"text": text}).content)
    bands = ink_rows(image)
    assert len(bands) >= 4, bands  # wrapped, not one hairline
    heights = [bottom - top for top, bottom in bands]
    assert min(heights) >= 12  # a line of Latin text with x-height, not 5 px
    left, top, right, bottom = ink_box(image)
    assert left >= 60 - 2 and right <= 540 + 2 and top >= 40 - 2 and bottom <= 360 + 2


def test_wrapping_comes_before_shrinking(placeholder):
    # Two words at the cap size do not fit on one line of 240×200: they wrap and keep it.
    layout = layout_of(placeholder, width=240, height=200, text="Wonderful placeholder")
    assert len(layout.lines) == 2
    assert layout.size == 24  # a tenth of the longer side: not shrunk
    short = layout_of(placeholder, width=240, height=200, text="Incomprehensibilities")
    assert len(short.lines) == 1 and short.size < 24  # one word cannot wrap: it shrinks


def test_cjk_wraps_between_characters_and_not_before_closing_punctuation(placeholder):
    text = "東京は日本の首都です。人口は約一千四百万人で、世界最大の都市圏の一つです。"
    layout = layout_of(placeholder, width=300, height=300, text=text)
    lines = ["".join(run.text for run in line.runs) for line in layout.lines]
    assert len(lines) >= 3
    assert "".join(lines) == text  # every character, in order, none lost
    assert not any(line[0] in "。、" for line in lines)


def test_a_word_longer_than_a_line_is_broken_between_characters(client):
    image = decode(client.get("/placeholder/300x100", params={"text": "x" * 200}).content)
    assert len(ink_rows(image)) >= 3
    left, top, right, bottom = ink_box(image)
    assert left >= 28 and right <= 272 and top >= 8 and bottom <= 92


def test_text_too_long_for_a_small_image_is_shortened_with_an_ellipsis(placeholder, client):
    layout = layout_of(placeholder, width=120, height=40, text=LONG[:200])
    assert layout.shortened and layout.size == MIN_LEGIBLE_SIZE
    last = "".join(run.text for run in layout.lines[-1].runs)
    assert last.endswith(ELLIPSIS)
    image = decode(client.get("/placeholder/120x40", params={"text": LONG[:200]}).content)
    left, top, right, bottom = ink_box(image)
    assert left >= 12 - 1 and right <= 108 + 1 and top >= 4 - 1 and bottom <= 36 + 1


@pytest.mark.parametrize("size", ["1x1", "2x2", "8x8", "16x16", "20x10"])
@pytest.mark.parametrize("query", [{}, {"text": "Hello world"}])
def test_tiny_images_are_exactly_the_background(client, size, query):
    for fmt in ("png", "webp"):
        response = client.get(f"/placeholder/{size}.{fmt}", params=query)
        image = decode(response.content).convert("RGBA")
        assert image.getcolors() == [(image.width * image.height, (*GREY, 255))], fmt


def test_1x1_is_the_background_colour_in_every_format(client):
    for fmt in ("png", "webp"):  # lossless; JPEG's colour conversion may be off by one
        url = f"/placeholder/1x1.{fmt}?background=336699"
        assert decode(client.get(url).content).convert("RGB").getpixel((0, 0)) == (51, 102, 153)


def test_text_is_legible_or_absent_never_a_smudge(client):
    for size in ("24x24", "32x20", "40x40", "60x40", "80x60"):
        image = decode(client.get(f"/placeholder/{size}").content)
        box = ink_box(image)
        if box is not None:
            assert box[3] - box[1] >= 5, size  # digits at least 8 px: ink ~6 px tall


def runs_left_to_right(layout):
    return [(run.text, run.level) for run in layout.lines[0].runs]


def test_mixed_direction_text_is_one_paragraph_in_bidi_order(placeholder):
    layout = layout_of(
        placeholder, width=900, height=200, font_size=30, text="Hello مرحبا بالعالم world"
    )
    assert len(layout.lines) == 1
    runs = [text.strip() for text, _ in runs_left_to_right(layout)]
    assert runs[0] == "Hello" and runs[-1] == "world"
    assert "مرحبا بالعالم" in " ".join(runs)

    layout = layout_of(placeholder, width=900, height=200, font_size=30, text="מחיר: 100 ₪ (מבצע)")
    assert len(layout.lines) == 1
    drawn = runs_left_to_right(layout)
    texts = [text for text, _ in drawn]
    # An RTL paragraph: the first word is rightmost, the number stays LTR, read in order.
    assert texts[-1].startswith("מחיר")
    assert any(text == "100" and level == 2 for text, level in drawn)
    joined = "".join(texts)  # each run in logical order, the runs left to right
    assert joined.index("מבצע") < joined.index("100") < joined.index("מחיר")


def test_code_points_this_python_does_not_know_take_unicodes_default_direction(client, fonts):
    """U+18D09 (Tangut, Unicode 15) has no bidi class in Python 3.11's data, and
    python-bidi asserts on that: it was a 500 beside right-to-left text (a fuzz found
    `/1080p&text=𐠀𘴉`). Unassigned code points are left-to-right, except in the blocks
    kept for right-to-left scripts."""
    unknown, unknown_rtl = "\U00018d09", "\U00010fff"
    assert unicodedata.bidirectional(unknown) == ""
    block = TextBlock("\U00010800" + unknown + unknown_rtl, "open-sans", fonts)
    assert len(block.at(12, 500).lines) == 1  # laid out, not an AssertionError
    response = client.get("/placeholder/200x100.png", params={"text": "\U00010800" + unknown})
    assert response.status_code == 200
    assert decode(response.content).size == (200, 100)


def test_bidi_order_shows_in_the_pixels(client):
    """The Hebrew word drawn alone is found at the right end of the RTL paragraph."""
    word = decode(
        client.get("/placeholder/300x100", params={"text": "מחיר", "font_size": 30}).content
    )
    line = decode(
        client.get(
            "/placeholder/900x100", params={"text": "מחיר: 100 ₪ (מבצע)", "font_size": 30}
        ).content
    )
    wl, wt, wr, wb = ink_box(word)
    glyphs = np.asarray(word.convert("L"), dtype=int)[wt:wb, wl:wr]
    pixels = np.asarray(line.convert("L"), dtype=int)
    ll, _, lr, _ = ink_box(line)
    width = wr - wl

    def difference(left: int) -> float:  # the best match within a few pixels of `left`
        return min(
            np.abs(pixels[wt:wb, x : x + width] - glyphs).mean()
            for x in range(max(0, left - 3), left + 4)
        )

    assert difference(lr - width) < 25  # the first word, at the right end
    assert difference(ll) > 2 * difference(lr - width)


def cmap(path: Path) -> set[int]:
    with TTFont(path, lazy=True) as font:
        return set(font.getBestCmap())


def assert_real_glyphs(layout):
    """No .notdef box: every visible character is in the cmap of the font that draws it
    (joiners and variation selectors are not drawn, so they are exempt)."""
    maps: dict[Path, set[int]] = {}
    for char, family in characters_drawn(layout):
        if unicodedata.category(char) in ("Cf", "Zs", "Mn") or char == "\ufe0f":
            continue
        covered = maps.setdefault(family.path, cmap(family.path))
        assert ord(char) in covered, f"{char!r} U+{ord(char):04X} missing from {family.name}"


@pytest.mark.parametrize(
    "text",
    [
        "안녕하세요 세계",
        "가나다라 힣",  # Droid Sans Fallback has 가 and 힣: they must not switch fonts
        "한국어 👋 😀 🚀 ❤️ 👍🏽 👨‍👩‍👧",
        "Sales in 東京, Paris and القاهرة 🎉",
    ],
)
def test_korean_and_emoji_render_with_real_glyphs(placeholder, text):
    layout = layout_of(placeholder, width=600, height=300, text=text)
    assert layout is not None
    assert_real_glyphs(layout)
    hangul = {
        family.name for char, family in characters_drawn(layout) if 0xAC00 <= ord(char) <= 0xD7A3
    }
    assert hangul <= {"nanum-gothic"}
    emoji = {family.name for char, family in characters_drawn(layout) if ord(char) >= 0x1F000}
    assert emoji <= {"noto-emoji"}


def test_korean_and_emoji_ink_differs_from_the_missing_glyph_box(client):
    """Different syllables draw different pixels (boxes would all look alike)."""
    images = [
        np.asarray(
            decode(client.get("/placeholder/200x100", params={"text": t, "font_size": 40}).content)
        )
        for t in ("한", "국", "😀", "🚀")
    ]
    for i, a in enumerate(images):
        for b in images[i + 1 :]:
            assert not np.array_equal(a, b)


def test_font_chain_holds_korean_and_emoji_fonts(fonts):
    names = [family.name for family in fonts.chain("lato")]
    assert names[0] == "lato"
    assert {"nanum-gothic", "noto-emoji"} <= set(names)
    nanum = fonts.resolve("nanum-gothic")
    assert all(code in nanum.codepoints for code in range(0xAC00, 0xD7A4))  # all 11,172


def test_new_fonts_are_listed_with_their_licences(client):
    licences = {f["name"]: f["license"] for f in client.get("/fonts").json()}
    assert licences["nanum-gothic"] == licences["noto-emoji"] == "SIL Open Font License 1.1"


@pytest.mark.parametrize(
    "text", ["Hello world", "Coming soon", "Ad\nspace", "Hello\nwörld 你好", "سلام", "600×400"]
)
@pytest.mark.parametrize("size", [(600, 400), (300, 250), (728, 90), (120, 120)])
def test_short_text_draws_the_same_pixels_as_before(placeholder, fonts, text, size):
    """Text that fits on its lines at the largest size is laid out as the previous
    (unwrapped) implementation did: the same size, so the same picture."""
    width, height = size
    layout = layout_of(placeholder, width=width, height=height, text=text)
    block = TextBlock(text, "lato", fonts)
    previous = previous_fit_size(block, width * 0.8, height * 0.8, int(max(size) * 0.1))
    if len(layout.lines) == len(text.splitlines()):
        assert layout.size == previous


def previous_fit_size(block, box_width, box_height, max_size):
    """The fitting rule before wrapping: shrink until the unwrapped block fits."""

    def measure(size):
        layout = block.at(size, float("inf"))
        return layout.width, layout.height

    width, height = measure(100)
    ratio = min(box_width / max(width, 1), box_height / max(height, 1))
    size = max(1, min(max_size, int(100 * ratio)))
    while size > 1:
        width, height = measure(size)
        if width <= box_width and height <= box_height:
            break
        size = max(1, int(size * 0.95))
    return size


def test_coverage_palette_is_composite_per_entry():
    for ink, background in [
        ((85, 85, 85, 255), (204, 204, 204, 255)),
        ((255, 0, 0, 128), (255, 255, 255, 255)),
        ((10, 20, 30, 40), (0, 0, 0, 0)),
        ((0, 0, 0, 0), (0, 0, 0, 0)),
    ]:
        expected = b"".join(bytes(composite(ink, background, i / 255)) for i in range(256))
        assert coverage_palette(ink, background) == expected


# Digests of the decoded pixels of placeholders drawn by the previous implementation
# (commit be59bc3; the file says how it was made), for text that fits: the faster path
# must draw the same picture.
REFERENCE = Path(__file__).parent / "data" / "placeholder_reference.json"


def pixels_digest(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(decode(content).convert("RGBA").tobytes()).hexdigest()


def test_pictures_are_unchanged_from_the_previous_renderer(client):
    reference = json.loads(REFERENCE.read_text())["pixels"]
    assert len(reference) >= 10
    for path, digest in reference.items():
        assert pixels_digest(client.get(path).content) == digest, path


def test_layouts_stay_inside_the_canvas_at_many_sizes(client):
    texts = [LONG[:200], "x" * 200, "Hello مرحبا بالعالم world", "한국어 텍스트 " * 10]
    for text in texts:
        for width, height in [(600, 400), (320, 100), (100, 300), (90, 90), (50, 30)]:
            content = client.get(f"/placeholder/{width}x{height}", params={"text": text}).content
            image = Image.open(io.BytesIO(content))
            box = ink_box(image)
            if box is None:
                continue
            left, top, right, bottom = box
            slack = 2  # anti-aliased edges of glyphs measured by their outlines
            assert left >= width * 0.1 - slack and right <= width * 0.9 + slack, (text, width)
            assert top >= height * 0.1 - slack and bottom <= height * 0.9 + slack, (text, height)
