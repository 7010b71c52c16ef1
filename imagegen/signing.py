"""Optional URL signing for public deployments, as thumbor and imgproxy do it.

With a key configured (`IMAGEGEN_SIGNING_KEY`), every image request must carry
`signature=` in its query: the HMAC-SHA256 of its method (`GET`, which HEAD shares, or
`POST`), path and query (without the signature itself), and for POST of its body too, in
unpadded URL-safe base64. Anyone can then embed the signed URLs a trusted backend hands
out, but no one can make the server render anything else. `imagegen sign URL` makes
signed URLs.

The output format is bound too: a signed URL names its format by its extension or
`format=`, and one that names none is served in the generator's first format (PNG) —
`Accept` is not consulted, so one signature is one image.
"""

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit, urlunsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imagegen.errors import ApiError, error_response
from imagegen.guards import read_body

SIGNATURE_PARAM = "signature"
_PREFIX = SIGNATURE_PARAM.encode() + b"="


def signed_method(method: str) -> bytes:
    """The method a signature binds: HEAD is signed as GET, whose headers it asks for."""
    return b"GET" if method in ("GET", "HEAD") else method.encode()


def compute_signature(
    key: bytes, method: bytes, path: bytes, query: bytes, body: bytes = b""
) -> str:
    """The signature of a request: its `method` (see `signed_method`), `path` as sent
    (percent-encoded), `query` without the signature parameter, and the body of a POST."""
    message = method + b" " + path + b"?" + query + (b"\n" + body if body else b"")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def split_signature(query: bytes) -> tuple[bytes, bytes | None]:
    """(the query without `signature=`, the signature), keeping the other parameters'
    order and spelling exactly as sent."""
    kept, signatures = [], []
    for part in query.split(b"&") if query else []:
        (signatures if part.startswith(_PREFIX) else kept).append(part)
    signature = signatures[0][len(_PREFIX) :] if len(signatures) == 1 else None
    return b"&".join(kept), signature


def sign_url(url: str, key: bytes, body: bytes | None = None) -> str:
    """`url` with a `signature` parameter appended (any old one removed): for `GET`
    (and HEAD), or for a `POST` of `body` when one is given."""
    parts = urlsplit(url)
    query, _ = split_signature(parts.query.encode())
    method = b"GET" if body is None else b"POST"
    signature = compute_signature(key, method, (parts.path or "/").encode(), query, body or b"")
    signed_query = (query.decode() + "&" if query else "") + f"{SIGNATURE_PARAM}={signature}"
    return urlunsplit(parts._replace(query=signed_query))


class SignatureMiddleware:
    """Answers 403 to image requests whose signature is missing or wrong."""

    def __init__(
        self,
        app: ASGIApp,
        key: bytes,
        generator_names: Iterable[str],
        max_body: int,
        also_protects: Callable[[str], bool] = lambda path: False,
    ) -> None:
        self.app = app
        self.key = key
        self.prefixes = tuple(f"/{name}" for name in generator_names)
        self.max_body = max_body
        self.also_protects = also_protects

    def _protects(self, path: str) -> bool:
        return any(
            path == prefix or path.startswith((prefix + "/", prefix + "."))
            for prefix in self.prefixes
        ) or self.also_protects(path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._protects(scope["path"]):
            await self.app(scope, receive, send)
            return
        query, signature = split_signature(scope["query_string"])
        body, replay = b"", receive
        if scope["method"] == "POST":
            declared = Headers(scope=scope).get("content-length")
            try:
                body = await read_body(declared, receive, self.max_body)
            except ApiError as exc:
                response = error_response(exc.body.status, exc.body.error, exc.body.message)
                await response(scope, receive, send)
                return
            replay = _replaying(body, receive)
        path = scope.get("raw_path") or scope["path"].encode()
        expected = compute_signature(self.key, signed_method(scope["method"]), path, query, body)
        if signature is None or not hmac.compare_digest(signature, expected.encode()):
            response = error_response(
                403,
                "bad_signature",
                "This server only renders signed URLs: the `signature` parameter is "
                "missing or does not match the request.",
            )
            await response(scope, receive, send)
            return
        await self.app(scope, replay, send)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the application, then waits on the
    connection's own `receive`, which tells when the client has gone."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
