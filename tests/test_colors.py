import pytest

from imagegen.colors import format_color, parse_color


@pytest.mark.parametrize(
    ("text", "rgba"),
    [
        ("fff", (255, 255, 255, 255)),
        ("#FFF", (255, 255, 255, 255)),
        ("#ffffff", (255, 255, 255, 255)),
        ("FFFFFFFF", (255, 255, 255, 255)),
        ("white", (255, 255, 255, 255)),
        ("#f808", (255, 136, 0, 136)),
        ("336699cc", (51, 102, 153, 204)),
        ("Teal", (0, 128, 128, 255)),
        ("rebeccapurple", (102, 51, 153, 255)),
        ("transparent", (0, 0, 0, 0)),
    ],
)
def test_parse_color(text, rgba):
    assert parse_color(text) == rgba


@pytest.mark.parametrize(
    "text",
    ["", " ", "#12345", "#1234567", "ggg", "notacolour", "rgb(1,2,3)", "x" * 100, "#", " fff"],
)
def test_parse_color_rejects(text):
    with pytest.raises(ValueError, match="colour"):
        parse_color(text)


def test_equivalent_spellings_share_one_canonical_form():
    spellings = ["fff", "#FFFFFF", "#ffffffff", "white", "WHITE"]
    assert {format_color(parse_color(s)) for s in spellings} == {"#ffffffff"}
