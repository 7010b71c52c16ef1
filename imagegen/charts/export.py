"""From a built Figure to what the core serves: a Pillow image, or SVG or PDF bytes.

Both outputs are deterministic. SVG ids are hashes salted with the process-wide
`svg.hashsalt` rcParam (a random uuid when unset): it is set once, below, to a constant
when this module is imported, and never per request, since rcParams are shared by every
thread. Dates are left out of the SVG and PDF metadata.
"""

import io

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from imagegen.formats import PDF, SVG, ImageFormat

SVG_HASH_SALT = "imagegen"
matplotlib.rcParams["svg.hashsalt"] = SVG_HASH_SALT

_METADATA: dict[ImageFormat, dict[str, str | None]] = {
    SVG: {"Date": None, "Creator": "imagegen"},
    PDF: {"CreationDate": None, "ModDate": None, "Creator": "imagegen", "Producer": "imagegen"},
}


def to_image(figure: Figure) -> Image.Image:
    """Draw `figure` with Agg: an RGBA image of exactly its pixel size."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    size = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).copy()
    # The renderer holds the whole pixel buffer, and figure and canvas refer to each
    # other: drop it now rather than at the next full garbage collection.
    del canvas.renderer
    return image


def to_vector(figure: Figure, fmt: ImageFormat) -> bytes:
    """`figure` as SVG or PDF, by matplotlib's own vector backends."""
    FigureCanvasAgg(figure)  # any canvas: savefig switches to the one for `fmt`
    out = io.BytesIO()
    figure.savefig(out, format=fmt.name, metadata=_METADATA[fmt])
    return out.getvalue()
