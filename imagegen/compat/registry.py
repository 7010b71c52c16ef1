"""Which compatibility grammars exist: the built-in ones and those of plugin packages."""

from importlib.metadata import entry_points

from imagegen.compat import Grammar
from imagegen.compat.google_charts import GoogleImageCharts
from imagegen.compat.placeholder_urls import PlaceholderURLs
from imagegen.compat.qrserver import QRServer
from imagegen.compat.quickchart_chart import ImageChartsChartJs, QuickChartChart
from imagegen.compat.quickchart_qr import QuickChartQR
from imagegen.registry import PluginError
from imagegen.settings import Settings

ENTRY_POINT_GROUP = "imagegen.grammars"
BUILTIN_GRAMMARS: tuple[type[Grammar], ...] = (
    QuickChartQR,
    QRServer,
    QuickChartChart,
    ImageChartsChartJs,
    GoogleImageCharts,
    PlaceholderURLs,
)


def create_grammars(settings: Settings) -> list[Grammar]:
    """The built-in grammars followed by those of the `imagegen.grammars` entry points."""
    plugins = [(ep.value, ep.load()) for ep in entry_points(group=ENTRY_POINT_GROUP)]
    grammars = []
    for origin, cls in [(c.__module__, c) for c in BUILTIN_GRAMMARS] + plugins:
        if not (isinstance(cls, type) and issubclass(cls, Grammar)):
            raise PluginError(f"{origin} is not an imagegen.compat.Grammar subclass")
        grammars.append(cls(settings))
    return grammars
