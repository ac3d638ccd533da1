"""`clean`: the pipeline, a short sequence of named steps run in this order.

1. ``decode``: bytes to text (declared charset, UTF-8, or detection);
2. ``split_lines``: lines with their input spans, each repaired (entities, encoding,
   invisible characters, whitespace; see `cleaning.repair`), and ``join_cut_urls``: link
   definitions that the hard wrap cut, one line again;
3. ``group_blocks``: lines into blocks, under the layout the text uses;
4. the steps of `cleaning.passes.STEPS`, in the registry's order: those on the article
   once (markup that repairs revealed), then rounds of ``find_headline`` and
   ``DuplicateFinder.decide`` (each round's steps) on the blocks still there, until a
   round removes nothing;
5. ``render``: the kept blocks joined by one blank line, ending in one newline;
6. ``unified_diff``: the patch from the input to that text.
"""

from __future__ import annotations

import gc
import time
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import accumulate
from operator import attrgetter
from typing import NamedTuple

from cleaning import budget
from cleaning import residue as article_steps
from cleaning.blocks import (
    BLANK,
    Block,
    Layout,
    Line,
    choose_layout,
    cut_urls,
    group_blocks,
    group_shape,
    join_cut_urls,
    joined_lines,
    split_lines,
)
from cleaning.config import CLEAN_DEFAULTS, CleanConfig
from cleaning.decode import decode_bytes
from cleaning.dedup import (
    BlockInfo,
    Decision,
    DuplicateFinder,
    PairMemo,
    block_infos,
    kept_record,
    mark_suspects,
)
from cleaning.diff import unified_diff
from cleaning.headline import Headline, find_headline
from cleaning.passes import PASS, PASSES, STEPS
from cleaning.repair import repair_line
from cleaning.result import (
    CleanResult,
    Fix,
    KeptSimilar,
    Removal,
    Run,
    Stats,
)

#: The pass that removes blocks without a twin.
MARKUP_ONLY = PASS["markup_only"]


def clean(
    text: str | bytes,
    config: CleanConfig | None = None,
    *,
    title: str | None = None,
    charset: str | None = None,
    time_limit: float | None = None,
    max_lines: int | None = None,
) -> CleanResult:
    """Clean one article: repair it, drop what repeats, and explain every change.

    `text` may be bytes, decoded with `charset` if given and valid, else UTF-8, else the
    encoding charset-normalizer detects. `title` is the headline if the caller knows it.
    `time_limit` bounds the processor time the call may use, in seconds: past it,
    `TimeLimitExceeded` is raised (see `cleaning.budget`). `max_lines` bounds the line
    breaks the text splits at, once repaired (memory grows with them): past it,
    `TooManyLines` is raised before the blocks are made.

    >>> result = clean("Storm hits coast\\n\\n**Storm hits coast**\\n\\nThe storm came at dawn.")
    >>> print(result.text, end="")
    Storm hits coast
    <BLANKLINE>
    The storm came at dawn.
    >>> [(r.kind, r.twin) for r in result.removed]
    [('repeated_headline', 0)]
    """
    started = time.perf_counter()
    with collector_paused(), budget.limited(time_limit):
        return _clean(text, config or CLEAN_DEFAULTS, title, charset, started, max_lines)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an article is cleaned.

    Cleaning makes a few small objects per line and block, and reference counting frees
    them all: the collector's passes find nothing to free, yet on an article of tens of
    thousands of blocks they cost 40% of the time. (The one exception, datasketch's
    `MinHashLSH`, holds a bound method of itself; the collector frees it once it runs
    again.) The collector runs again on the way out if it ran on the way in, so the caller
    sees it as it was; concurrent calls leave it running once the first of them is done.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _clean(text: str | bytes, config: CleanConfig, title: str | None, charset: str | None,
           started: float, max_lines: int | None) -> CleanResult:
    """The walk: decode, repair, structure and decide, render, diff, explain."""
    encoding = source = None
    if isinstance(text, (bytes, bytearray, memoryview)):
        decoded = decode_bytes(bytes(text), charset)
        text, encoding, source = decoded.text, decoded.encoding, decoded.source
    if title is not None:
        title = repair_line(" ".join(title.split()), config)[0]
    decided = _decided(text, config, title, hold_back=False, max_lines=max_lines)
    if decided.outcome.collapsed:
        decided = _settled(text, config, title, decided)
    if _may_join_cut_urls(decided.rendered.text, config):
        decided = _joins_settled(text, config, title, decided)
    lines, layout, outcome, rendered = decided
    blocks, headline, decisions, similar, residue, _ = outcome
    diff = "" if rendered.text == text else _diff(text, rendered)  # unchanged: common
    runs = _runs(sorted(decisions), decisions, blocks, rendered.spans)
    return CleanResult(
        text=rendered.text,
        headline=headline.text if headline else None,
        removed=_removals(blocks, decisions, residue, rendered.spans, runs),
        runs=runs,
        kept_similar=[replace(k, start=blocks[k.block].start, end=blocks[k.block].end)
                      for k in similar[:config.max_kept_similar]],
        fixes=_fixes(blocks, lines),
        diff=diff,
        stats=Stats(len(blocks), len(rendered.kept), len(text), len(rendered.text),
                    round(time.perf_counter() - started, 6), layout.value),
        encoding=encoding,
        encoding_source=source,
        input_text=text,
        kept_similar_omitted=max(0, len(similar) - config.max_kept_similar),
    )


