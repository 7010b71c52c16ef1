"""`imagegen serve | render | openapi | docs | sign`."""

import argparse
import sys
from pathlib import Path

from imagegen.render_command import add_render_command
from imagegen.rendering import create_generators
from imagegen.settings import Settings

DEFAULT_SPEC_PATH = Path("openapi/openapi.json")
DEFAULT_README_PATH = Path("README.md")
DEFAULT_GALLERY_PATH = Path("docs/gallery")


def _serve(args: argparse.Namespace) -> int:
    from imagegen.server import serve

    settings = Settings().model_copy(update={"host": args.host, "port": args.port})
    serve(settings, args.workers, args.log_level)
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from imagegen.app import create_app
    from imagegen.openapi import render_spec

    spec = render_spec(create_app(Settings.defaults()))
    path: Path = args.output
    if args.check:
        if not path.is_file() or path.read_text(encoding="utf-8") != spec:
            print(f"{path} is out of date: run `imagegen openapi`", file=sys.stderr)
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(spec, encoding="utf-8")
    print(f"wrote {path}")
    return 0


def _sign(args: argparse.Namespace) -> int:
    from imagegen.signing import sign_url

    key = Settings().signing_key
    if key is None:
        print("set IMAGEGEN_SIGNING_KEY to the server's key first", file=sys.stderr)
        return 2
    body = args.body.read_bytes() if args.body else None
    print(sign_url(args.url, key.get_secret_value().encode(), body))
    return 0


def _docs(args: argparse.Namespace) -> int:
    from imagegen.app import create_app
    from imagegen.readme import update_readme

    app = create_app(Settings.defaults())
    try:
        changed = update_readme(
            args.readme, args.gallery, app.state.generators, app.openapi(), args.check
        )
    except (OSError, ValueError) as exc:
        print(f"imagegen docs: {args.readme}: {exc}", file=sys.stderr)
        return 1
    if args.check:
        if changed:
            print(f"out of date: {', '.join(changed)}: run `imagegen docs`", file=sys.stderr)
        return 1 if changed else 0
    for path in changed:
        print(f"updated {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per task."""
    settings = Settings()
    parser = argparse.ArgumentParser(prog="imagegen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default=settings.host, help="default: %(default)s")
    serve.add_argument("--port", type=int, default=settings.port, help="default: %(default)s")
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (default: %(default)s)"
    )
    serve.add_argument("--log-level", default="info", help="default: %(default)s")
    serve.set_defaults(run=_serve)

    # Renders obey the same IMAGEGEN_* limits as the server.
    add_render_command(commands, list(create_generators(settings).values()))

    openapi = commands.add_parser(
        "openapi", help="write the OpenAPI spec (default settings) to a file"
    )
    openapi.add_argument("-o", "--output", type=Path, default=DEFAULT_SPEC_PATH)
    openapi.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs from the app's spec"
    )
    openapi.set_defaults(run=_openapi)

    docs = commands.add_parser(
        "docs",
        help="regenerate the README's gallery (pictures of each generator's examples) and "
        "its table of routes and parameters",
    )
    docs.add_argument("--readme", type=Path, default=DEFAULT_README_PATH)
    docs.add_argument(
        "--gallery",
        type=Path,
        default=DEFAULT_GALLERY_PATH,
        help="folder of the pictures, relative to the README's (default: %(default)s)",
    )
    docs.add_argument(
        "--check", action="store_true", help="exit 1 if the README or a picture is out of date"
    )
    docs.set_defaults(run=_docs)

    sign = commands.add_parser(
        "sign", help="sign an image URL with IMAGEGEN_SIGNING_KEY (for servers that require it)"
    )
    sign.add_argument("url", help="the URL or path to sign, e.g. '/qr.png?data=hi'")
    sign.add_argument("--body", type=Path, help="for POST: the JSON body file to sign too")
    sign.set_defaults(run=_sign)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `imagegen` console script."""
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
