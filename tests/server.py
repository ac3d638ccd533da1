"""Run the real gunicorn on a free loopback port for a test, and talk to it over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: The longest a test waits for a server (gunicorn, Redis, Prometheus) to become ready: a
#: ceiling, not a wait (each returns as soon as its server answers), generous because a
#: loaded 2-core CI machine took more than 30 s to start gunicorn.
START_CEILING = 180.0


def log_path(port: int) -> Path:
    """Where `running` writes the output of the server on `port`."""
    return ROOT / ".pytest_cache" / f"server-{port}.log"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(argv: Sequence[str], env: Mapping[str, str] | None = None, *,
            port: int | None = None, cwd: Path = ROOT, json_log: bool = True) -> Iterator[str]:
    """Start `argv` (a server on `port`), wait until /healthz answers, yield its base URL.

    When it has stopped, every line it wrote must be one JSON object (`json_log`; the
    service's logs are, whatever its clients sent): so every end-to-end test checks the
    logs of its own run too."""
    port = port or free_port()
    full_env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
                "NEWSCLEAN_BIND": f"127.0.0.1:{port}"}
    full_env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each server its own, unless given
    full_env.update(env or {})
    log = log_path(port)
    log.parent.mkdir(exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(list(argv), cwd=cwd, env=full_env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_CEILING
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
                try:
                    if request("GET", base + "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    if json_log:
        bad = not_json_lines(log)
        assert not bad, f"{len(bad)} log lines of {argv[0]} are not JSON objects: {bad[:3]}"


def not_json_lines(log: Path) -> list[str]:
    """The lines of `log` that are not one JSON object each."""
    bad = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            if not isinstance(json.loads(line), dict):
                bad.append(line)
        except ValueError:
            bad.append(line)
    return bad


def request(method: str, url: str, body: bytes | None = None,
            headers: Mapping[str, str] | None = None,
            timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one HTTP request; error statuses are returned, not raised."""
    req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def post_json(url: str, payload: Any, timeout: float = 30) -> tuple[int, Any]:
    status, _, body = request("POST", url, json.dumps(payload).encode(),
                              {"Content-Type": "application/json"}, timeout)
    return status, json.loads(body)
