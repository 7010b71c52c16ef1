"""Image URLs from a route's path template and a set of parameters."""

from collections.abc import Mapping
from urllib.parse import quote

# Commas stay as they are in query values: lists read `data=1,2,3` (RFC 3986 allows it).
_QUERY_SAFE = ","


def image_url(route: str, params: Mapping[str, str], extension: str | None = None) -> str:
    """The path and query string of `GET route` with `params`.

    Parameters named in the template fill it; the others become the query string, in
    order, percent-encoded but for commas. `extension` (such as `png`) is added to the
    path to choose the format:

        >>> image_url("/placeholder/{width}x{height}", {"width": "60", "height": "40",
        ...           "text": "A, b"}, "png")
        '/placeholder/60x40.png?text=A,%20b'
    """
    path, query = route, {}
    for name, value in params.items():
        placeholder = "{" + name + "}"
        if placeholder in path:
            path = path.replace(placeholder, quote(value, safe=""))
        else:
            query[name] = value
    if extension:
        path += f".{extension}"
    pairs = [f"{quote(k, safe='')}={quote(v, safe=_QUERY_SAFE)}" for k, v in query.items()]
    return path + (f"?{'&'.join(pairs)}" if pairs else "")
