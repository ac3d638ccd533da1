#!/usr/bin/env python3
"""`clean()` of this checkout against another version's, interleaved in one process.

    git worktree add /tmp/old b7990f5
    python benchmarks/ab_core.py --old /tmp/old [--repeat 5] [--report FILE]

On the typical cases of `bench_core.py` (real 3-7 KB articles, each with every kind of the
evaluator's damage), each case is timed with both versions in turn, the one that goes first
alternating from case to case, `--repeat` times each, the fastest kept. The machines are
shared and noisy, so only what is measured in the same run is compared: the report gives
each version's median and the median and geometric mean of the per-case ratios.
"""

from __future__ import annotations

import argparse
import importlib
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import emit  # noqa: E402

SHARED = ROOT.parent / "shared"


def typical_cases() -> list[tuple[str, str]]:
    """The typical cases of `bench_core.py`, (kind of damage, text): real 3-7 KB articles,
    every kind of damage."""
    sys.path.insert(0, str(SHARED / "eval"))
    import evaluate  # type: ignore[import-not-found]

    arts = [a for a in evaluate.load_articles(evaluate.DEFAULT_CORPUS, "all")
            if 3000 <= len("\n\n".join(a.blocks).encode()) <= 7000]
    return [(case.category, case.raw)
            for case in evaluate.make_cases(arts, evaluate.CATEGORIES)]


def load_cleaning(checkout: Path) -> ModuleType:
    """The `cleaning` package of `checkout`, imported apart from any other version."""
    for name in [m for m in sys.modules if m == "cleaning" or m.startswith("cleaning.")]:
        del sys.modules[name]
    sys.path.insert(0, str(checkout))
    try:
        package = importlib.import_module("cleaning")
    finally:
        sys.path.remove(str(checkout))
    # Keep this version's modules out of the way of the next import; its functions keep
    # their own globals.
    for name in [m for m in sys.modules if m == "cleaning" or m.startswith("cleaning.")]:
        sys.modules[f"_ab_{id(package)}_{name}"] = sys.modules.pop(name)
    return package


def best_of(clean: Callable[[str], object], text: str, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        clean(text)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", type=Path, required=True, help="a checkout of the other version")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--report", type=Path, help="also write the report here")
    args = ap.parse_args(argv)
    old = load_cleaning(args.old.resolve())
    new = load_cleaning(ROOT)
    assert old.clean is not new.clean
    cases = typical_cases()
    times: dict[str, list[float]] = {"old": [], "new": []}
    for n, (_, text) in enumerate(cases):
        order = [("old", old.clean), ("new", new.clean)]
        for name, clean in order if n % 2 else order[::-1]:
            times[name].append(best_of(clean, text, args.repeat))
    ratios = [b / a for a, b in zip(times["old"], times["new"], strict=True)]
    by_kind: dict[str, list[float]] = {}
    for (kind, _), ratio in zip(cases, ratios, strict=True):
        by_kind.setdefault(kind, []).append(ratio)
    lines = [
        "# clean(), this checkout against another version, interleaved",
        "",
        f"`python benchmarks/ab_core.py --old {args.old}` on {len(cases)} typical cases "
        f"(real 3-7 KB articles, every kind of damage), best of {args.repeat} each.",
        "",
        "| | old | new |",
        "|---|---|---|",
        f"| median | {statistics.median(times['old']) * 1e3:.3f} ms | "
        f"{statistics.median(times['new']) * 1e3:.3f} ms |",
        "",
        f"Per-case ratio new/old: median {statistics.median(ratios):.3f}, geometric mean "
        f"{math.exp(statistics.fmean(math.log(r) for r in ratios)):.3f}.",
        "",
        "| kind of damage | cases | median ratio new/old |",
        "|---|---|---|",
        *(f"| {kind} | {len(rs)} | {statistics.median(rs):.3f} |"
          for kind, rs in sorted(by_kind.items(), key=lambda kr: -statistics.median(kr[1]))),
    ]
    return emit("\n".join(lines) + "\n", args.report)


if __name__ == "__main__":
    sys.exit(main())
