"""Which generators exist: the built-in ones and those of installed plugin packages."""

import re
from importlib.metadata import entry_points

from imagegen.generators.chart import Chart
from imagegen.generators.placeholder import Placeholder
from imagegen.generators.qr import QR
from imagegen.plugin import Generator

ENTRY_POINT_GROUP = "imagegen.generators"
BUILTIN_GENERATORS: tuple[type[Generator], ...] = (Placeholder, QR, Chart)
_NAME = re.compile(r"[a-z][a-z0-9-]*")


class PluginError(RuntimeError):
    """A plugin that cannot be registered. Raised at start-up, never per request."""


def discover_generators() -> list[type[Generator]]:
    """The built-in generators followed by those of the `imagegen.generators` entry points."""
    found: dict[str, type[Generator]] = {}
    plugins = [(ep.value, ep.load()) for ep in entry_points(group=ENTRY_POINT_GROUP)]
    for origin, cls in [(c.__module__, c) for c in BUILTIN_GENERATORS] + plugins:
        if not (isinstance(cls, type) and issubclass(cls, Generator)):
            raise PluginError(f"{origin} is not an imagegen.plugin.Generator subclass")
        if not _NAME.fullmatch(getattr(cls, "name", "")):
            raise PluginError(f"{origin}: name must match {_NAME.pattern}")
        if found.get(cls.name, cls) is not cls:
            raise PluginError(f"{origin}: a generator named {cls.name!r} exists already")
        found[cls.name] = cls
    return list(found.values())
