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


def release(figure: Figure) -> None:
    """Free what `figure` draws now, not at the next full garbage collection: every
    artist its axes hold is removed (which unlinks it from them and the figure), then
    the axes, then the figure's own texts. What `Figure.clear` frees, without the
    `Axes.clear` it calls, which builds each axis' ticks again for nothing: 0.4 ms for a
    600×400 bar chart where `clear` took 8 (`bench/charts.py`, "release"). The axes'
    own parts (spines, background, titles) are left to the garbage collector: a few
    objects, whatever the data, without the renderer their texts keep."""
    left = list(figure.texts)
    for ax in list(figure.axes):
        for artist in ax.get_children():
            try:
                artist.remove()
            except NotImplementedError:  # a part of the axes itself
                left.append(artist)
        figure.delaxes(ax)
    figure.clear()
    for artist in left:
        # A drawn text keeps the renderer that drew it, and with it the whole pixel
        # buffer (64 MB at 4000×4000), until the collector frees the text.
        if getattr(artist, "_renderer", None) is not None:
            artist._renderer = None


def to_vector(figure: Figure, fmt: ImageFormat) -> bytes:
    """`figure` as SVG or PDF, by matplotlib's own vector backends."""
    FigureCanvasAgg(figure)  # any canvas: savefig switches to the one for `fmt`
    out = io.BytesIO()
    figure.savefig(out, format=fmt.name, metadata=_METADATA[fmt])
    return out.getvalue()
