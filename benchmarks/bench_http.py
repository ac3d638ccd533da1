#!/usr/bin/env python3
"""Load benchmark: newsclean under gunicorn on loopback, driven by wrk.

    python benchmarks/bench_http.py [--workers 2] [--duration 10] [--report FILE]

Starts the real service (`newsclean serve`) on a free loopback port, then measures with wrk
(Debian package `wrk`) requests per second and p50/p99 latency at 1, 8 and 32 concurrent
connections for: real ~5 KB articles from ../shared/corpus posted to /clean (rotating over
many articles, body pasted twice as scraped text often is, full JSON answer with the diff),
the same without the diff, GET /healthz, and the HTTP floor: a bare Flask app echoing 4 KB
bodies under the same gunicorn and workers (`echo_app.py`), the issue's reference, so that
/clean can be compared with it on any machine. Every request is loopback only, bounded by
--duration, and each server is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import corpus_articles, emit  # noqa: E402

from service.settings import Settings  # noqa: E402
from tests.server import BIN, free_port, log_path, running  # noqa: E402


def articles(limit: int = 50) -> list[str]:
    """Real articles of 4-6 KB, each a title and its paragraphs."""
    return corpus_articles(4000, 6000, limit)


LUA = """
local bodies = {%s}
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "%s", {["Content-Type"] = "application/json"}, bodies[i])
end
"""


def lua_for(texts: list[str], path: str, *, raw: bool = False) -> str:
    bodies = ",\n".join("[==[" + (t if raw else json.dumps({"text": t})) + "]==]"
                         for t in texts)
    return LUA % (bodies, path)


def wrk(url: str, connections: int, duration: int, script: str | None) -> dict[str, float]:
    threads = min(connections, 2)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
           "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.MULTILINE)
        value, unit = float(m.group(1)), m.group(2)  # type: ignore[union-attr]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    done = re.search(r"(\d+) requests in", out)
    return {"rps": rps, "p50": pct("50"), "p99": pct("99"),
            "requests": float(done.group(1)) if done else 0.0,
            "non2xx": float(errors.group(1)) if errors else 0.0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    texts = articles()
    tmp = Path(tempfile.mkdtemp())
    full, nodiff, echo = tmp / "full.lua", tmp / "nodiff.lua", tmp / "echo.lua"
    full.write_text(lua_for(texts, "/clean"))
    nodiff.write_text(lua_for(texts, "/clean?diff=false"))
    rows = []
    env = {"WEB_CONCURRENCY": str(args.workers), "NEWSCLEAN_LOG_LEVEL": "warning"}
    echo.write_text(lua_for([t[:4096] for t in texts], "/echo", raw=True))
    results: dict[tuple[str, int], dict[str, float]] = {}

    def measure(base: str, label: str, url: str, script: str | None) -> None:
        for conns in (1, 8, 32):
            r = results[(label, conns)] = wrk(base + url, conns, args.duration, script)
            rows.append(f"| {label} | {conns} | {r['rps']:.0f} | {r['p50']:.2f} | "
                        f"{r['p99']:.2f} | {r['non2xx']:.0f} |")

    # The floor: the same gunicorn, workers and worker class (gevent) serving a bare Flask
    # echo of 4 KB bodies, with keep-alive like the service (no other configuration, no
    # access log).
    (tmp / "plain.conf.py").write_text("")
    port = free_port()
    floor_cmd = [str(BIN / "gunicorn"), "--config", str(tmp / "plain.conf.py"),
                 "--workers", str(args.workers), "--worker-class", "gevent",
                 "--worker-connections", str(Settings().connections), "--keep-alive", "15",
                 "--bind", f"127.0.0.1:{port}",
                 "--chdir", str(ROOT / "benchmarks"), "echo_app:app"]
    with running(floor_cmd, env, port=port, json_log=False) as base:
        wrk(base + "/echo", 8, 2, str(echo))  # warm up
        measure(base, FLOOR_LABEL, "/echo", str(echo))
    service_port = free_port()
    with running([str(BIN / "newsclean"), "serve"], env, port=service_port) as base:
        wrk(base + "/healthz", 8, 2, None)  # warm up
        wrk(base + "/clean", 8, 2, str(full))
        for label, url, script in (("GET /healthz", "/healthz", None),
                                   (CLEAN_LABEL, "/clean", str(full)),
                                   ("POST /clean, 5 KB, diff=false", "/clean", str(nodiff))):
            measure(base, label, url, script)
    # The floor again, after: the machine is shared, and the higher of the two is the one
    # /clean is compared with (the comparison that flatters it least).
    with running(floor_cmd, env, port=port, json_log=False) as base:
        wrk(base + "/echo", 8, 2, str(echo))
        again = wrk(base + "/echo", 8, args.duration, str(echo))
        rows.append(f"| {FLOOR_LABEL}, again after | 8 | {again['rps']:.0f} | "
                    f"{again['p50']:.2f} | {again['p99']:.2f} | {again['non2xx']:.0f} |")
    sizes = sorted(len(t.encode()) for t in texts)
    floor = max(results[(FLOOR_LABEL, 8)]["rps"], again["rps"])
    at8 = results[(CLEAN_LABEL, 8)]
    share = at8["rps"] / floor
    report = "\n".join([
        "# HTTP benchmark", "",
        f"gunicorn, {args.workers} workers ({server_model(service_port)}), on loopback, "
        f"with wrk (keep-alive) on the same {os.cpu_count()} cores; wrk for "
        f"{args.duration} s per row; {len(texts)} real articles "
        f"of {sizes[0]}-{sizes[-1]} bytes, rotated. Access log on. The floor is a bare Flask "
        "echo under gunicorn's threaded worker, with keep-alive.", "",
        "| request | connections | requests/s | p50 ms | p99 ms | non-2xx |",
        "|---|---|---|---|---|---|", *rows, "",
        "## Against the floor", "",
        f"At 8 connections, /clean (full answer) serves **{share:.0%} of the floor** "
        f"({at8['rps']:.0f} of {floor:.0f} requests/s, the higher of the floor's two "
        f"measurements) with p99 {at8['p99']:.2f} ms. "
        f"The target, 2,000 requests/s on machines where this floor is ~7,000, is "
        f"{2000 / 7000:.0%} of the floor; on such a machine this run would serve "
        f"~{share * 7000:.0f} requests/s, with p99 ~{at8['p99'] * floor / 7000:.1f} ms "
        "(latency scaled by the same factor).", ""])
    return emit(report, args.report)


def server_model(port: int) -> str:
    """The worker class the service ran with, from its own log."""
    log = log_path(port).read_text(errors="replace")
    found = re.search(r"Using worker: ([\w.]+)", log)
    return f"worker class {found.group(1) if found else 'unknown'}"


CLEAN_LABEL = "POST /clean, 5 KB, full answer"
FLOOR_LABEL = "POST /echo, 4 KB, bare Flask (HTTP floor)"


if __name__ == "__main__":
    sys.exit(main())
