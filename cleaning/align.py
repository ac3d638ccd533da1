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
search counts its steps before taking them (a *unit* is one position visited, 0.1 to 0.3
µs; indexing a block costs `INDEX_UNITS_PER_TOKEN` a token): an alignment may take
`PAIR_WORK_FLOOR` units and `PAIR_WORK_PER_TOKEN` per token of the pair, and all the
alignments of one decision round together `ROUND_WORK_FLOOR` and `ROUND_WORK_PER_TOKEN`
per token of the round's blocks (`AlignmentWork`). A search that would go past either is
not started; the pair is then aligned the cheap way (`_cut_short`): its common start and
common end, which are certainly in order, and `difflib` on what lies between them if that
fits in the work left, else nothing matched there. Such an alignment only ever matches
equal tokens in order, so what it says one block shares with the other is true, though it
may miss what the full search would find: a pair it cannot confirm as a copy stays
(precision first), reported as not aligned in full (`complete` is False).
Once a round's work is spent, its remaining pairs are not looked at: they stay too.

Real text stays within the limits: on every input of ../shared/corpus (5,487 texts) no
alignment is cut short (the most a pair took is 28,904 units, a round 158,535), and every
decision is the one the full search makes. The cost per KB that this bounds is measured
on adversarial shapes in `benchmarks/REPORT-adversarial.md`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from difflib import Match, SequenceMatcher
from itertools import accumulate, pairwise, repeat

from cleaning import budget, chardata

#: Search units one alignment may take: a fixed allowance, more than twice what any pair
#: of real blocks took (28,904 at most, on every input of ../shared/corpus), ...
PAIR_WORK_FLOOR = 1 << 16
#: ... and as many per token of its two blocks: long pairs of real prose align in full
#: until their frequent words ("the", "of") make the search quadratic.
PAIR_WORK_PER_TOKEN = 16
#: Search units all the alignments of one decision round may take, per token of its
#: blocks, and a fixed allowance: a round on real text took 158,535 units at most (5,620
#: tokens), and 35 per token on a short article (34,368 units), about half of these.
ROUND_WORK_PER_TOKEN = 32
ROUND_WORK_FLOOR = 1 << 17

#: What indexing a token of the block aligned with costs, in search steps (measured).
INDEX_UNITS_PER_TOKEN = 3

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
        return cls(ROUND_WORK_FLOOR + ROUND_WORK_PER_TOKEN * tokens)


@dataclass(frozen=True, slots=True)
class TokenAlignment:
    """Block `b` aligned with block `a`, token by token.

    `own` are the tokens of `b` that have no place in `a` (in order, gallery chrome such as
    "less" and "more" left out), `missing` those of `a` that `b` lacks; `coverage` is the
    share of `b` (chrome aside) found in `a` in order, `ratio` the share of both that aligns.
    `a[start:end]` is the part of `a` that `b` spans, and `gapless` says whether `b` covers
    all of it (whatever `a` lacks of `b` aside). `complete` is False when the search was
    cut short for its cost (see the module's docstring): what is aligned is true, but a
    full search might have aligned more; when the round's work is spent, nothing is
    aligned at all (`coverage` and `ratio` 0, `own` empty: the pair was not looked at).
    """

    own: list[str]
    coverage: float
    ratio: float
    start: int
    end: int
    gapless: bool
    complete: bool
    _a: Sequence[str] = field(repr=False, compare=False)
    _matches: Sequence[_Match] = field(repr=False, compare=False)

    @property
    def missing(self) -> list[str]:
        """The tokens of `a` that `b` lacks, in order: listed when asked for (`a` may be
        far longer than `b`, and is, when `b` is a sentence lifted out of it)."""
        missing: list[str] = []
        a_at = 0
        for _, a1, size in self._matches:
            missing.extend(self._a[a_at:a1])
            a_at = a1 + size
        return missing

    @classmethod
    def of(cls, b: Sequence[str], a: Sequence[str], work: AlignmentWork | None = None,
           indexes: _Indexes | None = None) -> TokenAlignment:
        """Align `b` with `a`, taking no more than `work` allows (None: only the pair's
        own limit, `_pair_limit`). `indexes` keeps the index of `a` for the next
        alignment with it (see `AlignmentMemo`)."""
        work = AlignmentWork(_pair_limit(len(a) + len(b))) if work is None else work
        if work.left < _setup_cost(b, a):
            # Not even looked at: a long block met by many short ones (sentences lifted
            # out of it) would cost its length each time.
            return cls([], 0.0, 0.0, 0, 0, False, False, a, [(len(b), len(a), 0)])
        matches = _search(b, a, work, indexes)
        if matches is not None:
            return cls._of_matches(b, a, matches, complete=True)
        work.left -= len(a) + len(b)  # the cheap way looks at both once more
        return cls._of_matches(b, a, _cut_short(b, a, work), complete=False)

    @classmethod
    def _of_matches(cls, b: Sequence[str], a: Sequence[str], matches: Sequence[_Match],
                    *, complete: bool) -> TokenAlignment:
        """The alignment that `matches` (in order, ending with ``(len(b), len(a), 0)``)
        describe: what does not match is `b`'s own or missing from it."""
        own: list[str] = []
        chrome = 0
        matched_a = [(a1, a1 + size) for _, a1, size in matches if size]
        start = matched_a[0][0] if matched_a else 0
        end = matched_a[-1][1] if matched_a else 0
        gapless = all(x[1] == y[0] for x, y in pairwise(matched_a))
        b_at = 0
        for b1, _, size in matches:
            for token in b[b_at:b1]:
                if token in chardata.CHROME_WORDS:
                    chrome += 1
                else:
                    own.append(token)
            b_at = b1 + size
        size_b = len(b) - chrome
        matched = size_b - len(own)
        coverage = matched / size_b if size_b else 0.0
        ratio = 2 * matched / (size_b + len(a)) if size_b + len(a) else 1.0
        return cls(own, coverage, ratio, start, end, gapless, complete, a, matches)