#: Times the output of an article whose group collapsed is cleaned again, its removals
#: taken as the article's, before lines are held back instead (`_settled`). Of the 2,541
#: real extractor outputs, 68 have a group collapse: 63 are settled as they are, 5 after
#: one more cleaning; two leave room.
SETTLE_ATTEMPTS = 2


def _settled(text: str, config: CleanConfig, title: str | None, first: _Decided,
             keep: frozenset[int] = frozenset()) -> _Decided:
    """The decisions on an article in which a group taken apart lost lines and the rest
    reads as one block (`_Outcome.collapsed`): cleaning the output again reads that block
    as one, and may judge it, or a block beside it, otherwise. So the output is cleaned
    again, and what that removes is removed from the article too (each output block
    mapped to the article's blocks whose lines it holds), until the output is what
    cleaning it again gives. If it does not settle, the lines that keep the group apart
    are held back instead (`cleaning.dedup.DuplicateFinder._held_back`); and if the
    output of that is not what cleaning it again gives (a group it keeps whole may
    collapse there, and settle), it is settled in the same way when it does. The lines
    that start at `keep` stay (`_joins_settled`)."""
    settled = _settling(first, config, title, keep)
    if settled is not None:
        return settled
    held = _decided_on(first.lines, text, config, title, hold_back=True, keep=keep)
    return _settling(held, config, title, keep) or held


def _settling(first: _Decided, config: CleanConfig, title: str | None,
              keep: frozenset[int]) -> _Decided | None:
    """`first` with the removals of cleaning its output again taken back, until the output
    is what cleaning it again gives (`_settled`); None if it is not within
    `SETTLE_ATTEMPTS`."""
    outcome, rendered = first.outcome, first.rendered
    for attempt in range(SETTLE_ATTEMPTS + 1):
        again = _decided(rendered.text, config, title, hold_back=False)
        if again.rendered.text == rendered.text:
            return first._replace(outcome=outcome, rendered=rendered)
        if attempt < SETTLE_ATTEMPTS:
            outcome = _taken_back(outcome, rendered, again.outcome, keep)
            rendered = _Rendered.of(outcome.blocks, outcome.decisions, outcome.residue)
    return None


#: Times the decisions are made again with the link definitions joined that cleaning the
#: output would join (`_joins_settled`); one is the common case.
JOIN_ATTEMPTS = 3


