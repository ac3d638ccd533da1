"""What the benchmark scripts share: real articles to send, and what to do with a report."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "articles.jsonl"


def corpus_articles(low: int, high: int, limit: int) -> list[str]:
    """Up to `limit` real articles (title and paragraphs) of `low` to `high` bytes from
    ../shared/corpus; the reference sample if the corpus is not beside the checkout."""
    if not CORPUS.exists():
        sample = (ROOT / "seeds" / "000_20ca18fb463f4b56.txt").read_text(encoding="utf-8")
        return [sample[:high]]
    out = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        art = json.loads(line)
        text = "\n\n".join([art["title"], *art["paragraphs"]])
        if low <= len(text.encode()) <= high:
            out.append(text)
            if len(out) == limit:
                break
    return out


def emit(report: str, path: Path | None) -> int:
    """Print the report, write it to `path` when given, and return the exit status."""
    print(report)
    if path is not None:
        path.write_text(report, encoding="utf-8")
    return 0
