"""How two blocks line up word for word: what verifies a near-duplicate candidate.

Shingle overlap finds candidates, but it undercounts small edits: one word changed in a
20-word paragraph breaks three of its 18 word 3-grams, so the pair looks 0.78 alike. Aligning
the token sequences (`difflib`'s longest matching blocks) sees that edit for what it is: 19 of
20 words in order, and one word of its own.

    >>> a = "the storm came at dawn and flooded the coast road".split()
    >>> b = "the storm came at dawn and closed the coast road".split()
    >>> alignment = TokenAlignment.of(b, a)
    >>> alignment.own, round(alignment.ratio, 2)
    (['closed'], 0.9)

**Bounded work.** `difflib` is quadratic on repetitive sequences: two blocks of 5,500
copies of one word cost 30 million steps in its search for the longest match. So the
search counts its steps before taking them (a *unit* is one position visited, about
0.1 µs): an alignment may take `PAIR_WORK_PER_TOKEN` units per token of the pair, and
all the alignments of one decision round together `AlignmentWork` (units per token of
the round's blocks). A search that would go past either is not started; the pair is
then aligned the cheap way (`_cut_short`): its common start and common end, which are
certainly in order, and `difflib` on what lies between them if that fits in the work
left, else nothing matched there. Such an alignment only ever matches equal tokens in
order, so what it says one block shares with the other is true, and it can only find
less than the full search would: a pair it cannot confirm as a copy stays (precision
first), reported as not aligned in full (`complete` is False). Real text never comes near
the limits: on every input of ../shared/corpus (5,487 texts), the most a pair took is 46
units per token, and a whole article 53 (`benchmarks/bench_adversarial.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import Match, SequenceMatcher
from itertools import accumulate, pairwise, repeat

from cleaning import budget, chardata

#: Search units one alignment may take, per token of its two blocks: more than twice what
#: any pair of real blocks took (46 at most, on every input of ../shared/corpus).
PAIR_WORK_PER_TOKEN = 128
#: Search units all the alignments of one decision round may take, per token of its
#: blocks (a whole real article took 53 at most) ...
ROUND_WORK_PER_TOKEN = 128
#: ... and whatever the article's size (~5 ms of search): short articles align in full.
ROUND_WORK_FLOOR = 1 << 16

#: A matching block: (start in b, start in a, size).
_Match = tuple[int, int, int]


class AlignmentWork:
    """The search units that the alignments of one decision round may still take: made
    per round from its blocks (`for_tokens`), so that a round stays a function of its
    blocks (a round on the same blocks, as cleaning the output again runs, decides the
    same way)."""

    __slots__ = ("left",)

    def __init__(self, units: int) -> None:
        self.left = units

    @classmethod
    def for_tokens(cls, tokens: int) -> AlignmentWork:
        """The work a round on blocks of `tokens` tokens in all may take."""
        return cls(ROUND_WORK_PER_TOKEN * tokens + ROUND_WORK_FLOOR)


@dataclass(frozen=True, slots=True)
class TokenAlignment:
    """Block `b` aligned with block `a`, token by token.

    `own` are the tokens of `b` that have no place in `a` (in order, gallery chrome such as
    "less" and "more" left out), `missing` those of `a` that `b` lacks; `coverage` is the
    share of `b` (chrome aside) found in `a` in order, `ratio` the share of both that aligns.
    `a[start:end]` is the part of `a` that `b` spans, and `gapless` says whether `b` covers
    all of it (whatever `a` lacks of `b` aside). `complete` is False when the search was
    cut short for its cost (see the module's docstring): what is aligned is true, but a
    full search might have aligned more.
    """

    own: list[str]
    missing: list[str]
    coverage: float
    ratio: float
    start: int
    end: int
    gapless: bool
    complete: bool = True

    @classmethod
    def of(cls, b: Sequence[str], a: Sequence[str],
           work: AlignmentWork | None = None) -> TokenAlignment:
        """Align `b` with `a`, taking no more than `work` allows (None: only the pair's
        own limit, `PAIR_WORK_PER_TOKEN`)."""
        work = AlignmentWork(PAIR_WORK_PER_TOKEN * (len(a) + len(b))) if work is None else work
        matches = _search(b, a, work)
        if matches is not None:
            return cls._of_matches(b, a, matches, complete=True)
        return cls._of_matches(b, a, _cut_short(b, a, work), complete=False)

    @classmethod
    def _of_matches(cls, b: Sequence[str], a: Sequence[str], matches: Sequence[_Match],
                    *, complete: bool) -> TokenAlignment:
        """The alignment that `matches` (in order, ending with ``(len(b), len(a), 0)``)
        describe: what does not match is `b`'s own or missing from it."""
        own: list[str] = []
        missing: list[str] = []
        chrome = 0
        matched_a = [(a1, a1 + size) for _, a1, size in matches if size]
        start = matched_a[0][0] if matched_a else 0
        end = matched_a[-1][1] if matched_a else 0
        gapless = all(x[1] == y[0] for x, y in pairwise(matched_a))
        b_at = a_at = 0
        for b1, a1, size in matches:
            for token in b[b_at:b1]:
                if token in chardata.CHROME_WORDS:
                    chrome += 1
                else:
                    own.append(token)
            missing.extend(a[a_at:a1])
            b_at, a_at = b1 + size, a1 + size
        size_b = len(b) - chrome
        matched = size_b - len(own)
        coverage = matched / size_b if size_b else 0.0
        ratio = 2 * matched / (size_b + len(a)) if size_b + len(a) else 1.0
        return cls(own, missing, coverage, ratio, start, end, gapless, complete)


class _TooCostly(Exception):
    """A search would take more units than it may."""


class _CountedMatcher(SequenceMatcher[str]):
    """`difflib`'s matcher (no junk), refusing a search for the longest match whose steps
    would go past its units. A search over ``b[lo:hi]`` visits, for each token there,
    the positions of that token in `a`, and then some: ``hi - lo`` plus those positions
    bound its steps, read off prefix sums in constant time before it starts."""

    def __init__(self, b: Sequence[str], a: Sequence[str], units: int) -> None:
        super().__init__(None, b, a, autojunk=False)
        b2j: dict[str, list[int]] = self.b2j  # type: ignore[attr-defined]  # (undocumented)
        seen = map(len, map(b2j.get, b, repeat(())))
        self._steps = list(accumulate(map((1).__add__, seen), initial=0))
        self.units = units

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0,
                           bhi: int | None = None) -> Match:
        assert ahi is not None  # get_matching_blocks passes every bound
        steps = self._steps[ahi] - self._steps[alo]
        if steps > self.units:
            raise _TooCostly
        self.units -= steps
        budget.check()
        return super().find_longest_match(alo, ahi, blo, bhi)


