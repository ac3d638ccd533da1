#!/usr/bin/env python3
"""How the cross-article fingerprint separates copies of a story from other stories.

    python benchmarks/measure_index.py

For every article of ../shared/corpus with enough body: variants that must match (another
headline, a byline, a dateline, a footer of boilerplate, all of these, the first or last
paragraph cut) and every other article, which must not. Prints the similarity (estimated
containment, as the index computes it) of each kind, to choose NEWSCLEAN_INDEX_THRESHOLD.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaning import clean  # noqa: E402
from newsindex.index import NUM_PERM, fingerprint, index_factory, similarity  # noqa: E402
from newsindex.lsh import Record, low16, pack_record  # noqa: E402

FOOTER = ("Subscribe to our newsletter to get the day's most important stories in your inbox "
          "every morning.\n\nCopyright 2026 The Daily Courier. All rights reserved. This material "
          "may not be published, broadcast, rewritten or redistributed.")


def variants(title: str, paras: list[str]) -> dict[str, str]:
    body = "\n\n".join(paras)
    return {
        "other headline": "A completely different headline for it\n\n" + body,
        "byline": f"{title}\n\nBy Jane Q. Reporter, Staff Writer\n\n{body}",
        "dateline": f"{title}\n\nLONDON (Wire) — {body}",
        "footer": f"{title}\n\n{body}\n\n{FOOTER}",
        "all of these": (f"Another headline\n\nBy Jane Q. Reporter\n\nPARIS (AP) — {body}"
                         f"\n\n{FOOTER}"),
        "first paragraph cut": "\n\n".join([title, *paras[1:]]),
        "last paragraph cut": "\n\n".join([title, *paras[:-1]]),
    }


def main() -> int:
    path = ROOT.parent / "shared" / "corpus" / "articles.jsonl"
    arts = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def sig(text: str) -> tuple[int, np.ndarray] | None:
        return fingerprint(index_factory(), clean(text))  # as the service computes it

    def score(a: tuple[int, np.ndarray], b: tuple[int, np.ndarray]) -> float:
        # As the index scores a candidate: against its stored record (16-bit values).
        stored = Record.unpack(pack_record(0.0, a[0], a[1], ""), NUM_PERM)
        return similarity(stored.jaccard(low16(b[1])), b[0], stored.size)

    originals, scores = [], {}
    seen_texts = set()
    for art in arts:
        text = "\n\n".join([art["title"], *art["paragraphs"]])
        if text in seen_texts or len(art["paragraphs"]) < 4:
            continue
        seen_texts.add(text)
        base = sig(text)
        if base is None or base[0] < 40:
            continue
        originals.append(base)
        for kind, variant in variants(art["title"], art["paragraphs"]).items():
            other = sig(variant)
            scores.setdefault(kind, []).append(score(base, other) if other else 0.0)
    cross = [score(a, b) for i, a in enumerate(originals) for b in originals[i + 1:]]
    print(f"{len(originals)} articles with 40+ body shingles; {len(cross)} pairs of different "
          "articles\n")
    print("| pair | n | min | p5 | median |")
    print("|---|---|---|---|---|")
    for kind, values in scores.items():
        values.sort()
        print(f"| {kind} | {len(values)} | {values[0]:.3f} | {values[len(values) // 20]:.3f} | "
              f"{statistics.median(values):.3f} |")
    cross.sort()
    print(f"\nDifferent articles: max {cross[-1]:.3f}, p99.9 {cross[int(0.999 * len(cross))]:.3f}, "
          f"median {statistics.median(cross):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