def _joins_settled(text: str, config: CleanConfig, title: str | None, first: _Decided,
                   ) -> _Decided:
    """The decisions on an article whose output holds link definitions cut by a wrap that
    `join_cut_urls` would join, when it did not join them in the article: what kept each
    from ending there (a line under it, not blank) went. Cleaning the output would join
    them, so they are joined in the article's lines now, and the decisions made again on
    those lines, until the output has none left to join. Where lines that went stood
    between the pieces (a definition whose rest stays, say), joining them would join
    what is not one URL, and take the lines between along: those lines stay instead
    (cleaning the output again sees them stay for the same reason)."""
    decided = first
    for _ in range(JOIN_ATTEMPTS):
        joins, between = _joined_again(decided)
        if joins:
            decided = _decided_on(joined_lines(decided.lines, joins), text, config, title,
                                  hold_back=False)
            if decided.outcome.collapsed:
                decided = _settled(text, config, title, decided)
            continue
        if between:
            # (Asked only once no definition is left to join: those joined count no more
            # among the definitions cut at one width, as cleaning the output counts them.)
            decided = _decided_on(decided.lines, text, config, title, hold_back=False,
                                  keep=between)
            if decided.outcome.collapsed:
                decided = _settled(text, config, title, decided, between)
        break
    return decided


def _joined_again(decided: _Decided) -> tuple[dict[int, int], frozenset[int]]:
    """The link definitions that `join_cut_urls` would join in the output: those whose
    pieces are lines in a row of the article, as joins of its lines (the first line of
    each, and how many lines it takes); and where the lines start that went from between
    the pieces of the others."""
    seq: list[Line] = []  # the output's lines, as the article's lines they render
    for gap, block in zip(decided.rendered.gaps, decided.rendered.kept, strict=True):
        if gap == "\n\n":
            seq.append(BLANK)
        seq.extend(block.lines)
    found = cut_urls(seq)
    if not found:
        return found, frozenset()
    lines = decided.lines
    where = {id(line): n for n, line in enumerate(lines)}
    joins: dict[int, int] = {}
    between: set[int] = set()
    for first, count in found.items():
        numbers = [where[id(line)] for line in seq[first:first + count]]
        if numbers == list(range(numbers[0], numbers[0] + count)):
            joins[numbers[0]] = count
        else:
            between.update(lines[n].start for n in range(numbers[0], numbers[-1])
                           if n not in numbers)
    return joins, frozenset(between)


def _taken_back(outcome: _Outcome, rendered: _Rendered, again: _Outcome,
                keep: frozenset[int] = frozenset()) -> _Outcome:
    """`outcome` with the removals of `again` (decisions on `rendered`'s text) mapped back
    to the article's blocks: an output line is the line of the kept block it renders. A
    block with a line that starts at `keep` stays."""
    owner = [block.index for block in rendered.kept for _ in block.lines]
    output_lines = rendered.text.split("\n")
    starts = [0, *accumulate(len(line) + 1 for line in output_lines)]
    blank_before = list(accumulate(not line for line in output_lines))

    def article_blocks(block: Block) -> list[int]:
        numbers = [bisect_right(starts, line.start) - 1 for line in block.lines]
        return sorted({owner[n - blank_before[n]] for n in numbers})

    # An article's block goes only when every output block that holds its lines goes (a
    # block whose lines the output cut into several, one of them a copy of another, is
    # not removed whole: that would lose the others, or name the block its own twin).
    outputs: dict[int, set[int]] = {}
    for i, block in enumerate(again.blocks):
        for b in article_blocks(block):
            outputs.setdefault(b, set()).add(i)
    gone_out = again.decisions.keys() | again.residue.keys()
    kept = _kept_blocks(outcome.blocks, keep) | {b for b, found in outputs.items()
                                                 if not found <= gone_out}
    fresh = {b: Decision(d.kind, article_blocks(again.blocks[d.twin])[0], d.similarity,
                         d.rule)
             for i, d in again.decisions.items() for b in article_blocks(again.blocks[i])
             if b not in kept}
    decisions, residue = _merged(outcome.decisions, outcome.residue, fresh, {
        b: rule for i, rule in again.residue.items() for b in article_blocks(again.blocks[i])
        if b not in kept})
    gone = decisions.keys() | residue.keys()
    similar = [k for k in outcome.similar if k.block not in gone and k.twin not in gone]
    return outcome._replace(decisions=decisions, residue=residue, similar=similar)


