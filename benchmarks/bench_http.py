#!/usr/bin/env python3
"""Load benchmark: newsclean under gunicorn on loopback, driven by wrk.

    python benchmarks/bench_http.py [--workers 2] [--duration 10] [--report FILE]

Starts the real service (`newsclean serve`) on a free loopback port, then measures with wrk
(Debian package `wrk`) requests per second and p50/p99 latency at 1, 8 and 32 concurrent
connections for: real ~5 KB articles from ../shared/corpus posted to /clean (rotating over
many articles, body pasted twice as scraped text often is, full JSON answer with the diff),
the same without the diff, and GET /healthz, the HTTP floor. Every request is loopback
only, bounded by --duration, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
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

from tests.server import BIN, running  # noqa: E402


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


def lua_for(texts: list[str], path: str) -> str:
    bodies = ",\n".join("[==[" + json.dumps({"text": t}) + "]==]" for t in texts)
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
    return {"rps": rps, "p50": pct("50"), "p99": pct("99"),
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
    full, nodiff = tmp / "full.lua", tmp / "nodiff.lua"
    full.write_text(lua_for(texts, "/clean"))
    nodiff.write_text(lua_for(texts, "/clean?diff=false"))
    rows = []
    env = {"WEB_CONCURRENCY": str(args.workers), "NEWSCLEAN_LOG_LEVEL": "warning"}
    with running([str(BIN / "newsclean"), "serve"], env) as base:
        wrk(base + "/healthz", 8, 2, None)  # warm up
        wrk(base + "/clean", 8, 2, str(full))
        for label, url, script in (("GET /healthz (HTTP floor)", "/healthz", None),
                                   ("POST /clean, 5 KB, full answer", "/clean", str(full)),
                                   ("POST /clean, 5 KB, diff=false", "/clean", str(nodiff))):
            for conns in (1, 8, 32):
                r = wrk(base + url, conns, args.duration, script)
                rows.append(f"| {label} | {conns} | {r['rps']:.0f} | {r['p50']:.2f} | "
                            f"{r['p99']:.2f} | {r['non2xx']:.0f} |")
    sizes = sorted(len(t.encode()) for t in texts)
    report = "\n".join([
        "# HTTP benchmark", "",
        f"gunicorn, {args.workers} sync workers, on loopback; wrk for {args.duration} s per row; "
        f"{len(texts)} real articles of {sizes[0]}-{sizes[-1]} bytes, rotated. Access log on.",
        "", "| request | connections | requests/s | p50 ms | p99 ms | non-2xx |",
        "|---|---|---|---|---|---|", *rows, ""])
    return emit(report, args.report)


if __name__ == "__main__":
    sys.exit(main())
