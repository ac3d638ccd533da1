"""A unified diff from the input to the cleaned text, that GNU patch applies exactly.

The cleaner knows where every output line came from, so the diff is built from that
alignment in linear time, rather than searched for (difflib is quadratic on the texts that
need cleaning most, such as thousands of identical lines). Lines are what patch(1) calls
lines: text up to and including "\\n"; a CR or a U+2028 is part of the line it sits in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

CONTEXT = 3
NO_NEWLINE = "\\ No newline at end of file\n"

Opcode = tuple[str, int, int, int, int]


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
    a = _patch_lines(original)
    b = [line + "\n" for line in out_lines]
    if a == b:
        return ""
    skip = _common_prefix(a, b)
    # And at the end: after the last removal, the rest of the text is the input's, but for
    # a last line that differs (most often, the input's lacks its newline).
    last = 1 if skip < min(len(a), len(b)) and a[-1] != b[-1] else 0
    tail = _common_prefix(a[skip:len(a) - last][::-1], b[skip:len(b) - last][::-1])
    a_end, b_end = len(a) - last - tail, len(b) - last - tail
    matches = _align(original, a[:a_end], b[:b_end], origins[:b_end], skip)
    opcodes = _opcodes(matches, a_end, b_end, skip)
    if tail:
        if opcodes and opcodes[-1][0] == "equal":
            _, x1, _, y1, _ = opcodes.pop()
            opcodes.append(("equal", x1, a_end + tail, y1, b_end + tail))
        else:
            opcodes.append(("equal", a_end, a_end + tail, b_end, b_end + tail))
    if last:
        if opcodes and opcodes[-1][0] != "equal":  # one change with the one before it
            _, x1, _, y1, _ = opcodes.pop()
            opcodes.append(("replace", x1, len(a), y1, len(b)))
        else:
            opcodes.append(("replace", len(a) - 1, len(a), len(b) - 1, len(b)))
    out = [f"--- a/{name}\n", f"+++ b/{name}\n"]
    for group in _grouped(opcodes):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@\n")
        for tag, x1, x2, y1, y2 in group:
            if tag == "equal":
                out.append(_marked(" ", a[x1:x2]))
                continue
            out.append(_marked("-", a[x1:x2]))
            out.append(_marked("+", b[y1:y2]))
    return "".join(out)


def _patch_lines(text: str) -> list[str]:
    if not text:
        return []
    lines = [line + "\n" for line in text.split("\n")]
    if text.endswith("\n"):
        lines.pop()
    else:
        lines[-1] = lines[-1][:-1]
    return lines


def _marked(mark: str, lines: Sequence[str]) -> str:
    """The lines, each after `mark`; a last line without a newline gets patch's marker."""
    if not lines:
        return ""
    text = "".join(lines)  # every line ends in "\n" but perhaps the last: C-level joins
    marked = mark + text.replace("\n", "\n" + mark)
    if text.endswith("\n"):
        return marked[: -len(mark)]
    return marked + "\n" + NO_NEWLINE


def _common_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    """How many lines `a` and `b` have in common at the start: a text that only lacked its
    final newline is a one-line diff, found without walking its lines one by one."""
    n = min(len(a), len(b))
    lo, hi = 0, n  # a[:lo] == b[:lo]; binary search, each step a C-level list comparison
    if a[:n] == b[:n]:
        return n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _align(original: str, a: Sequence[str], b: Sequence[str],
           origins: Sequence[int | None], skip: int = 0) -> list[tuple[int, int]]:
    """Pairs (input line, output line) that are equal, increasing in both, after the first
    `skip` lines of each, which are equal.

    Output lines come from the input in order, so one forward walk finds the input line
    of each: its origin offset only ever grows.
    """
    if skip >= len(a) or skip >= len(b):
        return []  # nothing left to pair
    where: list[int | None] = []
    q = skip
    line_end = sum(map(len, a[:skip + 1]))
    for origin in origins[skip:]:
        if origin is None:
            where.append(None)
            continue
        while origin >= line_end and q + 1 < len(a):
            q += 1
            line_end += len(a[q])
        where.append(q)
    after = len(a)
    next_content: list[int] = [0] * len(where)
    for k in range(len(where) - 1, -1, -1):
        next_content[k] = after
        p = where[k]
        if p is not None:
            after = p
    matches: list[tuple[int, int]] = []
    last = previous = skip - 1
    for k, p in enumerate(where):
        if p is None:
            # A separator: a blank input line between the two blocks, if there is one.
            for q in range(max(last, previous) + 1, next_content[k]):
                if a[q] == "\n":
                    matches.append((q, k + skip))
                    last = q
                    break
            continue
        previous = p
        if p > last and a[p] == b[k + skip]:
            matches.append((p, k + skip))
            last = p
    return matches


def _opcodes(matches: Sequence[tuple[int, int]], len_a: int, len_b: int,
             skip: int = 0) -> list[Opcode]:
    codes: list[Opcode] = [("equal", 0, skip, 0, skip)] if skip else []
    i = j = skip
    for p, k in [*matches, (len_a, len_b)]:
        if p > i or k > j:
            tag = "replace" if p > i and k > j else ("delete" if p > i else "insert")
            codes.append((tag, i, p, j, k))
        if (p, k) == (len_a, len_b):
            break
        if codes and codes[-1][0] == "equal" and codes[-1][2] == p and codes[-1][4] == k:
            codes[-1] = ("equal", codes[-1][1], p + 1, codes[-1][3], k + 1)
        else:
            codes.append(("equal", p, p + 1, k, k + 1))
        i, j = p + 1, k + 1
    return codes


def _grouped(codes: list[Opcode], n: int = CONTEXT) -> Iterator[list[Opcode]]:
    """Hunks with `n` lines of context, as difflib groups them."""
    if not codes:
        return
    codes = list(codes)
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * n:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            yield group
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _range(start: int, stop: int) -> str:
    length = stop - start
    if length == 1:
        return f"{start + 1}"
    return f"{start if length == 0 else start + 1},{length}"
