#!/usr/bin/env python3
"""Speed of `cleaning.clean` in-process, on one core: typical articles and scaling shapes.

    python benchmarks/bench_core.py                  # report to stdout
    python benchmarks/bench_core.py --report benchmarks/REPORT-core.md

Typical: real articles of 3-7 KB from ../shared/corpus, each damaged in the evaluator's
ways (../shared/eval/evaluate.py), median and p90 per damage kind. Scaling: texts of 5 KB,
100 KB and 1 MB built from real paragraphs (half of them pasted twice), and pathological
shapes (one 1 MB line, 50,000 one-word lines, every block the same), each as a ratio to the
5 KB time measured in the same run, since these machines are shared and noisy. Last, a
profile of where the time goes on the typical articles.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import emit, steps_timed  # noqa: E402

from cleaning import clean  # noqa: E402

SHARED = ROOT.parent / "shared"


def load_eval():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(SHARED / "eval"))
    import evaluate  # type: ignore[import-not-found]

    return evaluate


def timed(text: str, repeat: int) -> float:
    """Best-of-three median seconds of `repeat` calls."""
    runs = []
    for _ in range(3):
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            clean(text)
            samples.append(time.perf_counter() - start)
        runs.append(statistics.median(samples))
    return min(runs)


def typical(ev) -> tuple[list[str], list[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    arts = [a for a in ev.load_articles(ev.DEFAULT_CORPUS, "all")
            if 3000 <= len("\n\n".join(a.blocks).encode()) <= 7000]
    cases = ev.make_cases(arts, ev.CATEGORIES)
    lines = [f"Typical articles: {len(arts)} real articles of 3-7 KB, {len(cases)} damaged "
             "cases; each case timed five times, the fastest kept (the machine is shared).",
             "", "| damage | cases | median ms | p90 ms | median ms, issue's machine |",
             "|---|---|---|---|---|"]
    import ftfy

    by_cat: dict[str, list[float]] = {}
    reference = calibration_texts(ev)
    ftfy_secs = []
    for n, case in enumerate(cases):
        clean(case.raw)  # warm
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            clean(case.raw)
            samples.append(time.perf_counter() - start)
        by_cat.setdefault(case.category, []).append(min(samples))
        if n % 5 == 0:  # the machine's speed, under the same load
            text = reference[n // 5 % len(reference)]
            samples = []
            for _ in range(3):
                start = time.perf_counter()
                ftfy.fix_text(text)
                samples.append(time.perf_counter() - start)
            ftfy_secs.append(min(samples))
    factor, cal = calibration(ftfy_secs)
    every = []
    for cat, secs in sorted(by_cat.items()):
        secs.sort()
        every.extend(secs)
        median = 1000 * statistics.median(secs)
        lines.append(f"| {cat} | {len(secs)} | {median:.3f} | "
                     f"{1000 * secs[int(0.9 * len(secs))]:.3f} | {median / factor:.3f} |")
    every.sort()
    median = 1000 * statistics.median(every)
    lines.append(f"| **all** | {len(every)} | **{median:.3f}** | "
                 f"{1000 * every[int(0.9 * len(every))]:.3f} | **{median / factor:.3f}** |")
    return [*cal, "", *lines], [(c.raw, c.category) for c in cases]


def scaling(ev) -> list[str]:  # type: ignore[no-untyped-def]
    """Each large text against 5 KB of the same shape (for real paragraphs pasted twice,
    5 KB slices of the same body), so that the ratio measures growth, not a change of
    language, damage or shape."""
    paras = [p for a in ev.load_articles(ev.DEFAULT_CORPUS, "all") for p in a.paragraphs]

    def unique_body(size: int, start: int = 0) -> list[str]:
        out, total, k = [], 0, start
        while total < size:
            out.append(paras[k % len(paras)] + (f" ({k})" if k >= len(paras) else ""))
            total += len(out[-1].encode()) + 2
            k += 1
        return out

    def twice(blocks: list[str]) -> str:
        return "\n\n".join(blocks + blocks)  # pasted twice: the work scales with what repeats

    body = unique_body(500_000)
    slices, chunk = [], []
    for para in body:  # consecutive 2.5 KB slices of the same body, each pasted twice
        chunk.append(para)
        if sum(len(p.encode()) + 2 for p in chunk) >= 2_500:
            slices.append(twice(chunk))
            chunk = []
    slice_times = [timed(s, 20) for s in slices]
    base = statistics.median(slice_times)
    # The slices cleaned once each, one after another: the same text as the large one, at
    # the same temperature of the CPU's caches (timing one slice again and again keeps its
    # data in them, which a 1 MB text cannot have).
    passes = []
    for _ in range(3):
        start = time.perf_counter()
        for text in slices:
            clean(text)
        passes.append(time.perf_counter() - start)
    mean = min(passes) / len(slices)
    paste = "The same paragraph, again and again, all the way down."
    # Each shape at full size and at 5 KB: growth from one to the other, against growth
    # in size, is what says whether cost is linear (1.0) or worse. The issue allows ~300x
    # for 200x the size: 1.5.
    shapes = [
        ("100 KB, body twice", twice(body[: len(body) // 10]), None),
        ("1 MB, body twice", twice(body), None),
        ("1 MB, one line", ("word " * 200_000)[:1_000_000], ("word " * 1_000)[:5_000]),
        ("50,000 one-word lines", "\n".join(f"w{k % 977}" for k in range(50_000)),
         "\n".join(f"w{k % 977}" for k in range(1_025))),
        ("1 MB, every block the same", "\n\n".join([paste] * 18_000),
         "\n\n".join([paste] * 90)),
    ]
    lines = [f"Baseline: {len(slices)} slices of 5 KB (2.5 KB pasted twice) of the 1 MB text: "
             f"median {1000 * base:.3f} ms, each timed 20 times in a row; "
             f"{1000 * mean:.3f} ms on average when all are cleaned once, one after another "
             "(the text mixes English with CJK, Cyrillic and entity-heavy articles, which cost "
             f"more per byte). The 1 MB text is those {len(slices)} slices' paragraphs, so "
             f"linear cost is what cleaning the {len(slices)} slices in turn costs.", "",
             "Growth: the time at full size over the time at 5 KB of the same shape (for the "
             "body pasted twice, the average slice cleaned in turn), divided by the growth in "
             "size. 1.0 is linear; the issue's ~300x for 200x the size is 1.5.", "",
             "| shape | size | blocks | ms | 5 KB of it, ms | growth | per size | "
             "ratio to median 5 KB slice | µs per block |", "|---|---|---|---|---|---|---|---|---|"]
    base_blocks = statistics.median(clean(s).stats.blocks_in for s in slices)
    lines.insert(1, f"The 5 KB slices have {base_blocks:.0f} blocks (median).")
    for name, text, small in shapes:
        secs = timed(text, 1)
        blocks = clean(text).stats.blocks_in
        small_secs = mean if small is None else timed(small, 20)
        small_size = (statistics.mean(len(s.encode()) for s in slices) if small is None
                      else len(small.encode()))
        growth = secs / small_secs
        per_size = growth / (len(text.encode()) / small_size)
        lines.append(f"| {name} | {len(text.encode()) / 1000:.0f} KB | {blocks} | "
                     f"{1000 * secs:.2f} | {1000 * small_secs:.3f} | {growth:.0f}x | "
                     f"**{per_size:.2f}** | {secs / base:.0f}x | {1e6 * secs / blocks:.1f} |")
    return lines


#: The issue's measure of its machines: ftfy with its defaults on 4 KB of article text.
REFERENCE_FTFY_MS = 1.3


def calibration_texts(ev) -> list[str]:  # type: ignore[no-untyped-def]
    """The first 4 KB of real articles: what the issue timed ftfy's defaults on."""
    texts = []
    for art in ev.load_articles(ev.DEFAULT_CORPUS, "all"):
        raw = "\n\n".join(art.blocks).encode()
        if len(raw) >= 4096:
            texts.append(raw[:4096].decode("utf-8", "ignore"))
    return texts[:60]


