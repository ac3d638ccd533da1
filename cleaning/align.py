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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise

from cleaning import chardata


@dataclass(frozen=True, slots=True)
class TokenAlignment:
    """Block `b` aligned with block `a`, token by token.

    `own` are the tokens of `b` that have no place in `a` (in order, gallery chrome such as
    "less" and "more" left out), `missing` those of `a` that `b` lacks; `coverage` is the
    share of `b` (chrome aside) found in `a` in order, `ratio` the share of both that aligns.
    `a[start:end]` is the part of `a` that `b` spans, and `gapless` says whether `b` covers
    all of it (whatever `a` lacks of `b` aside).
    """

    own: list[str]
    missing: list[str]
    coverage: float
    ratio: float
    start: int
    end: int
    gapless: bool

    @classmethod
    def of(cls, b: Sequence[str], a: Sequence[str]) -> TokenAlignment:
        matcher = SequenceMatcher(None, b, a, autojunk=False)
        own: list[str] = []
        missing: list[str] = []
        chrome = 0
        matched_a = [(a1, a1 + size) for a1, _, size in
                     ((m.b, m.a, m.size) for m in matcher.get_matching_blocks()) if size]
        start = matched_a[0][0] if matched_a else 0
        end = matched_a[-1][1] if matched_a else 0
        gapless = all(x[1] == y[0] for x, y in pairwise(matched_a))
        for tag, b1, b2, a1, a2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            for token in b[b1:b2]:
                if token in chardata.CHROME_WORDS:
                    chrome += 1
                else:
                    own.append(token)
            missing.extend(a[a1:a2])
        size_b = len(b) - chrome
        matched = size_b - len(own)
        coverage = matched / size_b if size_b else 0.0
        ratio = 2 * matched / (size_b + len(a)) if size_b + len(a) else 1.0
        return cls(own, missing, coverage, ratio, start, end, gapless)
