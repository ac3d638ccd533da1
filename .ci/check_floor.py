"""Fail when the evaluation falls below the recorded floor: a ratchet that only moves up.

    python .ci/check_floor.py REPORT.json FLOOR.json

The floor holds, per category, the lowest `ok` share CI accepts; no line may be lost, the
diff must always reproduce the output and cleaning must be idempotent. Raise the floor in the
same commit that improves the cleaner.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(report_path: str, floor_path: str) -> int:
    summary = json.loads(Path(report_path).read_text(encoding="utf-8"))["summary"]
    floor = json.loads(Path(floor_path).read_text(encoding="utf-8"))
    problems = []
    total = summary["total"]
    if total["lines_lost"] > 0:
        problems.append(f"{total['lines_lost']} lines lost (must be 0)")
    if total["errors"]:
        problems.append(f"{total['errors']} cases answered with an error")
    for key in ("diff_ok", "idempotent"):
        if total[key] < 1.0:
            problems.append(f"{key} is {total[key]:.3f} (must be 1.000)")
    for category, minimum in floor["ok"].items():
        got = summary["by_category"].get(category, {}).get("ok")
        if got is None or got + 1e-9 < minimum:
            problems.append(f"{category}: ok {got} below the floor {minimum}")
    for line in problems:
        print(f"quality floor: {line}", file=sys.stderr)
    if not problems:
        print("quality floor: held in every category")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
