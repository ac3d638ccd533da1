#!/usr/bin/env python3
"""Peak memory of `clean()` per input byte, at the service's limits, to size workers.

    python benchmarks/measure_memory.py [--report benchmarks/REPORT-memory.md]

Each shape is cleaned once in a fresh process, whose peak resident memory (getrusage)
beyond what it held before is divided by the input's size. The shapes are the worst the
limits admit: NEWSCLEAN_MAX_BODY_BYTES (5 MB) of real paragraphs, of one line, and of lines
as short as NEWSCLEAN_MAX_LINES (100,000) allows.

Then what a worker really takes: `newsclean serve` with one worker on a loopback port, a
JSON body of real text just under the body limit POSTed to /clean (the answer with its
diff), and the worker's peak resident memory (VmHWM) over what it held after three small
requests; each body in a fresh server. The real text is ../shared/corpus's paragraphs in
article order (4.1 MB of them): once they run out, they come again, either as they are
(exact repeats) or with a number added (every paragraph a near-duplicate: the worst,
since then every paragraph is compared in the MinHash search).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import CORPUS, corpus_articles, emit  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.server import BIN, request, running  # noqa: E402

MB = 1_000_000
MAX_LINES = 100_000

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from cleaning import clean
text = sys.stdin.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
clean(text)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"kb": peak - before, "seconds": seconds}}))
"""


def shapes() -> list[tuple[str, str]]:
    paragraphs = "\n\n".join(corpus_articles(0, 10**9, 10**6))
    real = (paragraphs * (5 * MB // max(1, len(paragraphs)) + 1))[:5 * MB]
    return [
        ("5 MB of real paragraphs (repeated)", real),
        ("5 MB, one line", ("word " * MB)[:5 * MB]),
        ("100,000 lines of 49 characters (5 MB)", ("w" * 49 + "\n") * MAX_LINES),
        ("100,000 distinct lines of 49 characters (5 MB)",
         "".join(f"line {k:>8} of a list, each one unique: {k % 97:>5}\n"
                 for k in range(MAX_LINES))),
        ("100,000 distinct short lines", "".join(f"w{k}\n" for k in range(MAX_LINES))),
        ("100,000 one-letter lines", "a\n" * MAX_LINES),
        ("100,000 empty lines", "\n" * MAX_LINES),
    ]


#: NEWSCLEAN_MAX_BODY_BYTES's default.
BODY_LIMIT = 5_242_880


def json_body(blocks: list[str]) -> bytes:
    return json.dumps({"text": "\n\n".join(blocks)}, ensure_ascii=False).encode()


def real_body(near_duplicates: bool) -> bytes:
    """A JSON body of the corpus's paragraphs just under the body limit."""
    paras = [p for line in CORPUS.read_text(encoding="utf-8").splitlines()
             for p in json.loads(line)["paragraphs"]]
    blocks: list[str] = []
    size = 0
    for k in range(10**6):
        para = paras[k % len(paras)]
        if k >= len(paras) and near_duplicates:
            para += f" ({k})"
        size += len(json.dumps(para, ensure_ascii=False).encode()) + 4
        if size > BODY_LIMIT - 100:
            break
        blocks.append(para)
    body = json_body(blocks)
    while len(body) > BODY_LIMIT:
        blocks.pop()
        body = json_body(blocks)
    return body


def memory_mb(pid: int) -> dict[str, int]:
    """The process's resident memory now (VmRSS) and at its peak (VmHWM), in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":")
            out[key] = int(value.split()[0]) // 1024
    return out


def worker_pid(base: str) -> int:
    """The one worker of the server at `base`: the process on its port whose parent is
    there too (the master)."""
    port = base.rsplit(":", 1)[1]
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True,
                         text=True, check=True).stdout
    pids = {int(p) for p in re.findall(r"pid=(\d+)", out)}
    parents = {p: int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[1])
               for p in pids}
    return next(p for p in pids if parents[p] in pids)


def worker_rows() -> list[str]:
    rows = ["| body | size | answer | worker before | peak | peak over before | per MB of body "
            "| after |", "|---|---|---|---|---|---|---|---|"]
    headers = {"Content-Type": "application/json"}
    for name, near in (("real paragraphs, repeated as they are", False),
                       ("real paragraphs, repeated as near-duplicates", True)):
        body = real_body(near)
        small = json_body([json.loads(body)["text"][:3000]])
        with running([str(BIN / "newsclean"), "serve"], {"WEB_CONCURRENCY": "1"}) as base:
            pid = worker_pid(base)
            for _ in range(3):
                request("POST", base + "/clean", small, headers, 120)
            before = memory_mb(pid)
            status, _, answer = request("POST", base + "/clean", body, headers, 600)
            after = memory_mb(pid)
        assert status == 200, status
        grew = after["VmHWM"] - before["VmRSS"]
        rows.append(f"| {name} | {len(body) / 1e6:.2f} MB | {len(answer) / 1e6:.1f} MB | "
                    f"{before['VmRSS']} MB | {after['VmHWM']} MB | **{grew} MB** | "
                    f"{grew / (len(body) / 1e6):.0f} MB | {after['VmRSS']} MB |")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--report", type=Path, help="also write the report here")
    args = ap.parse_args(argv)
    rows = ["# Peak memory of clean() per input byte", "",
            "`python benchmarks/measure_memory.py`: each shape cleaned once in a fresh "
            "process; peak resident memory beyond the process's own before the call.", "",
            "| shape | input | peak over base | per input byte | seconds |",
            "|---|---|---|---|---|"]
    for name, text in shapes():
        run = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT))],
                             input=text, capture_output=True, text=True, check=True)
        got = json.loads(run.stdout)
        size = len(text.encode())
        rows.append(f"| {name} | {size / MB:.2f} MB | {got['kb'] / 1024:.0f} MB | "
                    f"{got['kb'] * 1024 / size:.0f} bytes | {got['seconds']:.2f} |")
    rows += ["", "## A worker, over HTTP", "",
             "`newsclean serve`, one worker; a JSON body just under NEWSCLEAN_MAX_BODY_BYTES "
             "POSTed to /clean (the answer carries the diff). *Peak over before* is what one "
             "request at the limit costs; *after* is what the worker keeps (Python's "
             "allocator returns little of it to the system, and reuses it for the next).", "",
             *worker_rows()]
    return emit("\n".join(rows) + "\n", args.report)


if __name__ == "__main__":
    sys.exit(main())
