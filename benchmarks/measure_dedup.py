#!/usr/bin/env python3
"""Why the duplicate thresholds are what they are: recall on made near-duplicates, and
what the same settings would take out of correct articles.

    python benchmarks/measure_dedup.py

For each long paragraph (15+ words) of ../shared/corpus, a near-duplicate is made and
inserted later in its article: one word dropped, one word added, punctuation and quotes
changed, a number changed (must stay), a name changed (must stay), a truncated teaser
placed before it. Each `containment_threshold` and `min_words` pair is scored on how many
made copies are removed (wanted) or kept (unwanted, except for the number and name kinds),
and on how many lines of the correct articles, cleaned as they are, would be lost.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaning import CleanConfig, clean  # noqa: E402

NAMES = ["Marseille", "Okonkwo", "Halvorsen", "Tbilisi", "Nakamura"]


def variants(rng: random.Random, para: str) -> dict[str, str]:
    words = para.split()
    k = rng.randrange(1, len(words) - 1)
    numbers = [i for i, w in enumerate(words) if any(c.isdigit() for c in w)]
    out = {
        "word dropped": " ".join(words[:k] + words[k + 1:]),
        "word added": " ".join([*words[:k], "reportedly", *words[k:]]),
        "punctuation and quotes": para.replace(",", " —").replace('"', "\u201c").replace(
            "'", "\u2019"),
        "name changed": " ".join([*words[:k], rng.choice(NAMES), *words[k + 1:]]),
        "teaser before": " ".join(words[: max(8, len(words) // 2)]) + "\u2026",
    }
    if numbers:
        i = rng.choice(numbers)
        out["number changed"] = " ".join(
            [*words[:i], "".join("7" if c.isdigit() else c for c in words[i]) + "1",
             *words[i + 1:]])
    return out


MUST_STAY = {"number changed", "name changed"}


def main() -> int:
    path = ROOT.parent / "shared" / "corpus" / "articles.jsonl"
    arts = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(1859)
    cases = []
    for art in arts:
        paras = art["paragraphs"]
        for n, para in enumerate(paras):
            if len(para.split()) >= 15 and "\n" not in para:
                for kind, copy in variants(rng, para).items():
                    if kind == "teaser before":
                        blocks = [art["title"], *paras[:n], copy, *paras[n:]]
                    else:
                        blocks = [art["title"], *paras, copy]
                    cases.append((kind, "\n\n".join(blocks), copy))
                break  # one paragraph per article keeps the run short
    print(f"{len(cases)} made near-duplicates from {len(arts)} articles\n")
    print("| containment | min_words | " + " | ".join(sorted({k for k, _, _ in cases})) +
          " | correct articles: lines lost |")
    print("|---|---|" + "---|" * (len({k for k, _, _ in cases}) + 1))
    for threshold in (0.7, 0.8, 0.9):
        for min_words in (8, 12, 20):
            config = replace(CleanConfig(), containment_threshold=threshold, min_words=min_words)
            removed: dict[str, list[int]] = {}
            for kind, text, copy in cases:
                result = clean(text, config)
                gone = any(r.text == copy.strip() for r in result.removed)
                removed.setdefault(kind, []).append(int(gone))
            lost = 0
            for art in arts:
                text = "\n\n".join([art["title"], *art["paragraphs"]])
                lost += sum(len(r.text.splitlines()) for r in clean(text, config).removed)
            cells = []
            for kind in sorted(removed):
                share = sum(removed[kind]) / len(removed[kind])
                cells.append(f"{share:.2f}" + (" (kept is right)" if kind in MUST_STAY else ""))
            print(f"| {threshold} | {min_words} | " + " | ".join(cells) + f" | {lost} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
