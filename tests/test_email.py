"""An image rendered in-process and embedded in a MIME email as an inline `cid:` part."""

import email
import email.policy
import re
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from imagegen.rendering import create_generators, render
from tests.conftest import decode

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example() -> str:
    """The first Python block of the README's Email section."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Email\n") :]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def inline_image(message: EmailMessage) -> tuple[bytes, str]:
    """Read `message` back from its bytes, as a mail client would, and return the image
    that its HTML refers to by `cid:`, and its media type."""
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    text, related = parsed.get_payload()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, *attachments = related.get_payload()
    (cid,) = re.findall(r'src="cid:([^"]+)"', html_part.get_content())
    (image,) = [part for part in attachments if part["Content-ID"] == f"<{cid}>"]
    assert image.get_content_disposition() == "inline"
    return image.get_content(), image.get_content_type()


def test_readme_example_embeds_a_chart():
    if "chart" not in create_generators():
        pytest.skip("the chart generator is not installed yet")
    namespace: dict[str, object] = {}
    exec(compile(readme_example(), "README.md (Email)", "exec"), namespace)
    content, media_type = inline_image(namespace["message"])
    assert media_type == "image/png"
    assert decode(content).format == "PNG"
    assert content == namespace["png"]


def test_placeholder_embedded_as_inline_png():
    placeholder = create_generators()["placeholder"]
    png = render(placeholder, {"width": "300", "height": "100", "text": "Hi"}, "png").content
    message = EmailMessage()
    message["Subject"] = "Hello"
    message.set_content("Hello.")
    cid = make_msgid(domain="example.com")
    message.add_alternative(f'<img src="cid:{cid[1:-1]}" alt="Hi">', subtype="html")
    message.get_payload()[1].add_related(png, "image", "png", cid=cid, disposition="inline")

    content, media_type = inline_image(message)
    assert media_type == "image/png"
    image = decode(content)
    assert (image.format, image.size) == ("PNG", (300, 100))