def _merged(decisions: dict[int, Decision], residue: dict[int, str],
            fresh: dict[int, Decision], fresh_residue: dict[int, str],
            ) -> tuple[dict[int, Decision], dict[int, str]]:
    """The removals decided so far, with those of a later look taken in (a round on the
    blocks left, or the output cleaned again): a removal whose twin goes now repeats what
    the twin repeats, and one whose twin says nothing says nothing either."""
    residue = {**residue, **fresh_residue}
    merged: dict[int, Decision] = {}
    for i, d in decisions.items():
        while d.twin in fresh:
            d = d.through(fresh[d.twin])
        if d.twin in residue:
            residue[i] = residue[d.twin]
        else:
            merged[i] = d
    merged.update(fresh)
    return merged, residue


class _Decided(NamedTuple):
    """A text's repaired lines, its layout, what repeats what, and the output."""

    lines: list[Line]
    layout: Layout
    outcome: _Outcome
    rendered: _Rendered


def _decided(text: str, config: CleanConfig, title: str | None, hold_back: bool,
             max_lines: int | None = None) -> _Decided:
    """Decide on `text` (`max_lines` at most, once repaired) and render it."""
    lines = split_lines(text, config, max_lines)
    if _may_join_cut_urls(text, config):
        lines = join_cut_urls(lines)
    return _decided_on(lines, text, config, title, hold_back)


def _may_join_cut_urls(text: str, config: CleanConfig) -> bool:
    """Whether `text` may hold a link definition that a hard wrap cut, to join: it holds a
    definition's mark ("]:"). C-level scans, for a "]" first: most texts have none, and a
    search for one character is many times faster than for two (0.3 us on a typical
    article's output, where "]:" took 4.7, 0.7% of `clean()`)."""
    return config.join_cut_urls and "]" in text and "]:" in text


def _decided_on(lines: list[Line], text: str, config: CleanConfig, title: str | None,
                hold_back: bool, keep: frozenset[int] = frozenset()) -> _Decided:
    """Decide on the repaired `lines` of `text` and render them; the blocks with a line
    that starts at `keep` stay."""
    layout, outcome = _structure_and_decide(lines, text, config, title, hold_back, keep)
    return _Decided(lines, layout, outcome,
                    _Rendered.of(outcome.blocks, outcome.decisions, outcome.residue))


def _structure_and_decide(lines: list[Line], text: str, config: CleanConfig,
                          title: str | None, hold_back: bool,
                          keep: frozenset[int] = frozenset()) -> tuple[Layout, _Outcome]:
    """The blocks under the text's layout, and what repeats what among them."""
    layout = choose_layout(lines)
    # Markup, escaped or not, shows a "<" or a "&" in the input (one scan of it).
    markup = MARKUP_ONLY.enabled(config) and ("<" in text or "&" in text)
    outcome = _dedupe(group_blocks(lines, layout), config, title, markup, hold_back, keep)
    if layout is Layout.BLANK_LINES and _relayouts(outcome):
        # Removing blocks left a text that reads as one paragraph per line; clean it that
        # way now, so that cleaning the result again changes nothing.
        layout = Layout.LINE_PER_BLOCK
        outcome = _dedupe(group_blocks(lines, layout), config, title, markup, hold_back, keep)
    return layout, outcome


@dataclass(frozen=True, slots=True)
class _Rendered:
    """The kept blocks as the output: each after its gap, and where each one stands."""

    kept: list[Block]
    gaps: list[str]
    text: str
    #: Where each kept block stands in the output (made only when a block went: the
    #: removals' twins are looked up there).
    spans: dict[int, tuple[int, int]]

    @classmethod
    def of(cls, blocks: list[Block], decisions: dict[int, Decision],
           residue: dict[int, str]) -> _Rendered:
        gone = decisions.keys() | residue if residue else decisions
        kept = [b for b in blocks if b.index not in gone] if gone else blocks
        texts = [b.text for b in kept]
        gaps = _gaps(kept)
        text = "".join(g + t for g, t in zip(gaps, texts, strict=True)) + "\n" if texts else ""
        spans: dict[int, tuple[int, int]] = {}
        if gone:
            offsets = accumulate(len(g) + len(t) for g, t in zip(gaps, texts, strict=True))
            spans = {b.index: (end - len(t), end)
                     for b, t, end in zip(kept, texts, offsets, strict=True)}
        return cls(kept, gaps, text, spans)


