"""Real articles from ../shared/corpus (skipped when it is not beside the checkout).

Posted clean, every ground-truth article comes back unchanged, but for the invisible
characters the policy drops and for the articles whose body really repeats a block (a
headline printed again in the body, a caption or reference printed twice): those may only
lose exact repeats, each of whose twin is kept. ftfy's own cases are fixed as ftfy fixes
them, under our policy of keeping typographic quotes, full-width forms and ligatures.
"""

from __future__ import annotations

import collections
import gzip
import importlib.util
import json
from pathlib import Path

import ftfy
import pytest

from cleaning import clean
from cleaning.chardata import INVISIBLE_RE, ZWSP
from cleaning.fingerprint import match_tokens
from cleaning.repair import normalize_spaces
from tests.conftest import SHARED
from tests.patchutil import apply_patch

#: Ground-truth bodies that repeat a block exactly, as the damage newsclean removes does.
REPEATS_IN_TRUTH = {
    "rdb-medium-2": "the body's first line repeats the title",
    "rdb-wikipedia-2": "the body's first heading repeats the title",
    "rdb-mercurial": "the body's heading repeats the title without the site name",
    "rdb-yahoo-2": "a photo caption printed twice in a row",
    "rdb-wikipedia-4": "a reference printed twice in a row",
}


def canonical(article: dict[str, object]) -> str:
    """The article as the cleaner's policy writes it: invisible junk dropped (a paragraph of
    nothing but zero-width spaces goes with it) and runs of spaces folded."""
    blocks = [str(article["title"]), *article["paragraphs"]]  # type: ignore[misc]
    lines = []
    for block in blocks:
        block = INVISIBLE_RE.sub("", block).replace(ZWSP, "")
        block = "\n".join(normalize_spaces(line) for line in block.split("\n"))
        if block.strip():
            lines.append(block)
    return "\n\n".join(lines) + "\n"


def test_clean_articles_come_back_unchanged(corpus: list[dict[str, object]]) -> None:
    changed = []
    for article in corpus:
        raw = canonical(article)
        result = clean(raw)
        assert apply_patch(raw, result.diff) == result.text
        if result.text == raw:
            continue
        changed.append(article["id"])
        assert article["id"] in REPEATS_IN_TRUTH, f"{article['id']} changed"
        assert result.fixes == []
        for removal in result.removed:
            assert removal.kind in ("duplicate", "repeated_headline")
            words, twin = set(match_tokens(removal.text)), set(match_tokens(removal.twin_text))
            assert words <= twin
            assert removal.similarity == 1.0 or removal.kind == "repeated_headline"
    assert sorted(changed) == sorted(REPEATS_IN_TRUTH)


def test_ftfy_cases_are_fixed_as_ftfy_fixes_them() -> None:
    path = SHARED / "corpus" / "ftfy_cases.json"
    if not path.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    differ = []
    for case in json.loads(path.read_text(encoding="utf-8")):
        ours = clean(case["original"]).text
        theirs = ftfy.fix_text(case["original"], uncurl_quotes=False,
                               fix_character_width=False, fix_latin_ligatures=False)
        if ours != clean(theirs).text:
            differ.append(case["label"])
    assert differ == []


def test_ftfy_negative_cases_come_back_as_ftfy_leaves_them() -> None:
    """Text that looks odd but is correct: no repair may bring a character that neither the
    text nor ftfy's own output has (``Brontë…”`` read as UTF-8 would end in ``녔``)."""
    path = SHARED / "corpus" / "ftfy_cases.json"
    if not path.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    cases = [c for c in json.loads(path.read_text(encoding="utf-8"))
             if "negative" in c["label"].lower()]
    assert len(cases) >= 30
    invented = {}
    for case in cases:
        theirs = ftfy.fix_text(case["original"], uncurl_quotes=False,
                               fix_character_width=False, fix_latin_ligatures=False)
        new = set(clean(case["original"]).text) - set(case["original"]) - set(theirs) - {"\n"}
        if new:
            invented[case["label"]] = new
    assert invented == {}


#: The real-output scorer's floors: what the cleaner holds on ../shared/eval/real_outputs.py's
#: inputs, held here in-process and by CI on the running service. They only go up.
FLOORS = Path(__file__).parent.parent / ".ci"
REAL_OUTPUTS = [
    # (outputs, kind, floor, title hint)
    ("extractor_outputs.jsonl.gz", "article", "real-floor.json", False),
    ("extractor_outputs.jsonl.gz", "article", "real-floor.json", True),
    ("fresh_outputs.jsonl.gz", "article", "fresh-floor.json", False),
    ("fresh_outputs.jsonl.gz", "whole_page", "whole-page-floor.json", False),
]


@pytest.mark.parametrize(("outputs", "kind", "floor_file", "use_title"), REAL_OUTPUTS,
                         ids=["benchmark", "benchmark_title", "fresh", "fresh_whole_page"])
def test_real_extractor_outputs_lose_nothing(outputs: str, kind: str, floor_file: str,
                                             use_title: bool) -> None:
    """What real extractors emitted for the dev pages (the benchmark's 22, today's 11 article
    extractors and 8 page converters): no body paragraph is lost (but for the page chrome
    a floor names, which the annotated body keeps twice), no input fails, and the copies
    removed do not fall below the recorded floor."""
    scorer_path = SHARED / "eval" / "real_outputs.py"
    if not scorer_path.exists():
        pytest.skip("../shared/eval is not beside this checkout")
    spec = importlib.util.spec_from_file_location("real_outputs", scorer_path)
    assert spec is not None
    assert spec.loader is not None
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    if not (scorer.CORPUS / outputs).exists():
        pytest.skip(f"../shared/corpus/{outputs} is not beside this checkout")
    floor = json.loads((FLOORS / floor_file).read_text())
    articles, records = scorer.load(scorer.CORPUS / outputs, scorer.CORPUS / "articles.jsonl",
                                    kind=kind)
    rows, failures = scorer.score(articles, records,
                                  scorer.make_cleaner("python:cleaning:clean", use_title))
    total: collections.Counter[str] = collections.Counter()
    for row in rows.values():
        total.update(row)
    summary = scorer.summary(total)
    assert summary["errors"] == 0
    lossy = [f for f in failures if "lost [(" in f[2]]
    assert summary["lossy"] <= len(floor.get("lossy_named", [])), lossy
    assert all(any(f"{name} {page}" in named for named in floor.get("lossy_named", []))
               for name, page, _ in lossy), lossy
    assert summary["dup_recall"] >= floor["dup_recall"]
    assert summary["left"] <= floor["left"]


@pytest.mark.parametrize("outputs", ["extractor_outputs.jsonl.gz", "fresh_outputs.jsonl.gz"])
def test_real_extractor_outputs_clean_to_a_fixed_point(outputs: str) -> None:
    """Cleaning what real extractors emitted, then cleaning the result again, changes
    nothing. (It did on one page converter's output: a share bar that lost a cut link's
    middle line was read again as paragraphs of their own, no longer the items of a list,
    and went as a copy the second time.)"""
    path = SHARED / "corpus" / outputs
    if not path.exists():
        pytest.skip(f"../shared/corpus/{outputs} is not beside this checkout")
    moved = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            once = clean(record["text"]).text
            if clean(once).text != once:
                moved.append((record["extractor"], record["page_id"]))
    assert moved == []
