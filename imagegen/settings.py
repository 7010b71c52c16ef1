"""Limits and defaults, each overridable by an ``IMAGEGEN_*`` environment variable.

Every limit exists so that one request cannot take the server down: a limit on pixels
bounds the memory of one render, a limit on text bounds layout time. The defaults are
generous for real pages, emails and reports and small enough for a 2-core box.
"""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    max_label_length: int = Field(
        100, ge=1, description="Longest chart label, series name or axis title, in characters."
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
    fonts_dir: Path = Field(
        default_factory=bundled_fonts_dir,
        description="Folder of font families, one sub-folder each with a .ttf and its licence.",
    )

    @classmethod
    def defaults(cls) -> "Settings":
        """The settings with no environment applied: what the committed OpenAPI spec shows."""
        return cls.model_construct()