def calibration(ftfy_secs: list[float]) -> tuple[float, list[str]]:
    """How much slower this machine is than the issue's: ftfy.fix_text with its defaults on
    4 KB of article text, timed between the cases (so under the same load), against the
    issue's ~1.3 ms."""
    ms = 1000 * statistics.median(ftfy_secs)
    factor = ms / REFERENCE_FTFY_MS
    return factor, [
        f"Machine speed: `ftfy.fix_text` with its defaults on 4 KB of article text takes "
        f"{ms:.2f} ms here (median of {len(ftfy_secs)} timings taken between the cases below, "
        f"under the same load); the issue measured ~{REFERENCE_FTFY_MS} ms on its machines. "
        f"This machine is taken as **{factor:.2f}x** as slow, and the figures below are also "
        "given divided by that factor."]


#: The pipeline's steps, as `cleaning.pipeline` calls them, for the share of time in each.
STEPS = [("split_lines", "split into lines, each repaired"),
         ("choose_layout", "choose the layout"), ("group_blocks", "group lines into blocks"),
         ("block_infos", "tokenise, keys and word counts"),
         ("mark_suspects", "near-duplicate pre-check (every word 3-gram of long blocks)"),
         ("_decide", "decision rounds: headline, exact repeats, near duplicates"),
         ("unified_diff", "the diff"), ("_fixes", "the list of repairs")]


def steps(texts: list[str]) -> list[str]:
    """The share of `clean`'s time in each step, each step timed where the pipeline calls
    it (a wrapper around it in `cleaning.pipeline`, removed after)."""
    from cleaning import pipeline

    spent = dict.fromkeys([name for name, _ in STEPS], 0.0)
    with steps_timed(pipeline, spent):
        start = time.perf_counter()
        for text in texts:
            clean(text)
        total = time.perf_counter() - start
    rest = total - sum(spent.values())
    return ["| step | share |", "|---|---|",
            *(f"| `{name}`: {what} | {100 * spent[name] / total:.0f}% |" for name, what in STEPS),
            f"| the rest: result records, rendering, freeing memory | {100 * rest / total:.0f}% |"]


def profile(texts: list[str]) -> list[str]:
    prof = cProfile.Profile()
    prof.enable()
    for text in texts:
        clean(text)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(r"cleaning", 18)
    keep = [line for line in out.getvalue().splitlines() if "cleaning" in line or "ncalls" in line]
    return ["```", *keep, "```"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--report", type=Path, help="also write the report here")
    args = ap.parse_args()
    if not (SHARED / "eval" / "evaluate.py").exists():
        print("../shared is not beside the checkout: nothing to measure", file=sys.stderr)
        return 2
    ev = load_eval()
    typ, texts = typical(ev)
    report = ["# Core benchmark", "", f"Python {sys.version.split()[0]}, one process, one core.",
              "", "## Typical articles", "", *typ, "", "## Scaling", "", *scaling(ev), "",
              "## Where the time goes", "",
              "Share of the time per step, on the typical cases without the mojibake and "
              "combined kinds (those are mostly ftfy's own time, below):", "",
              *steps([t for t, kind in texts if kind not in ("mojibake", "combined")]), "",
              "The same on all 990 cases:", "", *steps([t for t, _ in texts]), "",
              "A profile of all 990 cases (cumulative):", "",
              *profile([t for t, _ in texts]), ""]
    return emit("\n".join(report), args.report)


if __name__ == "__main__":
    sys.exit(main())
