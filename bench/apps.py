"""Reference ASGI apps the benchmarks compare imagegen against.

`IMAGEGEN_BENCH_BODY` names a file whose bytes every app serves, with the media type
in `IMAGEGEN_BENCH_MEDIA_TYPE`; `IMAGEGEN_BENCH_HEADERS`, a JSON object, adds headers
to the bare app's response so that it sends exactly what imagegen sends.
"""

import io
import json
import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response, StreamingResponse

BODY = Path(os.environ.get("IMAGEGEN_BENCH_BODY", "/dev/null")).read_bytes()
MEDIA_TYPE = os.environ.get("IMAGEGEN_BENCH_MEDIA_TYPE", "image/png")
_HEADERS = [
    (b"content-type", MEDIA_TYPE.encode()),
    (b"content-length", str(len(BODY)).encode()),
    *(
        (name.encode(), value.encode())
        for name, value in json.loads(os.environ.get("IMAGEGEN_BENCH_HEADERS", "{}")).items()
    ),
]


async def bare(scope: dict, receive: object, send: object) -> None:
    """The least an ASGI app can do to answer with fixed bytes and headers."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": BODY})


responses = FastAPI()


@responses.get("/response")
def whole() -> Response:
    """The image as one Response: Content-Length, one body message."""
    return Response(BODY, media_type=MEDIA_TYPE)


@responses.get("/streaming")
def streaming() -> StreamingResponse:
    """The anti-pattern: an in-memory buffer streamed, which turns chunked."""
    return StreamingResponse(io.BytesIO(BODY), media_type=MEDIA_TYPE)
