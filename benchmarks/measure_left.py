#!/usr/bin/env python3
"""What the real-output scorer still counts as copies left, by shape, and what dup_recall
would be if every copy of a shape that is not repeated on purpose went.

    python benchmarks/measure_left.py [--report FILE]

`../shared/eval/real_outputs.py` counts as an excess copy any line met more often in an
extractor's output than in the page's body. Some of those lines repeat on purpose, and the
rules keep them (README, Design):

- **date line**: a date alone under each item of a list of teasers (an author, a date, a
  summary, per item) or of comments: one per item, as attribution lines are;
- **reference definition**: a line that continues a markdown link definition
  (``[2]: https://...`` wrapped at 80 columns) that `join_cut_urls` did not join: two
  definitions of one URL under two labels both print its tail, and taking one out breaks
  the link that uses its label;
- **table header**: a stats table's header row, printed once per team.

Each copy left is put in the first shape that fits it, or in "other": those are the copies
a rule could still take out. Cleaning is in-process (`cleaning.clean`, no title hint).
"""

from __future__ import annotations

import argparse
import collections
import itertools
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT.parent / "shared" / "eval"))

import real_outputs  # type: ignore[import-not-found]  # noqa: E402
from common import emit  # noqa: E402

from cleaning import clean  # noqa: E402

#: A date alone, as the scorer folds it ("wednesday november 20 2019", a comment's "2 days
#: ago at 07 54 am").
DATE_LINE_RE = re.compile(
    r"^(?:(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day )?(?:january|february|march|april|"
    r"may|june|july|august|september|october|november|december) \d{1,2} \d{4}"
    r"|\d+ (?:minute|hour|day|week)s? ago(?: at \d{1,2} \d{2} [ap]m)?)$")
REFERENCE_RE = re.compile(r"^\[[^\]]+\]: \S")
#: The header row of a player stats table ("Pos Player Plays Stats", cut short or not).
TABLE_HEADER_RE = re.compile(r"^pos player pla")


def reference_continuations(raw: str) -> set[str]:
    """The folded lines of `raw` that continue a markdown reference definition."""
    lines = raw.split("\n")
    return {real_outputs.norm(line) for previous, line in itertools.pairwise(lines)
            if REFERENCE_RE.match(previous) and line.strip() and not REFERENCE_RE.match(line)}


def shape(line: str, continuations: set[str]) -> str:
    if DATE_LINE_RE.match(line):
        return "date line"
    if line in continuations:
        return "reference definition"
    if TABLE_HEADER_RE.match(line):
        return "table header"
    return "other"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    arts, recs = real_outputs.load(real_outputs.CORPUS / "extractor_outputs.jsonl.gz",
                                   real_outputs.CORPUS / "articles.jsonl")
    excess = 0
    left: collections.Counter[str] = collections.Counter()
    inputs: dict[str, set[tuple[str, str]]] = collections.defaultdict(set)
    others = []
    for record in recs:
        art, raw = arts[record["page_id"]], record["text"]
        got = real_outputs.line_counts(clean(raw).text)
        body = " " + real_outputs.norm(art["text"]) + " "
        title = real_outputs.norm(art["title"])
        continuations = reference_continuations(raw)
        # The scorer's own count (real_outputs.score_one), kept per line.
        for line, count in real_outputs.line_counts(raw).items():
            if count < 2 or (len(line) < 20 and line != title):
                continue
            allowed = max(1, min(count, body.count(" " + line + " ")))
            if count <= allowed:
                continue
            excess += (count - allowed) * len(line)
            if got.get(line, 0) > allowed:
                kind = shape(line, continuations)
                left[kind] += (got[line] - allowed) * len(line)
                inputs[kind].add((record["extractor"], record["page_id"]))
                if kind == "other":
                    others.append(f"{record['extractor']} {record['page_id'][:8]}: {line[:70]}")
    rows = ["# Copies the real-output scorer counts as left, by shape", "",
            "`python benchmarks/measure_left.py`: in-process, no title hint; characters of "
            "excess copies, as `dup_recall` weighs them.", "",
            "| shape | characters left | inputs |", "|---|---|---|"]
    for kind in ("date line", "reference definition", "table header", "other"):
        rows.append(f"| {kind} | {left[kind]:,} | {len(inputs[kind])} |")
    total = sum(left.values())
    rows += ["", f"Excess copies in the inputs: {excess:,} characters; left: {total:,} "
             f"(dup_recall {1 - total / excess:.4f}). With every copy of the last row "
             f"taken out too, dup_recall would be {1 - (total - left['other']) / excess:.4f}, "
             f"and {len(set().union(*(inputs[k] for k in inputs if k != 'other')))} inputs "
             "would still hold copies the scorer counts.", "", "The other copies left:", ""]
    rows += [f"- {line}" for line in others]
    return emit("\n".join(rows) + "\n", args.report)


if __name__ == "__main__":
    raise SystemExit(main())
