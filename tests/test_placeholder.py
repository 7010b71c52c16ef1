"""`/placeholder` through the HTTP app: decoded images, pixels, headers and errors."""

import pytest
from PIL import ImageChops

from imagegen.fonts import licence_name
from tests.conftest import decode


def ink_bbox(image, background):
    """Bounding box of the pixels that differ from `background`."""
    solid = image.convert("RGB")
    plain = solid.copy()
    plain.paste(background[:3], (0, 0, *solid.size))
    return ImageChops.difference(solid, plain).getbbox()


def test_default_placeholder_is_a_png_of_the_requested_size(client):
    response = client.get("/placeholder/600x400", headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.headers["vary"] == "Accept"
    image = decode(response.content)
    assert (image.format, image.size) == ("PNG", (600, 400))
    rgb = image.convert("RGB")
    assert rgb.getpixel((0, 0)) == (204, 204, 204)  # default background cccccc
    box = ink_bbox(image, (204, 204, 204))
    assert box is not None, "the default text 600×400 must be drawn"
    left, top, right, bottom = box
    # Centred, inside the margins, and drawn in the default text colour.
    assert abs((left + right) / 2 - 300) <= 3 and abs((top + bottom) / 2 - 200) <= 3
    assert left > 60 and right < 540
    assert (85, 85, 85) in {c for _, c in rgb.getcolors(256)}


@pytest.mark.parametrize(
    ("path", "fmt", "media_type"),
    [
        ("/placeholder/300x200.png", "PNG", "image/png"),
        ("/placeholder/300x200.jpg", "JPEG", "image/jpeg"),
        ("/placeholder/300x200.jpeg", "JPEG", "image/jpeg"),
        ("/placeholder/300x200.webp", "WEBP", "image/webp"),
        ("/placeholder/300x200?format=webp", "WEBP", "image/webp"),
        ("/placeholder/300x200?format=JPG", "JPEG", "image/jpeg"),
    ],
)
def test_explicit_format_wins_over_accept_and_does_not_vary(client, path, fmt, media_type):
    response = client.get(path, headers={"Accept": "image/png;q=0.1, text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert "vary" not in response.headers
    image = decode(response.content)
    assert (image.format, image.size) == (fmt, (300, 200))


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("image/webp", "image/webp"),
        ("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "image/webp"),
        ("image/jpeg", "image/jpeg"),
        ("image/webp;q=0.5, image/png", "image/png"),
    ],
)
def test_accept_header_negotiates_with_vary(client, accept, media_type):
    response = client.get("/placeholder/80x60", headers={"Accept": accept})
    assert response.headers["content-type"] == media_type
    assert response.headers["vary"] == "Accept"
    assert decode(response.content).size == (80, 60)


def test_unacceptable_accept_gets_406_listing_available_types(client):
    response = client.get("/placeholder/80x60", headers={"Accept": "text/html, image/heic"})
    assert response.status_code == 406
    assert response.headers["vary"] == "Accept"
    body = response.json()
    assert body["error"] == "not_acceptable"
    assert body["available"] == [
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/avif",
        "image/gif",
        "image/svg+xml",
    ]


def test_colours_text_and_transparency(client):
    response = client.get(
        "/placeholder/200x100",
        params={"background": "transparent", "color": "#ff0000", "text": "Hi"},
    )
    image = decode(response.content).convert("RGBA")
    assert image.getpixel((0, 0)) == (0, 0, 0, 0)
    colours = {c for _, c in image.getcolors(256)}
    assert (255, 0, 0, 255) in colours


def test_hex_and_names_give_identical_images(client):
    a = client.get("/placeholder/90x90", params={"background": "fff", "color": "#000"})
    b = client.get("/placeholder/90x90", params={"background": "white", "color": "black"})
    c = client.get("/placeholder/90x90?background=%23FFFFFFFF&color=000000")
    assert b.content == c.content
    assert decode(a.content).convert("RGB").getpixel((0, 0)) == (255, 255, 255)


def test_scale_multiplies_pixels(client):
    one = decode(client.get("/placeholder/120x80").content)
    three = decode(client.get("/placeholder/120x80?scale=3").content)
    assert three.size == (360, 240)
    box1, box3 = ink_bbox(one, (204, 204, 204)), ink_bbox(three, (204, 204, 204))
    assert abs((box3[2] - box3[0]) - 3 * (box1[2] - box1[0])) <= 6


def test_line_breaks_make_taller_text(client):
    one = decode(client.get("/placeholder/400x300?text=Hello%20world&font_size=30").content)
    two = decode(client.get("/placeholder/400x300?text=Hello%5Cnworld&font_size=30").content)
    box1, box2 = ink_bbox(one, (204, 204, 204)), ink_bbox(two, (204, 204, 204))
    assert (box2[3] - box2[1]) > 1.8 * (box1[3] - box1[1])
    assert (box2[2] - box2[0]) < (box1[2] - box1[0])


def test_font_choice_changes_the_drawing_and_accepts_display_names(client):
    lato = client.get("/placeholder/300x100?text=Quick&font=lato").content
    serif = client.get("/placeholder/300x100?text=Quick&font=dejavu-serif").content
    spaced = client.get("/placeholder/300x100?text=Quick&font=DejaVu%20Serif").content
    assert lato != serif
    assert serif == spaced


def test_characters_missing_from_the_font_fall_back_to_bundled_fonts(client):
    # Lato has no CJK glyphs: without fallback these would draw as identical boxes.
    a = client.get("/placeholder/300x100", params={"text": "你好", "font_size": 40}).content
    b = client.get("/placeholder/300x100", params={"text": "世界", "font_size": 40}).content
    assert a != b
    assert ink_bbox(decode(a), (204, 204, 204)) is not None


def test_autofit_keeps_long_text_inside_the_image(client):
    text = "A long caption that must shrink to fit inside a small image"
    image = decode(client.get("/placeholder/200x50", params={"text": text}).content)
    left, top, right, bottom = ink_bbox(image, (204, 204, 204))
    assert left >= 1 and top >= 1 and right <= 199 and bottom <= 49


@pytest.mark.parametrize(
    ("path", "parameter", "limit"),
    [
        ("/placeholder/99999x100", "width", 4000),
        ("/placeholder/100x4001", "height", 4000),
        ("/placeholder/0x100", "width", 1),
        ("/placeholder/abcx100", "width", None),
        ("/placeholder/100x100?scale=5", "scale", 4),
        ("/placeholder/4000x4000?scale=2", "scale", 16_000_000),
        ("/placeholder/100x100?background=nope", "background", None),
        ("/placeholder/100x100?color=%2312345", "color", None),
        ("/placeholder/100x100?font=../../etc/passwd", "font", None),
        ("/placeholder/100x100?font_size=0", "font_size", 1),
        ("/placeholder/100x100?text=" + "x" * 201, "text", 200),
        ("/placeholder/100x100?format=bmp", "format", None),
        ("/placeholder/100x100.bmp", "format", None),
        ("/placeholder/100x100.png?format=jpeg", "format", None),
        ("/placeholder/100x100?quality=0", "quality", 100),
        ("/placeholder/100x100?lossless=maybe", "lossless", None),
    ],
)
def test_bad_input_gets_422_naming_the_parameter(client, path, parameter, limit):
    response = client.get(path)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == 422 and body["error"] == "invalid_parameter"
    names = [p["parameter"] for p in body["parameters"]]
    assert parameter in names
    assert parameter in body["message"]
    if limit is not None:
        problem = next(p for p in body["parameters"] if p["parameter"] == parameter)
        assert problem["limit"] == limit


def test_unknown_routes_and_methods_use_the_same_error_shape(client):
    missing = client.get("/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = client.post("/placeholder/10x10")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"


def test_unknown_query_parameters_are_ignored(client):
    plain = client.get("/placeholder/50x50").content
    tracked = client.get("/placeholder/50x50?utm_source=newsletter&utm_campaign=x").content
    assert plain == tracked


def test_fonts_lists_bundled_families_with_licences(client, app):
    fonts = client.get("/fonts").json()
    names = {f["name"] for f in fonts}
    assert {"lato", "roboto", "open-sans", "dejavu-sans", "dejavu-serif"} <= names
    licences = {f["name"]: f["license"] for f in fonts}
    assert licences["lato"] == "SIL Open Font License 1.1"
    assert licences["roboto"] == licences["droid-sans-fallback"] == "Apache License 2.0"
    assert licences["dejavu-serif"] == "Bitstream Vera Fonts licence"
    assert all(f["license"] in KNOWN_LICENCES for f in fonts)  # a name, never a file name
    for font in fonts:
        text = client.get(font["license_url"])
        assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
        assert len(text.text) > 500


KNOWN_LICENCES = {
    "SIL Open Font License 1.1",
    "Apache License 2.0",
    "Bitstream Vera Fonts licence",
}


@pytest.mark.parametrize("name", ["../../etc/passwd", "lato%2F..%2F..", "nope", "LICENSE"])
def test_font_licence_route_takes_names_only(client, name):
    response = client.get(f"/fonts/{name}/license")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


def test_licence_names_from_licence_texts():
    assert licence_name(
        "Files: *\nCopyright: x\nLicense: OFL-1.1\n\nFiles: debian/*\nLicense: GPL-2+"
    ) == ("SIL Open Font License 1.1")
    assert licence_name("SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007") == (
        "SIL Open Font License 1.1"
    )
    assert licence_name("Some other terms") is None


@pytest.mark.parametrize(
    ("fmt", "corner"),
    [("png", (0, 0, 0, 0)), ("webp", (0, 0, 0, 0)), ("jpg", (255, 255, 255, 255))],
)
def test_transparent_background_in_every_format(client, fmt, corner):
    url = f"/placeholder/120x60.{fmt}?background=transparent&color=navy"
    image = decode(client.get(url).content).convert("RGBA")
    assert image.getpixel((0, 0)) == corner


def test_translucent_colours_are_composited_over_the_background(client):
    url = "/placeholder/100x100.png?background=ffffff&color=ff000080&text=%E2%96%88&font_size=90"
    image = decode(client.get(url).content).convert("RGBA")
    assert image.getpixel((50, 50)) == (255, 127, 127, 255)  # half red over white


def test_huge_font_size_is_refused_before_drawing(client):
    response = client.get("/placeholder/1317x596.jpeg?font_size=2533&scale=4")
    assert response.status_code == 422
    problem = response.json()["parameters"][0]
    assert problem["parameter"] == "font_size" and problem["limit"] == 16_000_000


def test_405_allow_header_lists_every_method_of_the_path(client):
    response = client.request("OPTIONS", "/placeholder/10x10")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("separator", ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"])
def test_every_drawable_unicode_line_separator_breaks_the_line(client, separator):
    one = ink_bbox(
        decode(client.get("/placeholder/300x200?text=Ab&font_size=30").content), (204,) * 3
    )
    response = client.get(
        "/placeholder/300x200", params={"text": f"Ab{separator}Ab", "font_size": 30}
    )
    assert response.status_code == 200
    two = ink_bbox(decode(response.content), (204,) * 3)
    assert (two[3] - two[1]) > 1.8 * (one[3] - one[1])


@pytest.mark.parametrize("separator", ["\v", "\f", "\x1c", "\x1d", "\x1e"])
def test_control_character_line_separators_are_refused(client, separator):
    response = client.get("/placeholder/300x200", params={"text": f"Ab{separator}Ab"})
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == "text"


def test_unassigned_and_unusual_characters_do_not_break_rendering(client):
    text = "~\U0009bcf4\t*\x85\xe2\U0007ad13\U00107c73QP\x9b\ud7ff"
    response = client.get("/placeholder/171x418", params={"text": text, "scale": 4})
    assert response.status_code == 200


def test_colours_share_a_layout_and_draw_as_a_fresh_one(client):
    """The layout of a size and text is remembered (not its colours): images drawn with
    a remembered layout are those drawn with a new one, and the memory is bounded."""
    from imagegen.generators import placeholder as module
    from imagegen.rendering import create_generators, render

    paths = ["/placeholder/420x260.png?text=Sale%5Cn50%25&background=" + c for c in ("fff", "123")]
    remembered = [decode(client.get(path).content) for path in paths]
    generator = create_generators()["placeholder"]  # a new generator: nothing remembered
    for path, image in zip(paths, remembered, strict=True):
        query = {"width": "420", "height": "260", "text": "Sale\\n50%"}
        query["background"] = path.rsplit("=", 1)[1]
        fresh = decode(render(generator, query, "png").content)
        assert ImageChops.difference(fresh.convert("RGB"), image.convert("RGB")).getbbox() is None
        generator._layouts.clear()
        generator._inks.clear()
    for width in range(1, module.LAYOUTS_REMEMBERED + 50):
        render(generator, {"width": str(width), "height": "20"}, "png")
    assert len(generator._layouts) == module.LAYOUTS_REMEMBERED


@pytest.mark.parametrize(
    "query",
    [
        {"width": "600", "height": "400"},
        {"width": "300", "height": "250", "text": "Ad\\nspace", "color": "f8fafc80"},
        {"width": "320", "height": "180", "text": "שלום world", "radius": "16", "border": "3"},
        {"width": "200", "height": "90", "text": "Gradient", "gradient": "linear,0,fff,000"},
    ],
)
def test_remembered_ink_draws_the_text_as_pillow_draws_it(query):
    """The text's ink, drawn once and remembered, is the text Pillow draws straight on
    the image: the same pixels the first time and from memory."""
    from PIL import Image, ImageDraw

    from imagegen.formats import PNG
    from imagegen.generators.placeholder import _ink
    from imagegen.rendering import create_generators, validate_params

    generator = create_generators()["placeholder"]
    params = validate_params(generator, query)
    width, height = params.width * params.scale, params.height * params.scale
    inset = 2 * params.border * params.scale
    key = generator._text_key(params, width - inset, height - inset)
    layout = generator._remembered_layout(key, params, width - inset, height - inset)
    straight = Image.new("P", (width, height), 0)
    draw = ImageDraw.Draw(straight)
    draw.fontmode = "L"
    layout.draw(draw, 255)
    first, again = generator.render(params, PNG), generator.render(params, PNG)
    assert generator._inks[key] is not None
    if params.gradient is None and params.radius is None and params.border == 0:
        for image in (first, again):  # the text's coverage is the image's indices
            assert image.mode == "P" and image.tobytes() == straight.tobytes()
    else:  # painted in colour: where the ink covers, as Pillow's own mask says
        expected = _ink(Image.frombytes("L", straight.size, straight.tobytes()))
        ink, at = generator._inks[key]
        assert ink.tobytes() == expected[0].tobytes() and at == expected[1]
        assert first.tobytes() == again.tobytes()


def test_remembered_ink_is_bounded_in_bytes():
    from imagegen.generators import placeholder as module
    from imagegen.rendering import create_generators, render, validate_params

    generator = create_generators()["placeholder"]
    query = {"width": "3000", "height": "3000", "font_size": "250"}
    for i in range(40):  # inks of about 0.5 MB each: 20 MB asked for
        render(generator, {**query, "text": f"{i:02d} remembered"}, "png")
        inks = [ink for ink in generator._inks.values() if ink is not None]
        kept = sum(ink.width * ink.height for ink, _ in inks)
        assert kept == generator._ink_bytes <= module.INK_MAX_BYTES
    assert 8 <= len(generator._inks) < 40  # the oldest were forgotten
    big = {**query, "font_size": "500", "text": "too big to keep"}  # over INK_MAX_ONE
    render(generator, big, "png")
    params = validate_params(generator, big)
    assert generator._text_key(params, 3000, 3000) not in generator._inks
