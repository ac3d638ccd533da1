#!/usr/bin/env python3
"""Peak memory of `clean()` per input byte, at the service's limits, to size workers.

    python benchmarks/measure_memory.py [--report benchmarks/REPORT-memory.md]

Each shape is cleaned once in a fresh process, whose peak resident memory (getrusage)
beyond what it held before is divided by the input's size. The shapes are the worst the
limits admit: NEWSCLEAN_MAX_BODY_BYTES (5 MB) of real paragraphs, of one line, and of lines
as short as NEWSCLEAN_MAX_LINES (100,000) allows.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import corpus_articles, emit  # noqa: E402

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
    return emit("\n".join(rows) + "\n", args.report)


if __name__ == "__main__":
    sys.exit(main())