class AlignmentMemo:
    """Complete alignments of block pairs, kept across the decision rounds of one article:
    a later round sees the same blocks, fewer of them, and aligns most of the same pairs
    again (a pair's alignment took a third of a 1 MB article's second round).

    Reading one here decides as aligning again would. A complete search takes a number of
    units that is a function of the pair alone, and finds the same matches whenever the
    units it may take are at least that many (its steps only add up). So a pair read here
    is charged the units it took, and only when the round still has them; otherwise it is
    aligned again, as it would have been, cut short perhaps. An alignment cut short is not
    kept: what it found depended on the work left.

    It keeps the index of each block aligned with (`difflib`'s positions of each token)
    too: a long block met by many short ones (sentences lifted out of it) was indexed
    again for each, most of the time its alignments took. The units are charged as if it
    were indexed again: the work of a round, and so every decision, stays what it was."""

    __slots__ = ("_found", "_indexes")

    def __init__(self) -> None:
        self._found: dict[Hashable, tuple[TokenAlignment, int]] = {}
        self._indexes: _Indexes = {}

    def of(self, key: Hashable, b: Sequence[str], a: Sequence[str],
           work: AlignmentWork) -> TokenAlignment:
        """`TokenAlignment.of(b, a, work)`, for the pair that `key` names (the caller's
        key for `b` and `a`, in that order, unique while this memo lives)."""
        found = self._found.get(key)
        if found is not None and found[1] <= work.left:
            work.left -= found[1]
            return found[0]
        left = work.left
        alignment = TokenAlignment.of(b, a, work, self._indexes)
        if alignment.complete:
            self._found[key] = (alignment, left - work.left)
        return alignment


#: A block's index is kept for its next alignment only from this many tokens on: the long
#: block that many short ones meet (sentences lifted out of one 500 KB line: 0.70-0.79 ms
#: per KB indexed again each time, 0.52 kept). A paragraph's index is cheap to make again,
#: and keeping every one cost 45 MB more at the peak of a 5 MB body of near-duplicate
#: paragraphs (`benchmarks/measure_memory.py`).
INDEX_KEPT_MIN_TOKENS = 2_000

#: Indexes of the blocks aligned with, by the identity of their token list (kept with
#: it, so that the identity names it while the index lives).
_Indexes = dict[int, tuple[Sequence[str], dict[str, list[int]]]]


class _TooCostly(Exception):
    """A search would take more units than it may."""