def _removals(blocks: Sequence[Block], decisions: dict[int, Decision], residue: dict[int, str],
              spans: dict[int, tuple[int, int]], runs: Sequence[Run]) -> list[Removal]:
    """The record of every removal, in the order of the blocks."""
    in_run = {b for run in runs for b in range(run.start_block, run.end_block + 1)}
    return sorted([
        *(Removal(d.kind, i, blocks[i].text, blocks[i].start, blocks[i].end, d.twin,
                  blocks[d.twin].text, *spans[d.twin], d.similarity, i in in_run,
                  PASS[d.kind].explanation, d.rule)
          for i, d in decisions.items()),
        *(Removal(MARKUP_ONLY.name, i, blocks[i].text, blocks[i].start, blocks[i].end, None,
                  None, None, None, None, False, MARKUP_ONLY.explanation, rule)
          for i, rule in residue.items()),
    ], key=attrgetter("block"))


def _gaps(kept: Sequence[Block]) -> list[str]:
    """What comes before each kept block in the output: nothing before the first, a line
    break after a block of its own paragraph group, else a blank line."""
    return ["" if n == 0 else "\n" if block.group == kept[n - 1].group else "\n\n"
            for n, block in enumerate(kept)]


def _diff(text: str, rendered: _Rendered) -> str:
    """The patch from `text` to its rendering."""
    origins: list[int | None] = []  # where each output line starts in the input
    for gap, block in zip(rendered.gaps, rendered.kept, strict=True):
        if gap == "\n\n":
            origins.append(None)  # the blank line before the block
        if len(block.lines) == 1:
            origins.append(block.lines[0].start)
        else:
            origins.extend([line.start for line in block.lines])
    return unified_diff(text, rendered.text.split("\n")[:-1], origins)


class _Outcome(NamedTuple):
    """What the rounds decided on an article's blocks."""

    blocks: list[Block]
    headline: Headline | None
    #: What repeats what.
    decisions: dict[int, Decision]
    #: What looks alike but stays.
    similar: list[KeptSimilar]
    #: The blocks that say nothing (removed without a twin), with their rule.
    residue: dict[int, str]
    #: Whether a group taken apart lost lines and the rest would read as one block
    #: (`DuplicateFinder.collapsed`), when lines are not held back.
    collapsed: bool


#: Rounds of duplicate decisions on the surviving blocks (one is the common case). A round
#: can leave work for the next: a headline copy taken near the top splits the run of the
#: paste it opens, whose rest the next round aligns. Measured on the fuzzer's worst case
#: (an article of five short blocks pasted 3 to 12 times), rounds settle within 5, however
#: many the pastes; 8 leaves room. Past it, cleaning the output again could change it.
MAX_ROUNDS = 8


def _dedupe(blocks: list[Block], config: CleanConfig, title: str | None,
            markup: bool = True, hold_back: bool = True,
            keep: frozenset[int] = frozenset()) -> _Outcome:
    """Decide on the blocks, then again on the blocks that survive, until a round removes
    nothing: what cleaning the result again would see, it sees now (idempotence).
    `markup` says whether a block can be residue: the `markup_only` pass is on and the
    text holds markup at all.
    Markup that repairs revealed goes first; an inline script is judged among the blocks
    that survive each round, since it depends on its neighbours. `hold_back` says whether
    lines of a group taken apart are kept when the rest would read as one block
    (`DuplicateFinder.decide`). The blocks with a line that starts at `keep` stay."""
    return _Rounds(blocks, config, title, markup, hold_back, keep).run()


