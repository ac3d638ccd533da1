"""Split text into lines and blocks, remembering where each came from in the input.

A block is a paragraph, heading, list item, table row group...: a run of non-blank lines.
Two layouts are common in scraped text, and one rule reads both:

- paragraphs separated by blank lines, possibly hard-wrapped inside (one block each, with
  its lines);
- one paragraph per line, with no blank lines (or a stray one or two): each line is a
  block. This layout is recognised when single line breaks between long lines clearly
  outnumber blank lines, or when a text has no blank line at all and is not one
  hard-wrapped paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import accumulate

from cleaning import budget, chardata
from cleaning.config import CleanConfig
from cleaning.errors import TooManyLines
from cleaning.fingerprint import match_key, tokenise
from cleaning.repair import Needs, Repair, normalize_spaces, repair_line

#: Wider than this (in terminal columns), a line is not hard-wrapped prose.
WRAP_MAX_COLUMNS = 100
#: Narrower than this, lines are a list or a column of words, not wrapped prose.
WRAP_MIN_COLUMNS = 30
#: One blank gap in this many line breaks (or one, in a short text) still leaves a text
#: laid out one paragraph per line: a scraper that put one blank line under the headline
#: (the evaluator's `single_newlines` case) did not switch to blank-line paragraphs.
BLANK_GAPS_IN_PER_LINE_TEXT = 10
#: A line narrower than a hard wrap is a paragraph of its own beside wide ones when it is a
#: sentence of this many words (a headline or a label is shorter, or no sentence).
PARAGRAPH_LINE_MIN_WORDS = 5
#: Two lines of a group that say the same take it apart (`lines_of_their_own`) when they
#: have this many words: a caption or a title, not a label ("Read More", "Yes").
LINE_OF_ITS_OWN_MIN_WORDS = 3


@dataclass(slots=True, init=False)
class Line:
    """One repaired line, the span of the input it came from, and whether it is blank."""

    text: str
    start: int
    end: int
    repairs: Sequence[Repair]
    blank: bool

    def __init__(self, text: str, start: int, end: int, repairs: Sequence[Repair] = ()) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.repairs = repairs
        self.blank = not text or text.isspace()


@dataclass(slots=True, init=False)
class Block:
    """A block of the input: its repaired lines and the input span they cover.

    `group` is the index of the first block of its paragraph group: the lines between two
    blank lines, when they are paragraphs of their own rather than one paragraph (see
    `group_blocks`). Blocks of one group are rendered one line break apart. `line_apart`
    says the block is one line of a list or a caption taken apart to be compared
    (`lines_of_their_own`), not a paragraph."""

    index: int
    lines: list[Line]
    text: str
    group: int
    line_apart: bool

    def __init__(self, index: int, lines: list[Line], text: str | None = None,
                 group: int | None = None, line_apart: bool = False) -> None:
        self.index = index
        self.lines = lines
        if text is None:
            text = lines[0].text if len(lines) == 1 else "\n".join(x.text for x in lines)
        self.text = text
        self.group = index if group is None else group
        self.line_apart = line_apart

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end


#: A blank line, as the blocks are rendered with between them.
BLANK = Line("", 0, 0)


class Layout(Enum):
    """How paragraphs are separated in a text."""

    BLANK_LINES = "blank_lines"
    LINE_PER_BLOCK = "line_per_block"


def split_lines(text: str, config: CleanConfig, max_lines: int | None = None) -> list[Line]:
    """Every line of `text`, repaired, with its span in `text`. Past `max_lines` line
    breaks (None: no limit), `TooManyLines` is raised, as soon as they are found: those a
    repair reveals count too (``&#10;``, the mojibake of U+2028), which `count_lines`
    cannot see in the text.

    >>> [(line.text, line.start, line.end) for line in split_lines("a\\r\\n b \\n", CleanConfig())]
    [('a', 0, 1), ('b', 3, 6), ('', 7, 7)]
    """
    breaks = 0
    if max_lines is not None:
        breaks = count_lines(text)
        if breaks > max_lines:
            raise TooManyLines(max_lines)
    needs = Needs.of(text)
    repairer = _Repairer(config, needs, max_lines, breaks)
    if _other_line_breaks(text, needs):
        return _split_at_every_break(text, repairer)
    # The common case: lines end in "\n" or "\r\n", and most need no repair but spaces.
    # In NFC text (all of it is, or `needs` says otherwise), a line without a character
    # that a repair acts on needs nothing else.
    gate = (None if not needs.anything else chardata.REPAIR_HINT_RE if needs.denormal
            else chardata.AMPERSAND_RE if not (needs.encoding or needs.invisible)
            else chardata.ANY_REPAIR_RE)
    raws = text.split("\n")
    # Spaces at either end of a line, or two in a row, are what normalize_spaces folds.
    # (Per line: a search for two spaces in the whole text is slower, spaces being
    # everywhere in it.) Without them and any other repair, each line is itself: most
    # correct text.
    if gate is None and "\r" not in text and "\t" not in text and not any(
            raw.strip(" ") != raw or "  " in raw for raw in raws):
        starts = accumulate(map((1).__add__, map(len, raws)), initial=0)  # C-level
        return [Line(raw, start, start + len(raw))
                for raw, start in zip(raws, starts, strict=False)]  # a start too many
    return _split_newlines(text, raws, gate, repairer)


def _split_at_every_break(text: str, repairer: _Repairer) -> list[Line]:
    """`split_lines` of a text that breaks lines otherwise than with "\\n" and "\\r\\n"."""
    lines: list[Line] = []
    start = 0
    for n, match in enumerate(chardata.LINE_BREAK_RE.finditer(text)):
        if not n % budget.CHEAP_UNITS_PER_CHECK:
            budget.check()
        repairer.add_line(lines, text, start, match.start())
        start = match.end()
    repairer.add_line(lines, text, start, len(text))
    return lines


def _split_newlines(text: str, raws: list[str], gate: re.Pattern[str] | None,
                    repairer: _Repairer) -> list[Line]:
    """`split_lines` of a text whose lines `raws` end in "\\n" or "\\r\\n": the lines that
    `gate` finds a repair hint in are repaired whole, the others have their spaces
    folded."""
    lines: list[Line] = []
    fold = repairer.config.normalize_whitespace
    crlf = "\r" in text
    starts = list(accumulate(map((1).__add__, map(len, raws)), initial=0))  # a start too many
    # The lines with a hint, from one search of the text, that goes on from the next line
    # after each hint: a gate is one character, never "\r" or "\n". (A search per line
    # made a text with one hint somewhere, such as a 1 MB article, pay a call per line.)
    hinted: set[int] = set()
    if gate is not None:
        found = gate.search(text)
        while found is not None:
            if not len(hinted) % budget.CHEAP_UNITS_PER_CHECK:
                budget.check()
            n = bisect_right(starts, found.start()) - 1
            hinted.add(n)
            found = gate.search(text, starts[n + 1])
    for n, raw in enumerate(raws):
        if not n % budget.CHEAP_UNITS_PER_CHECK:
            budget.check()
        start = starts[n]
        if crlf and raw.endswith("\r"):
            raw = raw[:-1]
        end = start + len(raw)
        if n in hinted:
            repairer.add_line(lines, text, start, end)
        else:
            fixed = normalize_spaces(raw) if fold else raw
            if fixed == raw:
                lines.append(Line(raw, start, end))
            else:
                lines.append(Line(fixed, start, end,
                                  (Repair("normalize_whitespace", "spaces", raw, fixed),)))
    return lines


#: `LINE_BREAK_CHARS` as UTF-8, for counting lines in a body before it is decoded.
_LINE_BREAK_BYTES = tuple(c.encode() for c in chardata.LINE_BREAK_CHARS)


def count_lines(text: str | bytes) -> int:
    """How many line breaks `split_lines` finds in `text`: one per character of
    `chardata.LINE_BREAK_CHARS` ("\\r\\n" counts once), so a text makes one line more
    than this. Counted at C speed, before anything is split: what a limit on lines checks
    (the service's NEWSCLEAN_MAX_LINES), since cleaning's memory grows with them. Bytes
    are counted as the UTF-8 they are most often; a repair that reveals a line break
    (``&#10;``, the mojibake of U+2028) is not foreseen here: `split_lines` counts those
    as it finds them (its `max_lines`).

    >>> count_lines("a\\r\\nb\\u2028c\\rd\\x0ce")
    4
    >>> count_lines("a\\u2028b".encode()) == count_lines("a\\u2028b") == len(split_lines(
    ...     "a\\u2028b", CleanConfig())) - 1
    True
    """
    if isinstance(text, str):
        breaks = sum(map(text.count, chardata.LINE_BREAK_CHARS))
        return breaks - text.count("\r\n") if "\r" in text else breaks
    breaks = sum(map(text.count, _LINE_BREAK_BYTES))
    return breaks - text.count(b"\r\n") if b"\r" in text else breaks


def _other_line_breaks(text: str, needs: Needs) -> bool:
    """Whether `text` breaks lines otherwise than with "\\n" and "\\r\\n" (each test
    a C-level scan, and most texts skip them all)."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return True
    if not text.isascii() and ("\u2028" in text or "\u2029" in text):
        return True
    return needs.controls and chardata.CONTROL_LINE_BREAK_RE.search(text) is not None


class _Repairer:
    """The repair of the lines of one text (one `needs`, one config), line by line.

    A line printed twice is repaired once (`done`): duplicated paragraphs are what
    newsclean is for, and on the typical damaged articles of benchmarks/ab_core.py, 22% of
    the lines repaired were met before in their text. A repair may reveal line breaks:
    past `max_lines` of them, `TooManyLines` is raised before their lines are made."""

    def __init__(self, config: CleanConfig, needs: Needs, max_lines: int | None,
                 breaks: int) -> None:
        """`breaks`: the line breaks of the text (`count_lines`)."""
        self.config, self.needs, self.max_lines = config, needs, max_lines
        self.breaks = breaks  # and those that repairs revealed so far
        self.done: dict[str, tuple[str, list[Repair]]] = {}

    def add_line(self, lines: list[Line], text: str, start: int, end: int) -> None:
        """Add the line ``text[start:end]`` to `lines`, repaired."""
        raw = text[start:end]
        done = self.done.get(raw)
        if done is None:
            done = self.done[raw] = repair_line(raw, self.config, self.needs)
        fixed, repairs = done
        if "\n" not in fixed:
            lines.append(Line(fixed, start, end, repairs))
            return
        self.breaks += fixed.count("\n")
        if self.max_lines is not None and self.breaks > self.max_lines:
            raise TooManyLines(self.max_lines)
        # A repair revealed line breaks (mojibake of U+2028, say): each piece is a line of
        # its own, all of them spanning the one input line they came from, and repaired as
        # one (a piece may hold damage that the whole line's repair did not reach).
        for i, piece in enumerate(fixed.split("\n")):
            piece, more = repair_line(piece, self.config)
            lines.append(Line(piece, start, end, [*repairs, *more] if i == 0 else more))


#: What `join_cut_urls` says of each URL it joins (`Fix.detail`).
CUT_URL_DETAIL = "a link definition's URL, cut by the hard wrap, joined"


def join_cut_urls(lines: list[Line]) -> list[Line]:
    """`lines`, with each markdown link definition that the hard wrap cut joined again.

    Extractors that write markdown hard-wrapped (at 80 columns, say) cut a long URL in a
    link definition at the wrap width, mid-word, and go on on the next line; the link then
    points nowhere, and the rest of its URL reads as a line of text (a line that two
    definitions of one URL both print). A definition is taken as cut when the line under
    it is one run of characters with no space, not a title, and the definition ends there
    (a blank line, another definition or a list item comes next, or nothing), and when
    another definition as wide is cut in the same way: a wrap cuts at one width. The
    pieces are one line again (three, when the second is as wide as the first). Nothing
    else the wrap broke is joined: a wrapped paragraph reads as it is.

    A definition joined is followed by what ended it, so cleaning the result again joins
    nothing more. The rule looks at nothing but the definitions and the lines under them;
    but a line under one that kept it from ending there may go (markup alone, a copy):
    the pipeline then joins it in the article too (`cleaning.pipeline._joins_settled`),
    so that cleaning the output again joins nothing more.

    >>> cut = [Line("[1]: https://example.com/a-long-", 0, 32), Line("path/", 33, 38),
    ...        Line("[2]: https://example.com/a-long-", 39, 71), Line("path/", 72, 77)]
    >>> [line.text for line in join_cut_urls(cut)]
    ['[1]: https://example.com/a-long-path/', '[2]: https://example.com/a-long-path/']
    >>> [line.text for line in join_cut_urls(cut[:2])]  # one alone: no wrap width to see
    ['[1]: https://example.com/a-long-', 'path/']
    """
    return joined_lines(lines, cut_urls(lines))


def cut_urls(lines: Sequence[Line]) -> dict[int, int]:
    """The link definitions of `lines` that `join_cut_urls` joins: the first line of each,
    and how many lines it takes."""
    cuts: dict[int, list[tuple[int, int]]] = {}  # by width: (first line, lines) of each
    n = 0
    while n < len(lines):
        taken = _cut_definition(lines, n)
        if taken:
            cuts.setdefault(len(lines[n].text), []).append((n, taken))
        n += max(1, taken)
    return {first: count for found in cuts.values() if len(found) > 1
            for first, count in found}


def joined_lines(lines: list[Line], joins: dict[int, int]) -> list[Line]:
    """`lines`, with the `joins` (the first line of each, and how many lines it takes)
    made one line each."""
    if not joins:
        return lines
    out: list[Line] = []
    n = 0
    while n < len(lines):
        count = joins.get(n, 1)
        if count == 1:
            out.append(lines[n])
        else:
            cut = lines[n:n + count]
            joined = "".join(piece.text for piece in cut)
            repairs = [*(r for piece in cut for r in piece.repairs),
                       Repair("join_cut_urls", CUT_URL_DETAIL,
                              "\n".join(piece.text for piece in cut), joined)]
            out.append(Line(joined, cut[0].start, cut[-1].end, repairs))
        n += count
    return out


def _cut_definition(lines: Sequence[Line], n: int) -> int:
    """How many lines, from line `n`, a link definition cut by a wrap takes (it and the
    rest of its URL), or 0 if line `n` is no such definition."""
    width = len(lines[n].text)
    if not (WRAP_MIN_COLUMNS <= width <= WRAP_MAX_COLUMNS
            and chardata.LINK_DEFINITION_RE.fullmatch(lines[n].text)):
        return 0
    end = n + 1
    while end < len(lines) and chardata.URL_REST_RE.fullmatch(lines[end].text):
        end += 1
        if len(lines[end - 1].text) != width:
            break  # the last piece: shorter than the wrap
    if end == n + 1:
        return 0
    joined = "".join(line.text for line in lines[n:end])
    if not joined.isascii() and not unicodedata.is_normalized("NFC", joined):
        return 0  # the rest starts with a combining mark: no URL was cut there
    if end < len(lines):
        after = lines[end].text
        if not (lines[end].blank or chardata.LINK_DEFINITION_RE.fullmatch(after)
                or chardata.LIST_MARKER_RE.match(after)):
            return 0
    return end - n


def choose_layout(lines: Sequence[Line]) -> Layout:
    """Decide whether blank lines or line breaks separate the paragraphs of a text."""
    blank_gaps = 0
    single_breaks = 0
    long_breaks = 0
    previous_blank = True
    for i, line in enumerate(lines):
        if line.blank:
            if not previous_blank:
                blank_gaps += 1
            previous_blank = True
            continue
        if not previous_blank:
            single_breaks += 1
            if columns(lines[i - 1].text) > WRAP_MAX_COLUMNS:
                long_breaks += 1
        previous_blank = False
    if blank_gaps and lines[-1].blank:
        blank_gaps -= 1  # the gap after the last paragraph separates nothing
    if single_breaks == 0:
        return Layout.BLANK_LINES
    if blank_gaps == 0:
        content = [line for line in lines if not line.blank]
        return Layout.BLANK_LINES if looks_hard_wrapped(content) else Layout.LINE_PER_BLOCK
    breaks = single_breaks + blank_gaps
    if blank_gaps <= max(1, breaks // BLANK_GAPS_IN_PER_LINE_TEXT) and (
            2 * long_breaks >= single_breaks):
        return Layout.LINE_PER_BLOCK
    return Layout.BLANK_LINES


def looks_hard_wrapped(lines: Sequence[Line], indent: int = 0) -> bool:
    """True when lines were broken by a greedy wrapper: each would have overflowed the
    widest line had it taken the next word. `indent` is how far the wrapper indented the
    lines after the first (a list item's continuation lines stand under its text, past
    its marker), which folding the spaces took away.

    >>> looks_hard_wrapped([Line("Scraped text often comes wrapped at", 0, 0),
    ...                     Line("a fixed width, like this one here.", 0, 0)])
    True
    >>> looks_hard_wrapped([Line("Title", 0, 0), Line("A paragraph of some length.", 0, 0),
    ...                     Line("More.", 0, 0)])
    False
    """
    texts = [line.text for line in lines]
    return _greedy(texts, [columns(t) for t in texts], indent)


def _greedy(texts: Sequence[str], widths: Sequence[int], indent: int) -> bool:
    """`looks_hard_wrapped` of lines whose widths are known."""
    if len(texts) < 2:
        return True
    widest = max([widths[0], *(w + indent for w in widths[1:-1])])
    if not WRAP_MIN_COLUMNS <= widest <= WRAP_MAX_COLUMNS:
        return False
    for n, following in enumerate(texts[1:]):
        first = following.split(" ", 1)[0]
        if chardata.NOSPACE_CHAR_RE.match(first):
            first = first[0]
        if widths[n] + (indent if n else 0) + 1 + columns(first) <= widest:
            return False
    return True


def looks_like_wrapped_paragraph(text: str) -> bool:
    """Whether a block is one line, or a paragraph wrapped at a fixed width, perhaps under a
    first line of its own (a date line over a caption); each line is measured once.

    >>> looks_like_wrapped_paragraph("Updated 5:27 am, Nov. 20\\n"
    ...     "* [A caption wrapped by a markdown writer,\\nwhose lines stand under its text.]")
    True
    """
    if "\n" not in text:
        return True
    texts = text.split("\n")
    widths = [columns(t) for t in texts]
    if _greedy(texts, widths, _marker_width(texts[0])):
        return True
    return len(texts) > 2 and _greedy(texts[1:], widths[1:], _marker_width(texts[1]))


def _marker_width(first_line: str) -> int:
    marker = chardata.LIST_MARKER_RE.match(first_line)
    return len(marker.group()) if marker else 0


def columns(text: str) -> int:
    """Terminal columns of `text`: wide and full-width characters count two."""
    if text.isascii() or len(text) > WRAP_MAX_COLUMNS:
        return len(text)  # past the wrap width, the exact count no longer matters
    # Only the characters outside ASCII are looked up (most lines of such text hold a few
    # curly quotes): a lookup of every character took 0.8% of `clean()` on the typical
    # articles of benchmarks/ab_core.py, this 0.3%.
    return len(text) + sum(1 for ch in chardata.NON_ASCII_RE.findall(text)
                           if unicodedata.east_asian_width(ch) in "WF")


def group_blocks(lines: Sequence[Line], layout: Layout) -> list[Block]:
    """Group lines into blocks under the given layout. Under blank-line paragraphs, the
    lines between two blank lines are one block, unless they are not one paragraph: then
    they are a block each, of one group, when they are paragraphs of their own
    (`separate_paragraphs`: an extractor that left out the blank lines of a few
    paragraphs) or lines that are compared on their own (`lines_of_their_own`: a caption
    printed twice in one group); and a list right under a paragraph is a block of the
    group (`_list_start`)."""
    if layout is Layout.LINE_PER_BLOCK:
        return [Block(n, [line], line.text)
                for n, line in enumerate(line for line in lines if not line.blank)]
    blocks: list[Block] = []
    current: list[Line] = []
    for line in [*lines, BLANK]:
        if not line.blank:
            current.append(line)
        elif current:
            if len(current) == 1:  # most paragraphs: one line
                blocks.append(Block(len(blocks), current, current[0].text))
            else:
                _add_group(blocks, current)
            current = []
    return blocks


def _add_group(blocks: list[Block], lines: list[Line]) -> None:
    """Add the blocks of the lines between two blank lines (two lines or more) to
    `blocks`: a block, or a block each (`separate_paragraphs`, `lines_of_their_own`), and
    a list right under a paragraph a part of its own (`_list_start`), all of one group."""
    group = len(blocks)
    texts = [line.text for line in lines]
    if separate_paragraphs(texts):
        blocks.extend(Block(group + n, [one], one.text, group) for n, one in enumerate(lines))
        return
    text = "\n".join(texts)
    start = _list_start(text)
    for part in ([lines[:start], lines[start:]] if start else [lines]):
        if len(part) > 1 and lines_of_their_own([line.text for line in part]):
            blocks.extend(Block(len(blocks), [line], line.text, group, line_apart=True)
                          for line in part)
        else:
            blocks.append(Block(len(blocks), part, None if start else text, group))


def group_shape(texts: Sequence[str]) -> list[tuple[int, bool]]:
    """The blocks that the lines `texts` of one paragraph group are cut into
    (`group_blocks`, `_add_group`): for each, in order, its count of lines and whether it
    is a line taken apart (`Block.line_apart`). What a group that lost lines is asked, so
    that its lines left are cut as they were when the output is cleaned again.

    >>> group_shape(["Three tips for the road:", "* Check the tyres", "* Check the tyres"])
    [(1, False), (1, True), (1, True)]
    """
    if len(texts) < 2:
        return [(len(texts), False)] if texts else []
    if separate_paragraphs(texts):
        return [(1, False)] * len(texts)
    start = _list_start("\n".join(texts))
    shape: list[tuple[int, bool]] = []
    for part in ([texts[:start], texts[start:]] if start else [texts]):
        if len(part) > 1 and lines_of_their_own(part):
            shape.extend([(1, True)] * len(part))
        else:
            shape.append((len(part), False))
    return shape


def lines_of_their_own(texts: Sequence[str]) -> bool:
    """Whether the lines of a group, which is no hard-wrapped paragraph, are compared one
    by one: one is wider than any hard wrap (so that no line of the group was wrapped, and
    each is a paragraph, a caption or a label of its own, as extractors that keep a page's
    line breaks print them), or two of them say the same (a caption printed twice in a
    row: no wrap prints a line twice). The group stays a group: its lines are rendered a
    line break apart, as they came. Code keeps its lines together. So are the lines of a
    menu (`_a_menu`), as page converters print a page's navigation: no wrap ends every
    other line with a link.

    The test looks at the group alone, not at the rest of the text, so that a group that
    loses lines and is still taken apart is taken apart again when the output is cleaned
    (`cleaning.dedup.DuplicateFinder` keeps a group's lines that would not be).

    >>> lines_of_their_own(["Fire at the harbour (AP)", "Fire at the harbour (AP)"])
    True
    >>> lines_of_their_own(["Scraped text often comes wrapped at", "a fixed width, like this."])
    False
    """
    apart = (any(_wider_than_a_wrap(text) for text in texts)
             and not looks_like_wrapped_paragraph("\n".join(texts))) or _said_twice(texts)
    return (apart and not any(chardata.CODE_SIGN_RE.search(text) for text in texts)) or (
        _a_menu(texts))


def _a_menu(texts: Sequence[str]) -> bool:
    """Whether lines are a menu: list items or links of their own (`chardata.LINK_LINE_RE`),
    half of them links or more (a menu's headings are items without a link: "* Sections").

    >>> _a_menu(["* Sections", "* [Economy](/economy)", "* [Politics](/politics)"])
    True
    >>> _a_menu(["* Two eggs", "* [Flour](/flour)", "* A pinch of salt"])
    False
    """
    links = 0
    for text in texts:  # (one look a line; most groups fail at their first)
        if chardata.LINK_LINE_RE.fullmatch(text):
            links += 1
        elif not chardata.LIST_MARKER_RE.match(text.lstrip()):
            return False
    return 2 * links >= len(texts)


def _wider_than_a_wrap(text: str) -> bool:
    """`columns(text) > WRAP_MAX_COLUMNS`, counted only when the length leaves it open (a
    character takes one column or two)."""
    return len(text) > WRAP_MAX_COLUMNS or (
        2 * len(text) > WRAP_MAX_COLUMNS and columns(text) > WRAP_MAX_COLUMNS)


def _said_twice(texts: Sequence[str]) -> bool:
    """Whether two of `texts` (of `LINE_OF_ITS_OWN_MIN_WORDS` or more) say the same (in
    any script: a line of Chinese has no spaces, its characters are its tokens).

    The lines are tokenised together (`tokenise`, one pass of each string operation over
    the group): every line of every hard-wrapped paragraph is asked this, and one by one
    they took 0.36% of `clean()` on the typical articles of benchmarks/ab_core.py (all of
    it on the hard-wrapped ones), together 0.13%."""
    keys = Counter(map(match_key, tokenise(texts)[0]))
    return len(keys) < len(texts) and any(
        key.count(" ") + 1 >= LINE_OF_ITS_OWN_MIN_WORDS for key, n in keys.items() if n > 1)


def _list_start(text: str) -> int:
    """The line of a block's `text` where a list starts right under a paragraph, with no
    blank line between (as markdown lets a list follow a paragraph), or 0: the two are a
    block each, of one group, so that a caption printed as a list item under a paragraph
    is compared as itself. The paragraph ends a sentence or a label before the list: a
    hard wrap before a spaced dash (``word\\n- word``) starts no list. One scan of the
    block, found in the joined text.

    >>> _list_start("Three tips for the road:\\n* Check the tyres\\n* Fill the tank")
    1
    >>> _list_start("He waited for the bus, and the bus\\n- as ever - came late.")
    0
    """
    if chardata.LIST_MARKER_RE.match(text):
        return 0  # a list, and what follows it
    found = chardata.LIST_UNDER_PARAGRAPH_RE.search(text)
    return text.count("\n", 0, found.end()) if found else 0


def separate_paragraphs(texts: Sequence[str]) -> bool:
    """Whether lines with no blank line between them are paragraphs of their own: each is
    wider than any hard wrap or a whole sentence of a few words, and none is a list item or
    code. (A hard-wrapped paragraph breaks inside its sentences; a list, a table or a code
    sample keeps its lines together.) The test is line by line, so the lines that stay of
    such a group are such a group again: cleaning the output splits it the same way."""
    # (The cheap tests first: most blocks are one hard-wrapped paragraph.)
    if not all(_paragraph_of_its_own(text) for text in texts):
        return False
    return not any(chardata.LIST_MARKER_RE.match(text.lstrip())
                   or chardata.CODE_SIGN_RE.search(text) for text in texts)


def _paragraph_of_its_own(text: str) -> bool:
    """A line wider than any hard wrap, or a whole sentence of a few words."""
    return columns(text) > WRAP_MAX_COLUMNS or (
        len(text.split()) >= PARAGRAPH_LINE_MIN_WORDS
        and chardata.SENTENCE_END_RE.search(text) is not None)
