"""The `newsclean` command: serve the API, or clean files from the shell.

    newsclean serve [--bind HOST:PORT] [--workers N]
    newsclean clean FILE|- [--json | --diff] [--title TITLE] [--charset CHARSET]
    newsclean clean --jsonl IN OUT
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from cleaning import CleaningError, clean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsclean", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="start the HTTP service under gunicorn")
    serve.add_argument("--bind", help="HOST:PORT to listen on (default NEWSCLEAN_BIND or "
                                      "127.0.0.1:8000)")
    serve.add_argument("--workers", type=int, help="worker processes (default WEB_CONCURRENCY "
                                                   "or 2)")

    cl = commands.add_parser("clean", help="clean one file, or a JSONL file of articles")
    cl.add_argument("source", nargs="?", help="a file, or - for standard input")
    cl.add_argument("--jsonl", nargs=2, metavar=("IN", "OUT"),
                    help="clean each {\"text\": ...} line of IN into OUT, with a progress bar")
    out = cl.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the full result as JSON")
    out.add_argument("--diff", action="store_true", help="print the diff only")
    cl.add_argument("--title", help="the headline, if known")
    cl.add_argument("--charset", help="the charset of the file, if known")

    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve_command(args.bind, args.workers)
    if args.jsonl:
        return clean_jsonl(Path(args.jsonl[0]), Path(args.jsonl[1]))
    if not args.source:
        parser.error("clean needs a FILE, - for standard input, or --jsonl IN OUT")
    return clean_file(args.source, as_json=args.json, diff=args.diff, title=args.title,
                      charset=args.charset)


def serve_command(bind: str | None, workers: int | None) -> int:
    """Replace this process with gunicorn running the committed configuration."""
    if bind:
        os.environ["NEWSCLEAN_BIND"] = bind
    if workers:
        os.environ["WEB_CONCURRENCY"] = str(workers)
    # This interpreter's own gunicorn (another on PATH may belong to another environment),
    # run from the folder that holds this package: gunicorn puts its working folder first
    # on the import path, where a "service.py" of the caller's would shadow ours.
    own = Path(sys.executable).with_name("gunicorn")
    gunicorn = str(own) if own.exists() else shutil.which("gunicorn") or "gunicorn"
    os.chdir(Path(__file__).resolve().parent.parent)
    argv = [gunicorn, "--config", "python:service.gunicorn_conf", "service:create_app()"]
    os.execv(gunicorn, argv)
    return 0  # not reached


def clean_file(source: str, *, as_json: bool, diff: bool, title: str | None,
               charset: str | None) -> int:
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        print(f"newsclean: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        result = clean(data, title=title, charset=charset)
    except CleaningError as exc:
        print(f"newsclean: {exc}", file=sys.stderr)
        return 1
    if as_json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif diff:
        sys.stdout.write(result.diff)
    else:
        sys.stdout.write(result.text)
    return 0


def clean_jsonl(source: Path, target: Path) -> int:
    from tqdm import tqdm

    failures = 0
    try:
        with source.open("rb") as counted:
            total = sum(1 for _ in counted)
    except OSError as exc:
        print(f"newsclean: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    with source.open("rb") as lines, target.open("w", encoding="utf-8") as out:
        for n, raw in enumerate(tqdm(lines, total=total, unit="article", file=sys.stderr), 1):
            if not raw.strip():
                continue
            record: dict[str, Any]
            try:
                item = json.loads(raw.decode("utf-8"))  # one bad line is that line's error
                result = clean(item["text"], title=item.get("title"))
                record = {"id": item.get("id"), **result.to_dict()}
            except (ValueError, KeyError, TypeError, CleaningError) as exc:
                failures += 1
                record = {"line": n, "error": f"{type(exc).__name__}: {exc}"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if failures:
        print(f"newsclean: {failures} line(s) could not be cleaned; see their error records",
              file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
