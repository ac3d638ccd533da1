"""The `newsclean` command: serve the API, or clean files from the shell.

    newsclean --version
    newsclean serve [--bind HOST:PORT] [--workers N]
    newsclean clean FILE|- [--json | --diff] [--title TITLE] [--charset CHARSET] [--option N=V]
    newsclean clean --jsonl IN OUT
    newsclean backfill IN OUT [--workers N] [--ray ADDRESS | --url URL] [--text-field F] ...
    newsclean fingerprint IN OUT [--workers N]
    newsclean index load FILE --namespace NS
    newsclean index migrate --namespace NS [--delete-old]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from cleaning import CleanConfig, CleaningError, ConfigError, clean
from newsclean._version import __version__
from newsclean.backfill import Fields, backfill

OPTIONS_HELP = ("a cleaning option, as POST /clean takes it in 'options' (NAME=VALUE, the "
                "value in JSON: min_words=20, remove_contained=false, candidate_search=exact;"
                " repeat it for several); the options are CleanConfig's fields, listed in "
                "GET /openapi.json (schema CleanOptions)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsclean", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"newsclean {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="start the HTTP service under gunicorn")
    serve.add_argument("--bind", help="HOST:PORT to listen on (default NEWSCLEAN_BIND or "
                                      "127.0.0.1:8000)")
    serve.add_argument("--workers", type=int, help="worker processes (default WEB_CONCURRENCY "
                                                   "or 2)")

    cl = commands.add_parser("clean", help="clean one file, or a JSONL file of articles")
    cl.add_argument("source", nargs="?", help="a file, or - for standard input")
    cl.add_argument("--jsonl", nargs=2, metavar=("IN", "OUT"),
                    help="clean each {\"text\": ...} line of IN into OUT, with a progress bar "
                         "(the same as: backfill IN OUT)")
    out = cl.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the full result as JSON")
    out.add_argument("--diff", action="store_true", help="print the diff only")
    cl.add_argument("--title", help="the headline, if known")
    cl.add_argument("--charset", help="the charset of the file, if known")
    add_option_arguments(cl)

    bf = commands.add_parser("backfill", help="clean an archive (JSONL or Parquet) into flat "
                                              "rows, resumably, on processes or on Ray")
    bf.add_argument("source", metavar="IN", type=Path, help="JSONL file, or Parquet file or "
                                                            "folder")
    bf.add_argument("target", metavar="OUT", type=Path,
                    help="JSONL file, or a folder of Parquet parts if it ends in .parquet; "
                         "what it holds already is kept and the run takes up after it")
    bf.add_argument("--workers", type=int, default=1, help="processes (or CPUs of a local Ray)")
    bf.add_argument("--ray", metavar="ADDRESS",
                    help="clean on Ray: 'local' starts one here, 'auto' joins this machine's "
                         "cluster, or a Ray address (ray://HOST:10001)")
    bf.add_argument("--url", help="clean on the newsclean service at URL (through "
                                  "newsclean_client; NEWSCLEAN_API_KEY is its key), not here; "
                                  "--workers is then the batches in flight")
    bf.add_argument("--no-progress", action="store_true", help="no progress bar")
    bf.add_argument("--keep-fields", default="all", metavar="all|none|F,F,...",
                    help="which input fields the output rows keep beside the cleaned "
                         "columns (default: all, but the text and the id, which the text "
                         "and id columns carry; a field named like an output column is "
                         "written as input_<name>)")
    add_option_arguments(bf)

    fp = commands.add_parser("fingerprint", help="write the index's fingerprints of an "
                                                 "archive, as the service computes them")
    fp.add_argument("source", metavar="IN", type=Path)
    fp.add_argument("target", metavar="OUT", type=Path, help="JSONL: id, size, signature")
    fp.add_argument("--workers", type=int, default=1)

    ix = commands.add_parser("index", help="the cross-article index in bulk (REDIS_URL, "
                                           "NEWSCLEAN_INDEX_* as the service reads them)")
    ix_commands = ix.add_subparsers(dest="index_command", required=True)
    ld = ix_commands.add_parser("load", help="add an archive's articles (or the output of "
                                             "newsclean fingerprint) to a namespace")
    ld.add_argument("source", metavar="FILE", type=Path)
    ld.add_argument("--namespace", required=True)
    mg = ix_commands.add_parser("migrate", help="move a namespace from the index layout "
                                                "before 0.2 (datasketch's) into this one")
    mg.add_argument("--namespace", required=True)
    mg.add_argument("--delete-old", action="store_true", help="delete the old keys after")
    for sub in (cl, bf, fp, ld):
        where = " (of --jsonl IN)" if sub is cl else ""
        sub.add_argument("--text-field", default="text",
                         help=f"the field that holds the article{where} (default: text)")
        sub.add_argument("--title-field", default="title",
                         help=f"the field that holds its headline{where}, '' for none "
                              "(default: title)")
        sub.add_argument("--id-field", default="id",
                         help=f"the field that holds its id{where}, '' for none (default: "
                              "id)")

    args = parser.parse_args(argv)
    config = None
    if args.command in ("clean", "backfill"):
        try:
            config = config_of(args.option, args.options)
        except ConfigError as exc:
            commands.choices[args.command].error(f"bad option: {exc}")
    if args.command == "serve":
        return serve_command(args.bind, args.workers)
    if args.command in ("backfill", "fingerprint", "index") and \
            getattr(args, "workers", 1) < 1:
        parser.error("--workers must be at least 1")
    if args.command == "index":
        return index_command(args, parser)
    if args.command == "fingerprint":
        from newsclean.bulk import write_fingerprints

        fields = Fields(args.text_field, args.title_field or None, args.id_field or None)
        written = write_fingerprints(args.source, args.target, fields, args.workers)
        print(f"newsclean: {written} fingerprint row(s) written", file=sys.stderr)
        return 0
    if args.command == "backfill":
        if args.url and args.ray:
            bf.error("--url and --ray: the articles are cleaned by one or the other")
        fields = Fields(args.text_field, args.title_field or None, args.id_field or None,
                        keep_fields(args.keep_fields))
        return backfill_command(args.source, args.target, fields=fields,
                                workers=args.workers, ray_address=args.ray,
                                progress=not args.no_progress, config=config, url=args.url)
    if args.jsonl:
        fields = Fields(args.text_field, args.title_field or None, args.id_field or None)
        return backfill_command(Path(args.jsonl[0]), Path(args.jsonl[1]), fields=fields,
                                config=config)
    if not args.source:
        parser.error("clean needs a FILE, - for standard input, or --jsonl IN OUT")
    return clean_file(args.source, as_json=args.json, diff=args.diff, title=args.title,
                      charset=args.charset, config=config)


def add_option_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                     help=OPTIONS_HELP)
    sub.add_argument("--options", metavar="JSON",
                     help="the cleaning options as one JSON object, as POST /clean takes "
                          "them ('{\"min_words\": 20}'); --option NAME=VALUE wins")


def config_of(pairs: list[str], options_json: str | None) -> CleanConfig | None:
    """The config that `--options` and `--option` ask for (None: the defaults), checked by
    `CleanConfig.from_options` as the service checks the options of POST /clean.

    >>> config_of(["min_words=20", "candidate_search=exact"], None).min_words
    20
    """
    options: dict[str, Any] = {}
    if options_json is not None:
        try:
            given = json.loads(options_json)
        except ValueError as exc:
            raise ConfigError(f"--options is not JSON: {exc}") from None
        if not isinstance(given, dict):
            raise ConfigError("--options must be a JSON object, as in '{\"min_words\": 20}'")
        options.update(given)
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--option takes NAME=VALUE, got {pair!r}")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw  # a bare word is a string: candidate_search=exact
        options[name.strip()] = value
    return CleanConfig.from_options(options) if options else None


def keep_fields(choice: str) -> tuple[str, ...] | None:
    """`--keep-fields`: None for all, () for none, else the names listed."""
    if choice == "all":
        return None
    if choice == "none":
        return ()
    return tuple(name.strip() for name in choice.split(",") if name.strip())


#: What `newsclean serve` needs beyond the library: the `server` extra.
SERVER_MODULES = ("flask", "gunicorn", "prometheus_client", "redis")


def serve_command(bind: str | None, workers: int | None) -> int:
    """Replace this process with gunicorn running the committed configuration."""
    missing = [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        print(f"newsclean: serve needs the server, which is not installed (missing: "
              f"{', '.join(missing)}): pip install 'newsclean[server]'", file=sys.stderr)
        return 2
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
               charset: str | None, config: CleanConfig | None = None) -> int:
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        print(f"newsclean: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        result = clean(data, config, title=title, charset=charset)
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


def index_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from newsclean.bulk import ForeignFingerprints, load, migrate
    from newsindex.index import MAX_ID_LENGTH, NAMESPACE_RE
    from service.settings import Settings, SettingsError

    if not NAMESPACE_RE.fullmatch(args.namespace):
        parser.error("a namespace is 1-64 letters, digits, or . _ : -")
    if importlib.util.find_spec("redis") is None:
        print("newsclean: the index lives in Redis, whose client is not installed: pip "
              "install 'newsclean[server]'", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        parser.error(str(exc))
    if args.index_command == "migrate" and not settings.redis_url:
        parser.error("the old index lived in Redis: set REDIS_URL (as for the service)")
    if args.index_command == "migrate":
        moved = migrate(args.namespace, settings, delete_old=args.delete_old)
        print(f"newsclean: {moved} article(s) moved into the new layout", file=sys.stderr)
        return 0
    fields = Fields(args.text_field, args.title_field or None, args.id_field or None)
    try:
        added, skipped, long_ids = load(args.source, args.namespace, settings, fields)
    except ForeignFingerprints as exc:
        print(f"newsclean: {exc}", file=sys.stderr)
        return 1
    print(f"newsclean: {added} article(s) added to {args.namespace}, {skipped} skipped (no "
          "id, too short to fingerprint, or older than the retention window; "
          f"{long_ids} with an id longer than {MAX_ID_LENGTH} characters, which the "
          "service refuses)", file=sys.stderr)
    return 0


def backfill_command(source: Path, target: Path, *, fields: Fields | None = None,
                     workers: int = 1, ray_address: str | None = None,
                     progress: bool = True, config: CleanConfig | None = None,
                     url: str | None = None) -> int:
    if not source.exists():
        print(f"newsclean: cannot read {source}: no such file", file=sys.stderr)
        return 2
    try:
        written, errors = backfill(source, target, fields=fields or Fields(), workers=workers,
                                   ray_address=ray_address, progress=progress,
                                   config=config, url=url)
    except OSError as exc:
        print(f"newsclean: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return 2
    except Exception as exc:  # the client's errors, when --url is given
        if url is None or not _remote_error(exc):
            raise
        print(f"newsclean: the service at {url}: {exc} (what was written is kept: run the "
              "same command again to go on)", file=sys.stderr)
        return 1
    if errors:
        print(f"newsclean: {errors} of {written} record(s) could not be cleaned; their "
              "error column says why", file=sys.stderr)
    return 1 if errors else 0


def _remote_error(exc: Exception) -> bool:
    from newsclean.remote import ClientMissing

    if isinstance(exc, ClientMissing):
        return True
    try:
        from newsclean_client import NewscleanError
    except ImportError:
        return False
    return isinstance(exc, NewscleanError)


if __name__ == "__main__":
    sys.exit(main())
