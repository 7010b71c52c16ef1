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
        # CSS colour functions, as Chart.js configs write them.
        ("rgb(255, 99, 132)", (255, 99, 132, 255)),
        ("rgba(255, 99, 132, 0.2)", (255, 99, 132, 51)),
        ("RGBA(54,162,235,1)", (54, 162, 235, 255)),
        ("rgb(255 99 132 / 50%)", (255, 99, 132, 128)),
        ("rgb(100%, 0%, 50%)", (255, 0, 128, 255)),
        ("rgb(300, -5, 10)", (255, 0, 10, 255)),  # clamped, as CSS does
        ("hsl(0, 100%, 50%)", (255, 0, 0, 255)),
        ("hsla(120, 100%, 25%, 0.5)", (0, 128, 0, 128)),
        ("hsl(210deg 50% 40%)", (51, 102, 153, 255)),
        ("hsl(-150, 50%, 40%)", (51, 102, 153, 255)),
    ],
)
def test_parse_color(text, rgba):
    assert parse_color(text) == rgba


@pytest.mark.parametrize(
    "text",
    [
        *("", " ", "#12345", "#1234567", "ggg", "notacolour", "x" * 100, "#", " fff"),
        *("rgb(1,2)", "rgb(1,2,3,4,5)", "rgb(1deg,2,3)", "hsl(1, 2deg, 3)", "rgb(a,b,c)"),
        "rgb(1 2, 3)",
    ],
)
def test_parse_color_rejects(text):
    with pytest.raises(ValueError, match="colour"):
        parse_color(text)


def test_equivalent_spellings_share_one_canonical_form():
    spellings = ["fff", "#FFFFFF", "#ffffffff", "white", "WHITE"]
    assert {format_color(parse_color(s)) for s in spellings} == {"#ffffffff"}


def test_colour_lists_in_urls_keep_functions_whole():
    from imagegen.charts.compact import split_colors

    assert split_colors("red, rgb(1, 2, 3),hsl(0,100%,50%)") == [
        "red",
        "rgb(1, 2, 3)",
        "hsl(0,100%,50%)",
    ]
    assert split_colors("a,,b") == ["a", "", "b"]
