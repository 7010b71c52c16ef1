"""The README's generated parts (gallery, routes table) match the app; `imagegen docs`."""

import shlex
from pathlib import Path

import pytest

from imagegen.cli import DEFAULT_GALLERY_PATH, main
from imagegen.formats import format_for_token
from imagegen.readme import gallery_files, gallery_picture, replace_block, update_readme
from imagegen.rendering import render
from tests.conftest import assert_format, decode

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_readme_gallery_and_routes_table_are_current(app):
    stale = update_readme(
        README, DEFAULT_GALLERY_PATH, app.state.generators, app.openapi(), check=True
    )
    assert stale == [], "README.md is out of date: run `imagegen docs` and commit"


def test_gallery_pictures_are_the_examples(app):
    pictures = gallery_files(app.state.generators, ROOT / DEFAULT_GALLERY_PATH)
    assert pictures
    text = README.read_text(encoding="utf-8")
    for generator, example, path in pictures:
        picture = decode(path.read_bytes())
        expected = gallery_picture(generator, example)
        assert picture.format == "PNG", path.name
        assert picture.size == decode(expected.content).size, path.name
        tag = f'<img src="{DEFAULT_GALLERY_PATH / path.name}" width="{expected.width}" '
        assert tag in text
        if "scale" in generator.params.model_fields and "scale" not in example:
            # Drawn at scale 2 for high-density screens, shown at its CSS size.
            assert picture.size == (2 * expected.width, 2 * expected.height)
            assert (
                picture.size
                == decode(render(generator, example | {"scale": "2"}, "png").content).size
            )


def raw_readme_lines(prefix: str) -> list[str]:
    """Lines of the raw README (as a user copies them) that start with `prefix`, in
    indented code blocks."""
    return [
        line.strip()
        for line in README.read_text(encoding="utf-8").splitlines()
        if line.startswith("    " + prefix)
    ]


def test_readme_render_commands_run_as_written(tmp_path, monkeypatch):
    commands = [c for c in raw_readme_lines("imagegen render ") if "--help" not in c]
    assert len(commands) >= 8
    monkeypatch.chdir(tmp_path)
    for command in commands:
        args = shlex.split(command, comments=True)
        assert main(args[1:]) == 0, command
        written = tmp_path / args[args.index("-o") + 1]
        assert_format(written.read_bytes(), format_for_token(written.suffix[1:]))


def test_readme_image_urls_work_as_written(client):
    urls = [line.split()[0] for line in raw_readme_lines("/") if line.split()[0].startswith("/")]
    assert len(urls) >= 8
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        decode(response.content)


def test_readme_has_no_unreadable_lines():
    long = [n for n, line in enumerate(README.read_text().splitlines(), 1) if len(line) > 400]
    assert long == [], f"README lines over 400 characters: {long}"


def test_routes_table_names_every_route_and_parameter(app):
    text = README.read_text(encoding="utf-8")
    table = text[text.index("<!-- routes:start -->") : text.index("<!-- routes:end -->")]
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            assert f"`{method.upper()} {path}`" in table
            for parameter in operation.get("parameters", []):
                assert f"| `{parameter['name']}` |" in table


def test_docs_command_writes_pictures_and_tables(tmp_path, capsys):
    readme = tmp_path / "README.md"
    text = README.read_text(encoding="utf-8")
    emptied = replace_block(replace_block(text, "gallery", ""), "routes", "")
    readme.write_text(emptied, encoding="utf-8")
    (tmp_path / "docs" / "gallery").mkdir(parents=True)
    (tmp_path / "docs" / "gallery" / "removed-example-1.png").write_bytes(b"old")

    assert main(["docs", "--readme", str(readme), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["docs", "--readme", str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == text
    assert not (tmp_path / "docs" / "gallery" / "removed-example-1.png").exists()
    assert sorted(p.name for p in (tmp_path / "docs" / "gallery").iterdir()) == sorted(
        p.name for p in (ROOT / DEFAULT_GALLERY_PATH).iterdir()
    )
    assert main(["docs", "--readme", str(readme), "--check"]) == 0


def test_missing_markers_or_file_are_a_clear_error(tmp_path, capsys):
    with pytest.raises(ValueError, match="gallery:start"):
        replace_block("no markers here", "gallery", "x")
    readme = tmp_path / "README.md"
    readme.write_text("# A README without markers\n", encoding="utf-8")
    assert main(["docs", "--readme", str(readme)]) == 1
    assert "no <!-- gallery:start --> ... <!-- gallery:end --> markers" in capsys.readouterr().err
    assert main(["docs", "--readme", str(tmp_path / "missing.md")]) == 1
    assert "No such file" in capsys.readouterr().err