class _CountedMatcher(SequenceMatcher[str]):
    """`difflib`'s matcher (no junk), refusing a search for the longest match whose steps
    would go past its units. A search over ``b[lo:hi]`` visits, for each token there,
    the positions of that token in `a`, and then some: ``hi - lo`` plus those positions
    bound its steps, read off prefix sums in constant time before it starts."""

    def __init__(self, b: Sequence[str], a: Sequence[str], units: int,
                 indexes: _Indexes | None = None) -> None:
        known = indexes.get(id(a)) if indexes is not None else None
        if known is not None and known[0] is a:
            super().__init__(None, b, (), autojunk=False)  # nothing to index
            # What `set_seq2(a)` sets, without indexing `a` again (no junk: its index is
            # all there is to it).
            vars(self).update(b=a, b2j=known[1])
        else:
            super().__init__(None, b, a, autojunk=False)
            if indexes is not None and len(a) >= INDEX_KEPT_MIN_TOKENS:
                indexes[id(a)] = (a, self.b2j)  # type: ignore[attr-defined]
        b2j: dict[str, list[int]] = self.b2j  # type: ignore[attr-defined]  # (undocumented)
        # The places in `a` of each token of `b`, looked up once: a search looks them up
        # again for every range it scans, in a dict as large as `a` (most of the time
        # spent on the costliest adversarial shape).
        self._places: list[Sequence[int]] = list(map(b2j.get, b, repeat(())))
        self._steps = list(accumulate(map((1).__add__, map(len, self._places)), initial=0))
        self.units = units

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0,
                           bhi: int | None = None) -> Match:
        assert ahi is not None  # get_matching_blocks passes every bound
        steps = self._steps[ahi] - self._steps[alo]
        if steps > self.units:
            raise _TooCostly
        self.units -= steps
        budget.check()
        assert bhi is not None
        return _longest_match(self._places, alo, ahi, blo, bhi)


def _longest_match(places_of: Sequence[Sequence[int]], blo: int, bhi: int, alo: int,
                   ahi: int) -> Match:
    """`difflib.SequenceMatcher.find_longest_match` of `b[blo:bhi]` in `a[alo:ahi]`
    without junk, given the places in `a` of each token of `b` (`places_of`, in order):
    the same match, found the same way. difflib looks each token up in its index of `a`
    and keeps the lengths of the matches that end at the token before in a new dict for
    each token; most tokens have one place in `a` (prose repeats few words within a
    block), and this keeps that one in two names instead. On the costliest shape of
    benchmarks/bench_adversarial.py (two lines of 50,000 distinct words), the search is
    most of the time. (difflib's names swap `a` and `b`.)

    >>> b, a = "x a b c y a b".split(), "a b c a b q".split()
    >>> places_of = [[j for j, token in enumerate(a) if token == t] for t in b]
    >>> _longest_match(places_of, 0, len(b), 0, len(a))
    Match(a=1, b=0, size=3)
    """
    best_b, best_a, best_size = blo, alo, 0
    last_a, last_size = -2, 0  # the one match ending at the token before, if one ...
    ends: dict[int, int] | None = None  # ... or all of them: their end in `a`, their size
    for i in range(blo, bhi):
        places = places_of[i]
        if len(places) == 1:
            j = places[0]
            if alo <= j < ahi:
                if ends is None:
                    size = last_size + 1 if last_a == j - 1 else 1
                else:
                    size, ends = ends.get(j - 1, 0) + 1, None
                last_a, last_size = j, size
                if size > best_size:
                    best_b, best_a, best_size = i - size + 1, j - size + 1, size
            else:
                last_a, ends = -2, None
            continue
        before = ends.get if ends is not None else {last_a: last_size}.get
        ends = {}
        for j in places:
            if j < alo:
                continue
            if j >= ahi:
                break
            size = ends[j] = before(j - 1, 0) + 1
            if size > best_size:
                best_b, best_a, best_size = i - size + 1, j - size + 1, size
    # difflib then extends the match over junk, of which there is none: a longest match
    # cannot be extended over equal tokens either, so it stands as found.
    return Match(best_b, best_a, best_size)


def _setup_cost(b: Sequence[str], a: Sequence[str]) -> int:
    """The units of aligning `b` with `a` before any search: indexing `a` takes about
    three search steps a token, summing the steps and listing `own` one a token of `b`."""
    return INDEX_UNITS_PER_TOKEN * len(a) + len(b)


def _pair_limit(tokens: int) -> int:
    """The search units one alignment of `tokens` tokens in all may take."""
    return PAIR_WORK_FLOOR + PAIR_WORK_PER_TOKEN * tokens


def _search(b: Sequence[str], a: Sequence[str], work: AlignmentWork,
            indexes: _Indexes | None = None) -> list[_Match] | None:
    """`difflib`'s matching blocks of `b` in `a`, or None if finding them would take more
    than the pair's limit or the units left in `work` (which pays for what was spent)."""
    size = _setup_cost(b, a)
    units = min(_pair_limit(len(a) + len(b)), work.left) - size
    if units < 0:
        return None
    matcher = _CountedMatcher(b, a, units, indexes)
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
    middle = len(a) + len(b) - 2 * (head + tail)
    inner = (_search(b[head:len(b) - tail], a[head:len(a) - tail], work)
             if middle <= work.left else None)  # (not copied for nothing)
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