class _Rounds:
    """The decision rounds of `_dedupe` on one article's blocks. Each round sees the
    blocks still active (`current`), numbered from 0; its answers are mapped back to the
    blocks' own indices (`active`)."""

    def __init__(self, blocks: list[Block], config: CleanConfig, title: str | None,
                 markup: bool, hold_back: bool, keep: frozenset[int] = frozenset()) -> None:
        self.blocks, self.config, self.title, self.markup = blocks, config, title, markup
        self.hold_back = hold_back
        self.keep = _kept_blocks(blocks, keep)
        self.collapsed = False
        self.residue: dict[int, str] = {}
        if markup:  # the steps on the article: each a function of `cleaning.residue`
            for step in STEPS:
                if step.scope == "article":
                    self.residue.update(dict.fromkeys(
                        [i for i in getattr(article_steps, step.function)(blocks)
                         if i not in self.keep], step.function))
            if self.residue:
                self.residue = _groups_kept_whole(blocks, self.residue)
        self.infos = block_infos([b.text for b in blocks])
        self.lists = False  # whether any block is a line of a list taken apart
        for block, info in zip(blocks, self.infos, strict=True):
            info.group = block.group
            if block.line_apart:
                info.list_group = block.group
                self.lists = True
        self.active = [i for i in range(len(blocks)) if i not in self.residue]
        self.current = ([self.infos[i] for i in self.active] if self.residue
                        else self.infos)
        self.decisions: dict[int, Decision] = {}
        self.similar: dict[tuple[int, int], KeptSimilar] = {}
        self.off = frozenset(p.name for p in PASSES if not p.enabled(config))
        self.memo = PairMemo()  # what a round compared, for the rounds after it

    def run(self) -> _Outcome:
        mark_suspects(self.current, self.config)
        headline: Headline | None = None
        for round_ in range(MAX_ROUNDS):
            budget.check()
            local, local_similar, code, found, collapsed = _decide(
                self.current, self.config, self.title, self.off, self.lists, self.markup,
                self.hold_back, self.memo)
            self.collapsed |= collapsed
            if self.keep:
                local, code = self._kept(local, code)
            if round_ == 0:
                headline = found
            if round_ == 0 and not local and not self.residue and not code:
                # The common case: one round, on all the blocks (so its indices are theirs).
                return _Outcome(self.blocks, headline, self.decisions, local_similar,
                                self.residue, False)
            self._report(local_similar)
            if not local and not code:
                break
            self._settle(local, code)
        residue = self.residue
        kept_similar = sorted((k for k in self.similar.values() if k.block not in self.decisions
                               and k.block not in residue and k.twin not in residue),
                              key=attrgetter("block", "twin"))
        return _Outcome(self.blocks, headline, self.decisions, kept_similar,
                        dict(sorted(residue.items())), self.collapsed)

    def _kept(self, local: dict[int, Decision], code: dict[int, str],
              ) -> tuple[dict[int, Decision], dict[int, str]]:
        """A round's removals (`local`, `code`) but of the blocks that stay (`keep`)."""
        active, keep = self.active, self.keep
        return ({i: d for i, d in local.items() if active[i] not in keep},
                {i: rule for i, rule in code.items() if active[i] not in keep})

    def _report(self, local_similar: list[KeptSimilar]) -> None:
        """Keep this round's look-alikes, under the blocks' own indices (the first report
        of a pair stands)."""
        active = self.active
        for k in local_similar:
            key = (active[k.block], active[k.twin])
            if key not in self.similar:
                self.similar[key] = k if key == (k.block, k.twin) else replace(
                    k, block=key[0], twin=key[1])

    def _settle(self, local: dict[int, Decision], code: dict[int, str]) -> None:
        """Take this round's removals (`local`) and those without a twin (`code`, the
        inline scripts) out of the active blocks."""
        active = self.active
        fresh = {active[i]: Decision(d.kind, active[d.twin], d.similarity, d.rule)
                 for i, d in local.items()}
        self.decisions, self.residue = _merged(self.decisions, self.residue, fresh,
                                               {active[i]: rule for i, rule in code.items()})
        self.active = [i for i in active if i not in self.decisions and i not in self.residue]
        self.current = [self.infos[i] for i in self.active]


def _groups_kept_whole(blocks: Sequence[Block], residue: dict[int, str]) -> dict[int, str]:
    """`residue` (the blocks the article's steps remove), but of the groups whose lines
    left would be cut into other blocks when the output is cleaned again (`group_shape`):
    a group's line of markup alone may be what kept its lines apart (no wrapped
    paragraph, with it among them). Those stay, as it says nothing, and cleaning the
    output again sees the lines as this cleaning does."""
    groups = {blocks[i].group for i in residue}
    members: dict[int, list[Block]] = {}
    for block in blocks:
        if block.group in groups:
            members.setdefault(block.group, []).append(block)
    whole: set[int] = set()
    for group, found in members.items():
        left = [b for b in found if b.index not in residue]
        lines = [line.text for b in left for line in b.lines]
        if len(lines) > 1 and group_shape(lines) != [(len(b.lines), b.line_apart)
                                                      for b in left]:
            whole.add(group)
    if not whole:
        return residue
    return {i: rule for i, rule in residue.items() if blocks[i].group not in whole}


