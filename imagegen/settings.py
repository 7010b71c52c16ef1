"""Limits and defaults, each overridable by an ``IMAGEGEN_*`` environment variable.

Every limit exists so that one request cannot take the server down: a limit on pixels
bounds the memory of one render, a limit on text bounds layout time. The defaults are
generous for real pages, emails and reports and small enough for a 2-core box.
"""

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_fonts_dir() -> Path:
    """The fonts shipped with imagegen: inside the wheel, or at the top of a source checkout."""
    installed = _PACKAGE_DIR / "fonts"
    return installed if installed.is_dir() else _PACKAGE_DIR.parent / "fonts"


class Settings(BaseSettings):
    """Server configuration. ``IMAGEGEN_MAX_WIDTH=2000`` overrides ``max_width``, and so on."""

    model_config = SettingsConfigDict(env_prefix="IMAGEGEN_", frozen=True)

    host: str = Field("127.0.0.1", description="Address `imagegen serve` listens on.")
    port: int = Field(8000, ge=0, le=65535, description="Port `imagegen serve` listens on.")

    max_width: int = Field(4000, ge=1, description="Largest image width in pixels, before `scale`.")
    max_height: int = Field(
        4000, ge=1, description="Largest image height in pixels, before `scale`."
    )
    max_pixels: int = Field(
        16_000_000,
        ge=1,
        description="Largest output pixel count (width × height × scale²): 64 MB as RGBA.",
    )
    max_scale: int = Field(4, ge=1, le=8, description="Largest device pixel ratio `scale`.")
    max_text_length: int = Field(
        200, ge=1, description="Longest text drawn on an image, in characters."
    )
    max_query_bytes: int = Field(
        32_768,
        ge=1,
        description="Longest query string, in bytes: room for a full QR code's data "
        "percent-encoded (about 9 KB); longer data belongs in a POST body.",
    )
    render_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds a request waits for its image before a 503. A render that "
        "has started goes on (and is cached for the next request) until this long after "
        "it started; past that, it is dropped before it is encoded. One that had not "
        "started when its last client left, or gave up, is dropped at once.",
    )
    max_chart_series: int = Field(
        20,
        ge=1,
        description="Most data series in one chart: each is drawn and listed in the "
        "legend, and past a couple of dozen they cannot be told apart.",
    )
    max_chart_points: int = Field(
        1000,
        ge=1,
        description="Most points in one chart series (and labels, and colours of "
        "pie slices): bounds drawing time; a chart has fewer pixels than that across.",
    )
    max_chart_annotations: int = Field(
        20,
        ge=0,
        description="Most annotations (reference lines and bands) in one chart, from "
        "`annotations`, `hline`, `vline`, `hband` and `vband` together: each label is "
        "placed clear of the others.",
    )
    max_gauge_bands: int = Field(
        10,
        ge=1,
        description="Most coloured bands on one gauge (`bands`): past a handful the "
        "colours cannot be told apart on a dial.",
    )
    max_box_samples: int = Field(
        10_000,
        ge=3,
        description="Most samples in one box of a box plot or violin: quartiles sort "
        "them and a violin's density sums over them, and a JSON body of 1 MB holds "
        "about 150,000 numbers in all.",
    )
    max_chart_config_bytes: int = Field(
        32_768,
        ge=1,
        description="Largest Chart.js config (QuickChart's `c`, `chart`), in bytes of "
        "text: real ones are a few KB, and reading one is linear in its size.",
    )
    max_chart_config_depth: int = Field(
        20,
        ge=2,
        description="Deepest nesting of brackets in a Chart.js config: real ones nest "
        "about eight deep (`options.plugins.annotation.annotations.line.label.font`); "
        "the bound keeps every parse of an adversarial config to milliseconds.",
    )
    max_label_length: int = Field(
        100, ge=1, description="Longest chart label, series name or axis title, in characters."
    )
    max_gradient_stops: int = Field(
        16,
        ge=2,
        le=256,
        description="Most colours in a placeholder's `gradient`: each is a few bytes of "
        "URL and one interpolation over the image's width; 16 covers every design tool's "
        "presets.",
    )
    max_render_cost: float = Field(
        4000,
        gt=0,
        description="Most a render may be estimated to cost, in milliseconds on a 2-core "
        "reference machine (generators estimate it from size, format and data; see "
        'README, "Limits"): a 422 before any work past it, so that the dearest request '
        "allowed renders well inside `render_timeout`.",
    )
    max_body_bytes: int = Field(1_000_000, ge=1, description="Largest JSON request body, in bytes.")
    max_head_bytes: int = Field(
        48 * 1024,
        ge=1024,
        description="Largest request head (request line and headers), in bytes, for "
        "`imagegen serve`: room for the longest query string and 16 KiB of headers; "
        "longer gets 414 or 431 before it is read whole.",
    )
    head_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds `imagegen serve` waits for a request's head (line and "
        "headers) before closing the connection: a client that trickles bytes cannot "
        "hold a socket for ever.",
    )
    keep_alive_timeout: int = Field(
        5, ge=1, description="Seconds `imagegen serve` keeps an idle connection open."
    )
    max_connections: int = Field(
        1000,
        ge=1,
        description="Connections and requests `imagegen serve` handles at once per "
        "worker; past it, new requests get 503. The open-file limit is raised to the "
        "system's hard limit at start.",
    )
    cache_max_bytes: int = Field(
        128 * 2**20,
        ge=0,
        description="Render cache size per worker process, in bytes: the encoded images, "
        "the remembered request URLs (at most a quarter) and their bookkeeping, all "
        "counted; 0 turns the cache off.",
    )
    cache_control: str = Field(
        "public, max-age=31536000, immutable",
        description="Cache-Control of image responses. Images are deterministic, so the "
        "default lets browsers, CDNs and email image proxies keep them for a year. "
        "Empty: no header.",
    )
    png_compression: int = Field(
        9,
        ge=1,
        le=12,
        description="libdeflate level for palette PNGs. 9 is within about 10% of the "
        "best oxipng/zopfli size; 10-12 get within 5% but encode 1.5-2.5 times slower, "
        "so they apply only to images of at most 4 megapixels (bigger ones use 9).",
    )
    render_threads: int = Field(
        4,
        ge=1,
        description="Renders run at once in threads per worker process: those of "
        "generators that are not heavy (placeholders, QR codes), and all of them when "
        "`render_processes` is 0. More threads than cores buys little (rendering holds "
        "the GIL much of the time) and costs memory.",
    )
    inline_renders: bool = Field(
        True,
        description="Draw renders their generator calls quick (`renders_quickly`: about "
        "5 ms at most, such as a plain PNG placeholder of up to 480,000 pixels with its "
        "size as text, or a plain QR code of up to 400 px) on the event loop instead of a "
        "render thread: handing one to a thread and back cost more CPU than drawing it, "
        "and cold 600×400 placeholders went from about 240-260 to 350-440 a second on one "
        "worker. false: every render goes to a render thread or process.",
    )
    render_processes: int = Field(
        2,
        ge=0,
        description="Render processes per worker process, for heavy generators (charts): "
        "they draw without holding the server's GIL, so cached images stay fast beside "
        "them, and a render past its deadline is killed with its process, which is "
        "replaced. Started with the app (and when first needed); one per core of the "
        "2-core reference machine. 0: heavy generators render in the `render_threads`.",
    )
    render_process_memory: int = Field(
        2 * 2**30,
        ge=2**30,
        description="Address space each render process may use, in bytes (RLIMIT_AS): a "
        "render that needs more fails, and a process holding more than half of it "
        "resident after a render is replaced. An idle render process maps about 320 MB "
        "(92 MB resident); the dearest charts the defaults admit peak at 890 MB mapped, "
        "620 MB resident.",
    )
    max_renders: int = Field(
        16,
        ge=1,
        description="Renders under way at once per worker process, running or queued "
        "(for a render thread or process): past it, a new image gets 503 with "
        "Retry-After at once, before any work, instead of queueing past its time budget.",
    )
    gil_switch_interval: float = Field(
        0.001,
        gt=0,
        le=0.1,
        description="Seconds a Python thread may hold the GIL before another may run, "
        "set by `imagegen serve` (Python's default is 0.005): shorter lets the event "
        "loop answer cached images between slices of render threads.",
    )
    signing_key: SecretStr | None = Field(
        None,
        description="When set, image requests must carry a `signature` (see "
        "`imagegen sign`), so that only URLs your backend signed are rendered.",
    )
    access_log: Literal["text", "json", "off"] = Field(
        "text",
        description="One line per request on standard output from `imagegen serve` (which "
        "turns uvicorn's own access log off): `text`, `json` (JSON lines) or `off`.",
    )
    shutdown_drain: float = Field(
        0.0,
        ge=0,
        le=300,
        description="Seconds a worker goes on serving after SIGTERM with `/readyz` "
        "answering 503, so that a balancer that polls it stops sending requests before "
        "the worker stops listening: its poll interval times its failure threshold. "
        "In-flight requests then get up to `render_timeout` to finish.",
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Origins whose pages may read images with `fetch()` or draw them on a "
        "canvas (CORS), comma-separated, such as `https://app.example.com`; `*` for any. "
        "Empty: no CORS headers.",
    )
    rate_limit: float = Field(
        0.0,
        ge=0,
        description="Requests per second each client address may make per worker "
        "process, on average (a token bucket; then 429 with Retry-After). 0: no limit.",
    )
    rate_limit_burst: int = Field(
        50,
        ge=1,
        le=100_000,
        description="Requests a client may make at once before `rate_limit` applies: "
        "the token bucket's size (a page with many images loads them together).",
    )
    rate_limit_clients: int = Field(
        100_000,
        ge=1,
        le=10_000_000,
        description="Client addresses whose buckets each worker remembers (about 200 "
        "bytes each); past it, the least recently seen is forgotten (its bucket refills).",
    )
    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = Field(
        (),
        description="Addresses or networks (comma-separated, such as `127.0.0.1, "
        "10.0.0.0/8`) of the proxies in front: only a request from one of them has its "
        "client address taken from `X-Forwarded-For`, for the rate limit and the logs.",
    )
    redis_url: SecretStr | None = Field(
        None,
        description="A shared second-level render cache for many workers and machines, "
        "such as `redis://cache:6379/0` (Redis or Valkey). The in-process cache is asked "
        "first; Redis down or slow only means rendering without it.",
    )
    redis_ttl: int = Field(
        86_400,
        ge=1,
        le=365 * 86_400,
        description="Seconds an image stays in Redis after it was stored.",
    )
    redis_max_image_bytes: int = Field(
        4 * 2**20,
        ge=1,
        le=512 * 2**20,
        description="Largest image stored in Redis, in bytes; bigger ones stay per worker. "
        "Bound Redis as a whole with its own `maxmemory` and `allkeys-lru`.",
    )
    redis_timeout: float = Field(
        0.25,
        gt=0,
        le=10,
        description="Seconds one Redis command may take before the server goes on "
        "without Redis (and leaves it alone for a second).",
    )
    redis_lock_seconds: float = Field(
        5.0,
        gt=0,
        le=60,
        description="How long one worker may hold the lock that makes concurrent misses "
        "for one image render it once across instances; others wait for its result at "
        "most this long (less if the lock is released), then render it themselves.",
    )
    error_images: Literal["off", "on"] = Field(
        "off",
        description="`on`: errors of our own image routes (`/placeholder`, `/qr`, `/chart` "
        "and plugins') are drawn as an image, as on the compatibility routes (always), "
        "for clients that prefer one: an `Accept` that names no JSON type (an `<img>`'s), "
        "or `errors=image`. `off`: they are JSON.",
    )
    root_placeholders: Literal["placehold.co", "dummyimage.com", "fakeimg.pl", "off"] = Field(
        "placehold.co",
        description="Whose defaults (format, colours, font, text) placeholder URLs at the "
        "root take, such as `/600x400` or `/300/09f/fff.png`: placehold.co's, "
        "dummyimage.com's or fakeimg.pl's. Each service's URL syntax is read whichever is "
        "chosen. `off`: no placeholders at the root.",
    )
    fonts_dir: Path = Field(
        default_factory=bundled_fonts_dir,
        description="Folder of font families, one sub-folder each with a .ttf and its licence.",
    )
    logos_dir: Path | None = Field(
        None,
        description="Folder of logos a QR code may show in its centre, by name: "
        "`logo=acme` draws `acme.png` (or .jpg, .jpeg, .webp, .gif) from it. A name is "
        "looked up among the folder's files, never used as a path. None: no named logos.",
    )
    max_logo_bytes: int = Field(
        512_000,
        ge=1,
        description="Largest logo file, or decoded `data:` URI, in bytes: a logo is drawn "
        "a few hundred pixels wide at most, and this is a generous PNG of that.",
    )
    max_logo_pixels: int = Field(
        4_000_000,
        ge=1,
        description="Most pixels a logo may have (width × height), checked from its header "
        "before it is decoded: decoding takes 4 bytes a pixel, so a small file that "
        "claims a huge image (a decompression bomb) is refused unread.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        return _comma_list(value)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_networks(cls, value: object) -> object:
        return tuple(ip_network(item, strict=False) for item in _comma_list(value))

    @classmethod
    def defaults(cls) -> "Settings":
        """The settings with no environment applied: what the committed OpenAPI spec shows."""
        return cls.model_construct()


def _comma_list(value: object) -> object:
    """`a, b` from an environment variable as ("a", "b"); lists and tuples as they are."""
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value
