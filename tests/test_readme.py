"""The README's generated parts (gallery, routes table) match the app; `imagegen docs`."""

from pathlib import Path

import pytest

from imagegen.cli import DEFAULT_GALLERY_PATH, main
from imagegen.readme import gallery_files, replace_block, update_readme
from imagegen.rendering import render
from tests.conftest import decode

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
    for generator, example, path in pictures:
        picture = decode(path.read_bytes())
        expected = decode(render(generator, example, "png").content)
        assert (picture.format, picture.size) == ("PNG", expected.size), path.name
        assert f"]({DEFAULT_GALLERY_PATH / path.name})" in README.read_text(encoding="utf-8")


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
