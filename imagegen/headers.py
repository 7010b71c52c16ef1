"""Reading request headers the same way in every layer.

A header that is a comma-separated list (Accept, If-None-Match) may arrive as several
fields; RFC 9110 §5.3 makes them one list, joined in order. Every layer that reads one
(the cache front, negotiation, conditional requests) must see the same value, or a
request with two Accept fields could be cached under one and negotiated by the other.
"""

from starlette.types import Scope


def list_header(scope: Scope, name: bytes) -> bytes | None:
    """The fields named `name` (lower case) of the request, joined by `, `; None if absent."""
    values = [value for key, value in scope["headers"] if key == name]
    return b", ".join(values) if values else None


def list_header_text(scope: Scope, name: bytes) -> str | None:
    """`list_header` as text. Header bytes are Latin-1 by definition (RFC 9110 §5.5), so
    this never fails, whatever a client sends."""
    value = list_header(scope, name)
    return None if value is None else value.decode("latin-1")
