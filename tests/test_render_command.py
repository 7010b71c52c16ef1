"""`imagegen render`: every generator and parameter on the command line, without a server."""

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pydantic import BaseModel, Field

from imagegen.cli import main
from imagegen.formats import ImageFormat
from imagegen.plugin import Generator
from imagegen.registry import discover_generators
from imagegen.render_command import command_args, option_name
from imagegen.urls import image_url
from tests.conftest import assert_format, decode

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [(cls, example) for cls in discover_generators() for example in cls.examples]


@pytest.mark.parametrize("cls", discover_generators(), ids=lambda cls: cls.name)
def test_every_parameter_is_an_option(cls, app, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["render", cls.name, "--help"])
    assert exit_.value.code == 0
    usage = capsys.readouterr().out
    operation = app.openapi()["paths"][f"/{cls.name}{cls.path}"]["get"]
    for parameter in operation["parameters"]:
        assert option_name(parameter["name"]) in usage


@pytest.mark.parametrize(
    ("cls", "example"), EXAMPLES, ids=[f"{c.name}-{i}" for i, (c, _) in enumerate(EXAMPLES)]
)
def test_example_gives_the_bytes_the_route_serves(cls, example, client, tmp_path):
    for fmt in cls.formats:
        out = tmp_path / f"out.{fmt.extensions[0]}"
        assert main(["render", cls.name, *command_args(example), "-o", str(out)]) == 0
        served = client.get(image_url(f"/{cls.name}{cls.path}", example, fmt.extensions[0]))
        assert out.read_bytes() == served.content
        assert_format(out.read_bytes(), fmt)


def test_format_option_quality_and_stdout(capsysbinary):
    args = ["render", "placeholder", "--width", "40", "--height", "30", "--quality", "10"]
    assert main([*args, "--format", "jpg", "-o", "-"]) == 0
    low = capsysbinary.readouterr().out
    assert decode(low).format == "JPEG"
    assert decode(low).size == (40, 30)
    assert main([*args[:-2], "--format", "jpg", "-o", "-"]) == 0
    assert len(capsysbinary.readouterr().out) > len(low)  # default quality 85


def test_stdout_without_format_is_the_generators_first_format(capsysbinary):
    assert main(["render", "qr", "--data", "hi", "--scale", "2", "-o", "-"]) == 0
    image = decode(capsysbinary.readouterr().out)
    assert (image.format, image.size) == ("PNG", (600, 600))


def test_format_option_wins_over_a_suffix_that_is_no_format(tmp_path):
    out = tmp_path / "report.v2"
    assert main(["render", "qr", "--data", "hi", "--format", "webp", "-o", str(out)]) == 0
    assert decode(out.read_bytes()).format == "WEBP"


@pytest.mark.parametrize(
    ("args", "query"),
    [
        (["--width", "99999"], "/placeholder/99999x10.png"),
        (["--width", "10", "--scale", "x"], "/placeholder/10x10.png?scale=x"),
        (["--width", "10", "--quality", "0"], "/placeholder/10x10.png?quality=0"),
        (["--width", "10", "--font", "comic"], "/placeholder/10x10.png?font=comic"),
    ],
)
def test_bad_parameter_prints_the_routes_422_message(args, query, client, capsys, tmp_path):
    out = tmp_path / "out.png"
    assert main(["render", "placeholder", "--height", "10", *args, "-o", str(out)]) == 2
    expected = client.get(query).json()["message"]
    assert capsys.readouterr().err == f"imagegen render placeholder: {expected}\n"
    assert not out.exists()


@pytest.mark.parametrize(
    ("output", "extra", "message"),
    [
        ("out.bmp", [], "format: must be one of png, jpeg, jpg, webp, avif, gif, svg"),
        ("out.png", ["--format", "jpg"], "format: conflicts with the path's extension .png"),
        ("out.png", ["--lossless", "maybe"], "lossless: must be true or false"),
    ],
)
def test_bad_output_choice_is_a_clear_error(output, extra, message, capsys, tmp_path):
    args = ["render", "placeholder", "--width", "9", "--height", "9", *extra]
    assert main([*args, "-o", str(tmp_path / output)]) == 2
    assert capsys.readouterr().err == f"imagegen render placeholder: {message}\n"


def test_unwritable_output_is_a_clear_error(capsys, tmp_path):
    out = tmp_path / "missing" / "out.png"
    assert main(["render", "qr", "--data", "hi", "-o", str(out)]) == 1
    assert "cannot write" in capsys.readouterr().err


class ToyParams(BaseModel):
    points: list[int] = Field(description="Only JSON can give a list here.")
    invert: bool = Field(False, description="A flag.")


class Toy(Generator):
    """A generator whose parameters have no text form (a list) or are flags."""

    name = "toy"
    summary = "Toy"

    def params_model(self) -> type[BaseModel]:
        return ToyParams

    def render(self, params: ToyParams, fmt: ImageFormat) -> Image.Image:
        colour = "black" if params.invert else "white"
        return Image.new("RGB", (len(params.points), max(params.points)), colour)


@pytest.fixture
def with_toy(monkeypatch):
    discovered = discover_generators()
    monkeypatch.setattr("imagegen.rendering.discover_generators", lambda: [*discovered, Toy])


def test_json_only_parameters_and_flags(with_toy, capsysbinary):
    assert main(["render", "toy", "--points", "[1, 5, 2]", "--invert", "-o", "-"]) == 0
    image = decode(capsysbinary.readouterr().out)
    assert image.size == (3, 5)
    assert image.convert("RGB").getpixel((0, 0)) == (0, 0, 0)
    assert main(["render", "toy", "--points", "[4]", "--invert", "false", "-o", "-"]) == 0
    assert decode(capsysbinary.readouterr().out).convert("RGB").getpixel((0, 0)) == (255,) * 3


def test_bad_json_is_a_clear_error(with_toy, capsys):
    assert main(["render", "toy", "--points", "[1,", "-o", "-"]) == 2
    assert capsys.readouterr().err.startswith("imagegen render toy: points: not valid JSON")


def test_runs_as_a_command_without_a_server(tmp_path):
    out = tmp_path / "ph.webp"
    args = ["render", "placeholder", "--width", "120", "--height", "60", "--text", "Hi"]
    done = subprocess.run(
        [sys.executable, "-m", "imagegen.cli", *args, "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert decode(out.read_bytes()).size == (120, 60)


@pytest.mark.parametrize("form", [["--data", "-1,2,-3"], ["--data=-1,2,-3"]])
def test_negative_values_after_an_option(tmp_path, form):
    out = tmp_path / "negative.png"
    assert main(["render", "chart", *form, "-o", str(out)]) == 0
    reference = tmp_path / "reference.png"
    assert (
        main(["render", "chart", "--data", "-1,2,-3", "--y-min", "-5", "-o", str(reference)]) == 0
    )
    assert decode(out.read_bytes()).size == (600, 400)
    assert out.read_bytes() != reference.read_bytes()  # --y-min -5 was read as a value


def test_help_refers_to_the_colour_syntax_instead_of_listing_names(capsys):
    with pytest.raises(SystemExit):
        main(["render", "qr", "--help"])
    text = capsys.readouterr().out
    assert "aliceblue" not in text
    # --color, --background, --finder-color and --caption-color, once each
    assert text.count("CSS name") == 4
