"""What the benchmark scripts share: real articles to send, and what to do with a report."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

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


@contextmanager
def steps_timed(module: ModuleType, spent: dict[str, float],
                clock: Callable[[], float] = time.perf_counter) -> Iterator[None]:
    """Time each function of `module` named in `spent` where the module calls it (a
    wrapper set in its place, removed after), adding the `clock` time of each call to
    `spent`."""
    originals = {name: getattr(module, name) for name in spent}

    def timed(name: str, step: Callable[..., object]) -> Callable[..., object]:
        def run(*args: object, **kwargs: object) -> object:
            start = clock()
            try:
                return step(*args, **kwargs)
            finally:
                spent[name] += clock() - start
        return run

    for name, step in originals.items():
        setattr(module, name, timed(name, step))
    try:
        yield
    finally:
        for name, step in originals.items():
            setattr(module, name, step)
