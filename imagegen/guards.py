"""ASGI guards that refuse a request before any work is done for it."""

from starlette.types import ASGIApp, Receive, Scope, Send

from imagegen.errors import body_too_large, error_response


async def read_body(declared_length: str | None, receive: Receive, limit: int) -> bytes:
    """The request body, whole. Raises a 413 `ApiError` as soon as it is known to be over
    `limit` bytes: from its Content-Length before reading anything, else while reading."""
    if declared_length is not None and declared_length.isdigit() and int(declared_length) > limit:
        raise body_too_large(limit)
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > limit:
            raise body_too_large(limit)
        if not message.get("more_body", False):
            return bytes(body)


class QueryLimitMiddleware:
    """Answers 414 to a query string longer than `max_bytes`, before routing: no
    parameter parsing, validation or allocation happens for it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope["query_string"]) > self.max_bytes:
            response = error_response(
                414,
                "query_too_long",
                f"The query string must be at most {self.max_bytes} bytes; "
                "send long data as a JSON body with POST where the route takes one.",
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