def _search(b: Sequence[str], a: Sequence[str], work: AlignmentWork) -> list[_Match] | None:
    """`difflib`'s matching blocks of `b` in `a`, or None if finding them would take more
    than the pair's limit or the units left in `work` (which pays for what was spent)."""
    size = len(a) + len(b)  # indexing `a` and summing the steps: one unit a token
    units = min(PAIR_WORK_PER_TOKEN * size, work.left) - size
    if units < 0:
        return None
    matcher = _CountedMatcher(b, a, units)
    try:
        found = matcher.get_matching_blocks()
    except _TooCostly:
        return None
    finally:
        work.left -= size + units - matcher.units
    return [(m.a, m.b, m.size) for m in found]


def _cut_short(b: Sequence[str], a: Sequence[str], work: AlignmentWork) -> list[_Match]:
    """An alignment of `b` with `a` in steps linear in the shorter one: their common
    start, their common end, and between them `difflib`'s matching blocks if the work
    left allows, else none. (Each step compares whole slices, at C speed.)"""
    shorter = min(len(a), len(b))
    head = _common_length(b, a, shorter, lambda s, n: s[:n])
    tail = _common_length(b, a, shorter - head, lambda s, n: s[len(s) - n:])
    matches: list[_Match] = [(0, 0, head)] if head else []
    inner = _search(b[head:len(b) - tail], a[head:len(a) - tail], work)
    matches.extend((head + b1, head + a1, size) for b1, a1, size in inner or () if size)
    if tail:
        matches.append((len(b) - tail, len(a) - tail, tail))
    matches.append((len(b), len(a), 0))
    return matches


def _common_length(b: Sequence[str], a: Sequence[str], most: int,
                   part: Callable[[Sequence[str], int], Sequence[str]]) -> int:
    """The largest ``n <= most`` for which ``part(b, n) == part(a, n)``, by bisection
    (the parts compared grow with `n`: a common start or end)."""
    lo, hi = 0, most
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if part(b, mid) == part(a, mid):
            lo = mid
        else:
            hi = mid - 1
    return lo
