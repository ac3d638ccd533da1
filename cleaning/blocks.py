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

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import accumulate

from cleaning import budget, chardata
from cleaning.config import CleanConfig
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
    `group_blocks`). Blocks of one group are rendered one line break apart."""

    index: int
    lines: list[Line]
    text: str
    group: int

    def __init__(self, index: int, lines: list[Line], text: str | None = None,
                 group: int | None = None) -> None:
        self.index = index
        self.lines = lines
        if text is None:
            text = lines[0].text if len(lines) == 1 else "\n".join(x.text for x in lines)
        self.text = text
        self.group = index if group is None else group

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


def split_lines(text: str, config: CleanConfig) -> list[Line]:
    """Every line of `text`, repaired, with its span in `text`.

    >>> [(line.text, line.start, line.end) for line in split_lines("a\\r\\n b \\n", CleanConfig())]
    [('a', 0, 1), ('b', 3, 6), ('', 7, 7)]
    """
    lines: list[Line] = []
    needs = Needs.of(text)
    memo: RepairMemo = {}
    if _other_line_breaks(text, needs):
        start = 0
        for n, match in enumerate(chardata.LINE_BREAK_RE.finditer(text)):
            if not n % budget.CHEAP_UNITS_PER_CHECK:
                budget.check()
            _add_line(lines, text, start, match.start(), config, needs, memo)
            start = match.end()
        _add_line(lines, text, start, len(text), config, needs, memo)
        return lines
    # The common case: lines end in "\n" or "\r\n", and most need no repair but spaces.
    # In NFC text (all of it is, or `needs` says otherwise), a line without a character
    # that a repair acts on needs nothing else.
    gate = (None if not needs.anything else chardata.REPAIR_HINT_RE if needs.denormal
            else chardata.AMPERSAND_RE if not (needs.encoding or needs.invisible)
            else chardata.ANY_REPAIR_RE)
    fold = config.normalize_whitespace
    crlf = "\r" in text
    raws = text.split("\n")
    # Spaces at either end of a line, or two in a row, are what normalize_spaces folds.
    # (Per line: a search for two spaces in the whole text is slower, spaces being
    # everywhere in it.) Without them and any other repair, each line is itself: most
    # correct text.
    if gate is None and not crlf and "\t" not in text and not any(
            raw.strip(" ") != raw or "  " in raw for raw in raws):
        starts = accumulate(map((1).__add__, map(len, raws)), initial=0)  # C-level
        return [Line(raw, start, start + len(raw))
                for raw, start in zip(raws, starts, strict=False)]  # a start too many
    start = 0
    for n, raw in enumerate(raws):
        if not n % budget.CHEAP_UNITS_PER_CHECK:
            budget.check()
        width = len(raw) + 1
        if crlf and raw.endswith("\r"):
            raw = raw[:-1]
        end = start + len(raw)
        if gate is not None and gate.search(raw) is not None:
            _add_line(lines, text, start, end, config, needs, memo)
        else:
            fixed = normalize_spaces(raw) if fold else raw
            if fixed == raw:
                lines.append(Line(raw, start, end))
            else:
                lines.append(Line(fixed, start, end,
                                  (Repair("normalize_whitespace", "spaces", raw, fixed),)))
        start += width
    return lines


def _other_line_breaks(text: str, needs: Needs) -> bool:
    """Whether `text` breaks lines otherwise than with "\\n" and "\\r\\n" (each test
    a C-level scan, and most texts skip them all)."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return True
    if not text.isascii() and ("\u2028" in text or "\u2029" in text):
        return True
    return needs.controls and chardata.CONTROL_LINE_BREAK_RE.search(text) is not None


#: A line's repair, by the line: within one text (one `needs`, one config) a line printed
#: twice is repaired once. Duplicated paragraphs are what newsclean is for: on the typical
#: damaged articles of benchmarks/ab_core.py, 22% of the lines repaired were met before in
#: their text.
RepairMemo = dict[str, tuple[str, list[Repair]]]


def _add_line(lines: list[Line], text: str, start: int, end: int, config: CleanConfig,
              needs: Needs, memo: RepairMemo) -> None:
    raw = text[start:end]
    done = memo.get(raw)
    if done is None:
        done = memo[raw] = repair_line(raw, config, needs)
    fixed, repairs = done
    if "\n" not in fixed:
        lines.append(Line(fixed, start, end, repairs))
        return
    # A repair revealed line breaks (mojibake of U+2028, say): each piece is a line of its own,
    # all of them spanning the one input line they came from, and repaired as one (a piece
    # may hold damage that the whole line's repair did not reach).
    for i, piece in enumerate(fixed.split("\n")):
        piece, more = repair_line(piece, config)
        lines.append(Line(piece, start, end, [*repairs, *more] if i == 0 else more))


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
    return len(text) + sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")


def group_blocks(lines: Sequence[Line], layout: Layout) -> list[Block]:
    """Group lines into blocks under the given layout. Under blank-line paragraphs, lines
    between two blank lines that are paragraphs of their own (`separate_paragraphs`: an
    extractor that left out the blank lines of a few paragraphs) are a block each, of one
    group."""
    if layout is Layout.LINE_PER_BLOCK:
        return [Block(n, [line], line.text)
                for n, line in enumerate(line for line in lines if not line.blank)]
    blocks: list[Block] = []
    current: list[Line] = []
    for line in [*lines, BLANK]:
        if not line.blank:
            current.append(line)
        elif current:
            if len(current) > 1 and separate_paragraphs(current):
                group = len(blocks)
                blocks.extend(Block(group + n, [one], one.text, group)
                              for n, one in enumerate(current))
            else:
                blocks.append(Block(len(blocks), current))
            current = []
    return blocks


def separate_paragraphs(lines: Sequence[Line]) -> bool:
    """Whether lines with no blank line between them are paragraphs of their own: each is
    wider than any hard wrap or a whole sentence of a few words, and none is a list item or
    code. (A hard-wrapped paragraph breaks inside its sentences; a list, a table or a code
    sample keeps its lines together.) The test is line by line, so the lines that stay of
    such a group are such a group again: cleaning the output splits it the same way."""
    for line in lines:  # the cheap tests first: most blocks are one hard-wrapped paragraph
        text = line.text
        if columns(text) <= WRAP_MAX_COLUMNS and not (
                len(text.split()) >= PARAGRAPH_LINE_MIN_WORDS
                and chardata.SENTENCE_END_RE.search(text)):
            return False
    return not any(chardata.LIST_MARKER_RE.match(line.text.lstrip())
                   or chardata.CODE_SIGN_RE.search(line.text) for line in lines)