def _kept_blocks(blocks: Sequence[Block], keep: frozenset[int]) -> frozenset[int]:
    """The blocks with a line that starts at one of `keep`."""
    if not keep:
        return frozenset()
    return frozenset(b.index for b in blocks if any(line.start in keep for line in b.lines))


def _headline(infos: list[BlockInfo], config: CleanConfig, title: str | None,
              ) -> tuple[Headline | None, list[int]]:
    return find_headline([i.text for i in infos], [i.key for i in infos],
                         [i.words for i in infos], title, config.headline_max_words)


def _decide(infos: list[BlockInfo], config: CleanConfig, title: str | None,
            off: frozenset[str], lists: bool, markup: bool, hold_back: bool, memo: PairMemo,
            ) -> tuple[dict[int, Decision], list[KeptSimilar], dict[int, str], Headline | None,
                       bool]:
    """One decision round: a function of the blocks alone (their infos) and the config
    (`memo` only spares work: see `PairMemo`): the removals with a twin, the look-alikes
    that stay, the removals without a twin (with their rule), the headline, and whether a
    group collapsed. What a pass switched off (`off`, the names of those of `config`)
    would have removed stays, reported."""
    headline, copies = _headline(infos, config, title)
    finder = DuplicateFinder(infos, config, lists, markup, hold_back, memo)
    decisions, similar = finder.decide(headline.block if headline else None, copies)
    if not off or off.isdisjoint(d.kind for d in decisions.values()):
        return decisions, similar, finder.residue, headline, finder.collapsed
    similar = sorted(
        [*similar, *(kept_record(i, d.twin, d.similarity, "switched_off",
                          f"{d.rule}: {PASS[d.kind].flag} is off")
                     for i, d in decisions.items() if d.kind in off)],
        key=attrgetter("block", "twin"))
    return ({i: d for i, d in decisions.items() if d.kind not in off}, similar,
            finder.residue, headline, finder.collapsed)


def _relayouts(outcome: _Outcome) -> bool:
    blocks, decisions, residue = outcome.blocks, outcome.decisions, outcome.residue
    if not decisions and not residue:
        return False  # the same blocks, the same gaps between them: the same layout
    # The layout of the kept blocks as rendered, one blank line between them. (Counting it
    # from the blocks without rendering them saved 0.5% of `clean()`: not worth a second
    # version.)
    kept = [b for b in blocks if b.index not in decisions and b.index not in residue]
    rendered: list[Line] = []
    for gap, block in zip(_gaps(kept), kept, strict=True):
        if gap == "\n\n":
            rendered.append(BLANK)
        rendered.extend(block.lines)
    return choose_layout(rendered) is Layout.LINE_PER_BLOCK


def _runs(order: Sequence[int], decisions: dict[int, Decision], blocks: Sequence[Block],
          spans: dict[int, tuple[int, int]]) -> list[Run]:
    """Group removed blocks that follow each other and repeat blocks that follow each other."""
    if len(order) < 2:
        return []
    kept_order = {b: n for n, b in enumerate(sorted(spans))}
    runs: list[Run] = []
    group: list[int] = []

    def close() -> None:
        if len(group) >= 2:
            first, last = group[0], group[-1]
            runs.append(Run(first, last, decisions[first].twin, decisions[last].twin,
                            len(group), blocks[first].start, blocks[last].end))

    for i in order:
        if group and (i != group[-1] + 1 or kept_order[decisions[i].twin]
                      != kept_order[decisions[group[-1]].twin] + 1):
            close()
            group = []
        group.append(i)
    close()
    return runs


def _fixes(blocks: Sequence[Block], lines: Sequence[Line]) -> list[Fix]:
    if not any(line.repairs for line in lines):
        return []
    owner = {id(line): block.index for block in blocks for line in block.lines}
    return [Fix(owner.get(id(line)), rep.step, rep.detail, line.start, line.end,
                rep.before, rep.after)
            for line in lines for rep in line.repairs]
