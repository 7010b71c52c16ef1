"""A real browser against a live server: Debian's headless Chromium, driven by Playwright.

Every page runs offline: any request that leaves the loopback interface is aborted and
recorded, and each test asserts there was none. Image tags check what a browser really
sends and decodes, including content negotiation with its own `Accept` header.
"""

import html
import os
import shlex
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Response, Route, sync_playwright

from imagegen.formats import JPEG, PNG, SVG, WEBP, ImageFormat
from imagegen.negotiation import negotiate
from imagegen.plugin import Generator
from imagegen.registry import discover_generators
from imagegen.urls import image_url
from tests.conftest import NEEDS_CHROMIUM, loud_skip_unless_ci

CHROMIUM = Path(os.environ.get("IMAGEGEN_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IMG_FORMATS = (PNG, JPEG, WEBP, SVG)  # what an <img> shows; not PDF
# Generous: one page loads every example in every format (dozens of charts), and CI
# machines are shared. A wait, not a speed assertion.
TIMEOUT_MS = 60_000

# Skipped without chromium on a developer's machine, loudly (see conftest's summary);
# in CI, where .ci/run installs it, a missing browser fails instead.
pytestmark = loud_skip_unless_ci(not CHROMIUM.exists(), NEEDS_CHROMIUM)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def base_url(live_server) -> str:
    host, port = live_server
    return f"http://{host}:{port}"


@pytest.fixture
def page(browser, base_url) -> Iterator[Page]:
    """A page that may only reach the live server; it fails the test on a script error
    or on any attempt to go elsewhere."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    blocked: list[str] = []
    script_errors: list[str] = []

    def only_loopback(route: Route, request: Request) -> None:
        if request.url.startswith(base_url + "/"):
            route.continue_()
        else:
            blocked.append(request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    yield page
    context.close()
    assert blocked == [], "requests left the machine"
    assert script_errors == []


def requested_width(generator: Generator, example: dict[str, str], fmt: ImageFormat) -> int:
    """The pixel width asked for: `width` (or `size`) times `scale` for raster formats;
    vector images are drawn at their CSS size."""
    params = generator.params.model_validate(example)
    width = getattr(params, "width", None) or getattr(params, "size", None)
    assert width, f"{generator.name}: no width or size parameter to check against"
    return width if fmt.vector else width * getattr(params, "scale", 1)


def image_cases(app) -> list[tuple[Generator, dict[str, str], ImageFormat | None]]:
    """Each generator's examples in each format an <img> shows, and without a format."""
    return [
        (generator, example, fmt)
        for generator in app.state.generators
        for example in generator.examples
        for fmt in [None, *(f for f in IMG_FORMATS if f in generator.formats)]
    ]


def load_img_tags(
    page: Page, urls: list[str]
) -> tuple[list[tuple[str, bool, int]], dict[str, Response]]:
    """A page of `<img>` tags for `urls`, loaded: each tag's (src, complete,
    naturalWidth), and the response to each URL."""
    tags = "".join(f'<img src="{html.escape(url)}">' for url in urls)
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    page.set_content(f"<!doctype html><body>{tags}</body>", wait_until="load")
    loaded = page.eval_on_selector_all(
        "img", "images => images.map(i => [i.src, i.complete, i.naturalWidth])"
    )
    # Response events reach Python while it waits on the browser: on a busy machine
    # some may still be on their way when the page has loaded.
    for _ in range(TIMEOUT_MS // 100):
        if set(urls) <= {response.url for response in responses}:
            break
        page.wait_for_timeout(100)
    assert [src for src, _, _ in loaded] == urls
    return loaded, {response.url: response for response in responses}


def test_img_tags_decode_at_the_requested_width(page, app, base_url):
    cases = image_cases(app)
    urls = []
    for generator, example, fmt in cases:
        route = f"/{generator.name}{generator.path}"
        urls.append(base_url + image_url(route, example, fmt.extensions[0] if fmt else None))
    loaded, by_url = load_img_tags(page, urls)
    for (generator, example, fmt), (url, complete, natural_width) in zip(
        cases, loaded, strict=True
    ):
        response = by_url[url]
        assert response.status == 200, url
        served = response.header_value("content-type")
        if fmt is None:  # the browser's own Accept header chose the format
            accept = response.request.header_value("accept")
            offered = [f.media_type for f in generator.formats]
            assert served == negotiate(accept, offered), (url, accept)
            assert served in accept, "a type the browser names, not one of its wildcards"
            assert response.header_value("vary") == "Accept"
            fmt = next(f for f in generator.formats if f.media_type == served)
        assert served == fmt.media_type, url
        assert complete, url
        assert natural_width == requested_width(generator, example, fmt), url


def wait_for_preview(page: Page, state: str) -> None:
    page.wait_for_selector(f"#preview-figure[data-state='{state}']")


def test_playground_lists_every_generator_and_its_examples(page, app, base_url):
    page.goto(base_url + "/")
    names = [g.name for g in app.state.generators]
    page.wait_for_function(
        "n => document.querySelectorAll('#generator option').length === n", arg=len(names)
    )
    options = page.eval_on_selector_all("#generator option", "os => os.map(o => o.value)")
    assert options == names
    wait_for_preview(page, "loaded")
    gallery = page.locator("#gallery-items img")
    examples = sum(len(g.examples) for g in app.state.generators)
    assert gallery.count() == examples
    for index in range(examples):  # they load lazily: as a reader scrolls to them
        gallery.nth(index).scroll_into_view_if_needed()
    page.wait_for_function(
        "[...document.querySelectorAll('#gallery-items img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )


class _ImgSrc(HTMLParser):
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.src = dict(attrs)["src"]


@pytest.mark.parametrize("name", [cls.name for cls in discover_generators()])
def test_playground_form_updates_the_preview(page, app, base_url, client, name):
    generator = next(g for g in app.state.generators if g.name == name)
    page.goto(base_url + "/")
    page.wait_for_selector(f"#generator option[value='{generator.name}']", state="attached")
    page.select_option("#generator", generator.name)
    wait_for_preview(page, "loaded")
    preview = page.locator("#preview")
    first_src = preview.get_attribute("src")
    assert first_src.startswith(f"{base_url}/{generator.name}")

    # Another format: the URL gets its extension and the preview loads it.
    tokens = page.eval_on_selector_all("#param-format option", "os => os.map(o => o.value)")
    fmt = next(f for f in (JPEG, WEBP, SVG) if f in generator.formats and f.name in tokens)
    page.select_option("#param-format", fmt.name)
    page.wait_for_function("src => document.getElementById('preview').src !== src", arg=first_src)
    wait_for_preview(page, "loaded")
    src = preview.get_attribute("src")
    assert urlsplit(src).path.endswith(f".{fmt.name}")
    assert page.text_content("#url") == src
    assert page.evaluate("document.getElementById('preview').naturalWidth") > 0

    # Snippets quote what they hold: the shell and an HTML parser read the URL back.
    text_input = page.locator("#params input[type=text]").first
    text_input.fill('It\'s <b>&"quoted"')
    page.wait_for_function("src => document.getElementById('url').textContent !== src", arg=src)
    url = page.text_content("#url")
    assert shlex.split(page.text_content("#curl-snippet")) == [
        "curl",
        "-o",
        f"{generator.name}.{fmt.name}",
        url,
    ]
    parser = _ImgSrc()
    parser.feed(page.text_content("#img-snippet"))
    assert parser.src == url

    # A value over its limit: the preview shows the API's own error message.
    number = page.locator("#params input[type=number][max]").first
    limit = int(number.get_attribute("max"))
    number.fill(str(limit + 1))
    wait_for_preview(page, "error")
    bad = urlsplit(page.text_content("#url"))
    expected = client.get(f"{bad.path}?{bad.query}").json()["message"]
    assert page.text_content("#preview-status") == expected


def test_swagger_ui_renders_every_operation_offline(page, app, base_url):
    page.goto(base_url + "/docs")
    operations = sum(len(item) for item in app.openapi()["paths"].values())
    page.wait_for_function(
        "n => document.querySelectorAll('.swagger-ui .opblock').length === n", arg=operations
    )
    assert page.text_content(".swagger-ui .info .title").startswith(app.title)


def test_redoc_renders_offline(page, app, base_url):
    page.goto(base_url + "/redoc")
    page.wait_for_selector(".api-content h1")
    assert page.text_content(".api-content h1").startswith(app.title)
    for generator in app.state.generators:
        # Exactly the tag's name: `text=qr` would also find the collapsed (hidden)
        # "A QR code, by api.qrserver.com's URL" of the compatibility tag first.
        page.wait_for_selector(f'[role=menuitem] >> text="{generator.name}"')


def test_playground_shows_descriptions_as_text_not_markdown(page, app, base_url):
    page.goto(base_url + "/")
    wait_for_preview(page, "loaded")
    texts = page.eval_on_selector_all(
        "#params small, #generator-description", "nodes => nodes.map(n => n.textContent)"
    )
    assert texts and not any("`" in text or "**" in text for text in texts)
    # Code spans are <code> elements, made with DOM calls: never parsed as HTML.
    assert page.locator("#params small code").count() > 0
    assert page.locator("#params small script, #params small img").count() == 0


def test_img_of_a_bad_quickchart_url_shows_the_error_at_the_requested_size(page, base_url):
    """Chrome shows an image answered with a 4xx: the error drawn at the chart's size."""
    bad = (
        "{type:'bar',data:{datasets:[{data:[1]}]},"
        "options:{scales:{yAxes:[{ticks:{callback:function(v){return v}}}]}}}"
    )
    cases = {  # URL -> the pixel width the chart would have had
        f"/chart?c={quote(bad)}&w=300&h=120&devicePixelRatio=1": 300,
        f"/chart?c={quote(bad)}": 1000,  # 500×300 at QuickChart's ratio 2
        "/chart?cht=zz&chs=320x100": 320,
        "/300x100/zzzzzzz/fff": 300,
    }
    loaded, by_url = load_img_tags(page, [base_url + path for path in cases])
    for (src, complete, natural_width), width in zip(loaded, cases.values(), strict=True):
        response = by_url[src]
        assert response.status == 422, src
        assert response.header_value("content-type") == "image/png", src
        assert response.header_value("x-imagegen-error"), src
        assert complete and natural_width == width, src
