"""A unified diff from the input to the cleaned text, that GNU patch applies exactly.

The cleaner knows where every output line came from, so the diff is built from that
alignment in linear time, rather than searched for (difflib is quadratic on the texts that
need cleaning most, such as thousands of identical lines). Lines are what patch(1) calls
lines: text up to and including "\\n"; a CR or a U+2028 is part of the line it sits in.
They are held without their "\\n" (the pieces of a split, not copies with a "\\n" added:
making those took two thirds of the diff's time), and the input's last line may lack it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import accumulate

CONTEXT = 3
NO_NEWLINE = "\\ No newline at end of file\n"

Run = tuple[int, int, int]  # equal lines: where in the input, where in the output, how many


def unified_diff(
    original: str,
    out_lines: Sequence[str],
    origins: Sequence[int | None],
    *,
    name: str = "article.txt",
) -> str:
    """The diff that turns `original` into ``"\\n".join(out_lines) + "\\n"``.

    `origins` gives, for each output line, the offset in `original` where the line it came
    from starts, or None for the blank lines that separate blocks.

    >>> print(unified_diff("Title\\n  Body", ["Title", "", "Body"], [0, None, 6]), end="")
    --- a/article.txt
    +++ b/article.txt
    @@ -1,2 +1,3 @@
     Title
    -  Body
    \\ No newline at end of file
    +
    +Body
    """
    a = original.split("\n") if original else []
    if original.endswith("\n"):
        a.pop()  # (the empty piece after the last line break)
        whole = len(a)
    else:
        whole = max(len(a) - 1, 0)  # the last line has no line break: it equals no output line
    b = out_lines
    if a == b and whole == len(a):
        return ""
    skip = min(_common_prefix(a, b), whole)
    # And at the end: after the last removal, the rest of the text is the input's, but for
    # a last line that differs (most often, the input's lacks its newline).
    last = 1 if skip < min(len(a), len(b)) and (a[-1] != b[-1] or whole < len(a)) else 0
    tail = _common_suffix(a, b, skip, last)
    a_end, b_end = len(a) - last - tail, len(b) - last - tail
    runs = _align(a[:a_end], b[:b_end], origins[:b_end], skip)
    if tail:
        _extend(runs, a_end, b_end, tail)
    _extend(runs, len(a), len(b), 0)  # the end: what differs before it is the last change
    return "".join([f"--- a/{name}\n", f"+++ b/{name}\n", *_hunks(a, b, whole, runs)])


def _extend(runs: list[Run], p: int, k: int, length: int) -> None:
    """Add a run after the others, joined to the last one if it follows on from it."""
    p0, k0, length0 = runs[-1]
    if p == p0 + length0 and k == k0 + length0:
        runs[-1] = (p0, k0, length0 + length)
    else:
        runs.append((p, k, length))


def _hunks(a: Sequence[str], b: Sequence[str], whole: int, runs: Sequence[Run],
           n: int = CONTEXT) -> Iterator[str]:
    """The hunks of the changes between the runs, with `n` lines of context, grouped as
    difflib groups them: changes closer than 2n + 1 equal lines share a hunk. The lines of
    `a` from `whole` on (its last, or none) lack their line break."""
    t, last = 0, len(runs) - 1

    def input_lines(mark: str, start: int, end: int) -> str:
        return _marked(mark, a[start:end], end > whole)

    while t < last:
        p, k, length = runs[t]
        context = min(n, length)
        i1, j1 = p + length - context, k + length - context
        body = [input_lines(" ", i1, p + length)] if context else []
        while True:
            x, y = p + length, k + length  # where the change starts
            p, k, length = runs[t + 1]
            # One line is the common change: marked here, without slicing.
            if p > x:
                body.append("-" + a[x] + "\n" if p - x == 1 and x < whole
                            else input_lines("-", x, p))
            if k > y:
                body.append("+" + b[y] + "\n" if k - y == 1 else _marked("+", b[y:k]))
            t += 1
            if t == last or length > 2 * n:
                context = min(n, length)
                if context:
                    body.append(input_lines(" ", p, p + context))
                break
            body.append(" " + a[p] + "\n" if length == 1 and p < whole
                        else input_lines(" ", p, p + length))
        yield f"@@ -{_range(i1, p + context)} +{_range(j1, k + context)} @@\n"
        yield from body


def _marked(mark: str, lines: Sequence[str], open_end: bool = False) -> str:
    """The lines, each after `mark` and ending in a line break; when `open_end`, the last
    lacks it in the text, and gets patch's marker.

    >>> _marked("-", ["a", "b"]), _marked(" ", ["a"], open_end=True)
    ('-a\\n-b\\n', ' a\\n\\\\ No newline at end of file\\n')
    """
    if not lines:
        return ""
    text = mark + ("\n" + mark).join(lines) + "\n"  # (C-level joins)
    return text + NO_NEWLINE if open_end else text


def _common_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    """How many lines `a` and `b` have in common at the start, found by comparing slices
    of doubling length (C-level list comparisons), then halving into the one that differs:
    the cost follows the common part, not the texts, and a text that only lacked its final
    newline is a one-line diff found without walking its lines one by one."""
    n = min(len(a), len(b))
    lo, step = 0, 1  # a[:lo] == b[:lo]
    while lo < n:
        hi = min(n, lo + step)
        if a[lo:hi] == b[lo:hi]:
            lo, step = hi, 2 * step
            continue
        while hi - lo > 1:  # a[lo:hi] differs somewhere
            mid = (lo + hi) // 2
            if a[lo:mid] == b[lo:mid]:
                lo = mid
            else:
                hi = mid
        return lo
    return lo


def _common_suffix(a: Sequence[str], b: Sequence[str], start: int, drop: int = 0) -> int:
    """How many lines `a` and `b` have in common at the end, after their first `start`
    lines and before their last `drop`: `_common_prefix` from the other end."""
    la, lb = len(a) - drop, len(b) - drop
    n = min(la, lb) - start
    lo, step = 0, 1  # a[la - lo:] == b[lb - lo:]
    while lo < n:
        hi = min(n, lo + step)
        if a[la - hi:la - lo] == b[lb - hi:lb - lo]:
            lo, step = hi, 2 * step
            continue
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if a[la - mid:la - lo] == b[lb - mid:lb - lo]:
                lo = mid
            else:
                hi = mid
        return lo
    return lo


def _align(a: Sequence[str], b: Sequence[str], origins: Sequence[int | None],
           skip: int = 0) -> list[Run]:
    """Runs of equal lines (input line, output line, how many), increasing in both: the
    first `skip` lines of each, which are equal (an empty run if none), then the pairs
    that the output lines' origins give. Two runs in a row have a change between them.

    Output lines come from the input in order, so one forward walk finds the input line
    of each: its origin offset only ever grows.
    """
    runs: list[Run] = []
    p0, k0, length = 0, 0, skip  # the run being extended
    if skip < len(a) and skip < len(b):
        where = _input_lines(a, origins[skip:], skip)
        last = previous = skip - 1
        for k, p in enumerate(where, skip):
            if p is None:
                # A separator: a blank input line between the two blocks, if there is one
                # (two separators never follow each other).
                following = where[k - skip + 1] if k - skip + 1 < len(where) else None
                stop = len(a) if following is None else following
                first = (last if last > previous else previous) + 1
                if first >= stop:
                    continue  # the blocks were next to each other
                p = next((q for q in range(first, stop) if not a[q]), None)
                if p is None:
                    continue
            else:
                previous = p
                if p <= last or a[p] != b[k]:
                    continue
            last = p
            if p == p0 + length and k == k0 + length:
                length += 1
            else:
                runs.append((p0, k0, length))
                p0, k0, length = p, k, 1
    runs.append((p0, k0, length))
    return runs


def _input_lines(a: Sequence[str], origins: Sequence[int | None], skip: int,
                 ) -> list[int | None]:
    """For each origin, the input line it falls in (from line `skip` on), or None."""
    # (Each line and its line break: one offset more than lines, the end.)
    offsets = accumulate(map((1).__add__, map(len, a)), initial=0)
    starts: dict[int | None, int] = dict(zip(offsets, range(len(a)), strict=False))
    where = list(map(starts.get, origins))  # the common case: each origin starts a line
    found = [w for w in where[:2] if w is not None]
    if where.count(None) == origins.count(None) and (not found or found[0] >= skip):
        return where
    # Origins inside a line (a line break that patch does not see, such as U+2028) or
    # before line `skip`: one forward walk, as origins only ever grow.
    where = []
    q = skip
    line_end = sum(map(len, a[:skip + 1])) + len(a[:skip + 1])
    for origin in origins:
        if origin is None:
            where.append(None)
            continue
        while origin >= line_end and q + 1 < len(a):
            q += 1
            line_end += len(a[q]) + 1
        where.append(q)
    return where


def _range(start: int, stop: int) -> str:
    length = stop - start
    if length == 1:
        return f"{start + 1}"
    return f"{start if length == 0 else start + 1},{length}"
