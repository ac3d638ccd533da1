"""Fail when an evaluation falls below its recorded floor: a ratchet that only moves up.

    python .ci/check_floor.py REPORT.json FLOOR.json

Two reports are read:

- ../shared/eval/evaluate.py's (synthetic damage): the floor holds, per category, the lowest
  `ok` share CI accepts; no line may be lost, the diff must always reproduce the output and
  cleaning must be idempotent;
- ../shared/eval/real_outputs.py's (real extractor output): the floor holds the lowest
  `dup_recall` and the most inputs with copies left that CI accepts; no input may lose a
  body paragraph, but for those the floor names in `lossy_named` (page chrome that the
  annotated body keeps twice), and none may fail.

Raise a floor in the same commit that improves the cleaner.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(report_path: str, floor_path: str) -> int:
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    floor = json.loads(Path(floor_path).read_text(encoding="utf-8"))
    problems = real_problems(report, floor) if "by_extractor" in report else synthetic_problems(
        report["summary"], floor)
    for line in problems:
        print(f"quality floor: {line}", file=sys.stderr)
    if not problems:
        print(f"quality floor: {Path(floor_path).name} held")
    return 1 if problems else 0


def real_problems(report: dict, floor: dict) -> list[str]:  # type: ignore[type-arg]
    total = report["total"]
    problems = []
    # A floor may name inputs whose "loss" is page chrome that the annotated body keeps
    # twice (Readability's expected output), each in `lossy_named`: only those may count.
    allowed = len(floor.get("lossy_named", []))
    if total["lossy"] > allowed or (total["gt_lost"] and not allowed):
        problems.append(f"{total['lossy']} inputs lost a body paragraph (at most {allowed}, "
                        "each named in the floor)")
    if total["errors"]:
        problems.append(f"{total['errors']} inputs answered with an error")
    if total["dup_recall"] + 1e-9 < floor["dup_recall"]:
        problems.append(f"dup_recall {total['dup_recall']} below the floor {floor['dup_recall']}")
    if total["left"] > floor["left"]:
        problems.append(f"copies left in {total['left']} inputs, more than {floor['left']}")
    return problems


def synthetic_problems(summary: dict, floor: dict) -> list[str]:  # type: ignore[type-arg]
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
    return problems


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
