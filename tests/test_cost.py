"""Cost bounded by the input (issue 22): the work of aligning near-duplicate candidates is
counted in steps of `difflib`, never in seconds, and the time budget is kept inside it.

Steps are the lines of `difflib` that run, and of `cleaning.align._longest_match` (its search
for the longest match, done the same way), counted with a line tracer on their frames only:
the work itself, whatever the machine's load.
"""

from __future__ import annotations

import difflib
import random
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import pytest

from cleaning import TimeLimitExceeded, clean
from cleaning.align import TokenAlignment, _longest_match
from cleaning.budget import limited
from cleaning.fingerprint import match_tokens
from cleaning.rules import RULES

#: Lines of difflib run per token of the article, at most, on the shapes below (indexing
#: a block is a few a token; a full quadratic search is thousands).
STEPS_PER_TOKEN = 40


@contextmanager
def difflib_steps() -> Iterator[list[int]]:
    """Count the lines of difflib that run in the block (`count[0]`), its search for the
    longest match in `cleaning.align` included."""
    count = [0]
    target = difflib.__file__
    search = _longest_match.__code__

    def local(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        if event == "line":
            count[0] += 1
        return local

    def trace(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        return local if frame.f_code.co_filename == target or frame.f_code is search else None

    old = sys.gettrace()
    sys.settrace(trace)
    try:
        yield count
    finally:
        sys.settrace(old)


def quad(words: int) -> str:
    """The issue's shape: three blocks of one word repeated, two of them near-duplicates of
    the first."""
    return "\n\n".join(["word " * words, "word " * (words - 1) + "other",
                        "word " * words + "x"])


def test_the_issues_quad_shape_cleans_in_work_linear_in_its_tokens() -> None:
    # Before the bound: 1,000 words a block took ~4 million steps (a quadratic search).
    text = quad(1000)
    with difflib_steps() as steps:
        result = clean(text)
    assert steps[0] <= STEPS_PER_TOKEN * len(match_tokens(text))
    # The same decision as the full search made: both near-duplicates go.
    assert [(r.kind, r.block, r.twin) for r in result.removed] == [
        ("near_duplicate", 1, 0), ("near_duplicate", 2, 0)]


@pytest.mark.parametrize("words", [1000, 4000])
def test_alignment_work_grows_linearly_with_repetition(words: int) -> None:
    b, a = ["w"] * words + ["own"], ["w"] * words
    with difflib_steps() as steps:
        alignment = TokenAlignment.of(b, a)
    assert steps[0] <= STEPS_PER_TOKEN * (len(a) + len(b))
    assert alignment.own == ["own"]
    assert alignment.missing == []


def test_a_pair_too_repetitive_to_confirm_stays_and_says_why() -> None:
    # Different first and last words: neither a common start nor a common end, and the
    # middle is too repetitive to search in full. The full search would align all of it;
    # unsure, the cleaner keeps the block and reports the pair.
    lead = "the storm came at dawn and flooded the coast road before the ferries could leave"
    tail = "the council said the road would stay closed until the engineers had seen it"
    first = " ".join(["Opening", lead, *["word"] * 3000, tail, "closing"])
    second = " ".join(["Beginning", lead, *["word"] * 3000, tail, "ending"])
    result = clean(f"{first}\n\n{second}")
    assert result.removed == []
    assert [(k.block, k.twin, k.reason) for k in result.kept_similar] == [
        (1, 0, RULES["alignment_cut_short"].explanation)]


def test_an_ordinary_near_duplicate_is_aligned_in_full() -> None:
    a = ("The central library will stay open until nine in the evening on weekdays from "
         "next month, the council said in a statement on Tuesday.")
    b = a.replace("stay", "remain")
    alignment = TokenAlignment.of(match_tokens(b), match_tokens(a))
    assert alignment.complete
    assert alignment.own == ["remain"]
    assert alignment.missing == ["stay"]


def test_the_time_budget_is_kept_inside_an_alignment() -> None:
    b, a = ["w"] * 200 + ["own"], ["w"] * 200
    with limited(0.0), pytest.raises(TimeLimitExceeded):
        TokenAlignment.of(b, a)


@pytest.mark.parametrize("alphabet", [2, 3, 8, 50])
def test_the_longest_match_is_difflibs(alphabet: int) -> None:
    """`cleaning.align` searches for the longest match itself (faster when most tokens
    have one place in the other block): the very match difflib finds, bounds and ties
    included."""
    rng = random.Random(alphabet)
    for _ in range(400):
        b = [str(rng.randrange(alphabet)) for _ in range(rng.randrange(40))]
        a = [str(rng.randrange(alphabet)) for _ in range(rng.randrange(40))]
        matcher = difflib.SequenceMatcher(None, b, a, autojunk=False)
        places_of = [[j for j, token in enumerate(a) if token == t] for t in b]
        for _ in range(5):
            blo = rng.randrange(len(b) + 1)
            bhi = rng.randrange(blo, len(b) + 1)
            alo = rng.randrange(len(a) + 1)
            ahi = rng.randrange(alo, len(a) + 1)
            assert _longest_match(places_of, blo, bhi, alo, ahi) == (
                matcher.find_longest_match(blo, bhi, alo, ahi))
