"""Decide which blocks repeat a kept block, and which only look like one.

The decision is kept apart from fingerprinting (`cleaning.fingerprint`). One round runs the
steps of `cleaning.passes.ROUND_STEPS`, each a method of `DuplicateFinder` of its name, in
the registry's order:

1. ``headline_copies_near_top``: copies of the headline (`cleaning.headline`) near the top;
2. ``duplicate``: exact repeats by matching key, taken as aligned runs: a block pasted twice
   with its neighbours is one run, and a run may take short lines (separators, table
   headers) along with it. On its own, a block goes only when it is long enough to be a
   paragraph and is not a question, so interview questions and attribution lines stay;
3. ``lines_printed_again``: a block's last line printed again after it (a credit);
4. ``headline_copies_further_down``: the headline's other copies;
5. ``similar_blocks``: among long blocks, candidates from an exact shingle index or MinHash
   LSH, each verified on the real shingle sets and judged by the `near_duplicate` and
   `contained` passes in turn, and removed only when the removed block brings no word,
   number or name of its own that its twin lacks;
6. ``inline_scripts``: an inline script among the blocks kept, removed without a twin.

Precision first: every pair that is similar but stays is reported with its reason.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, pairwise
from operator import attrgetter

from cleaning import budget, chardata
from cleaning.align import AlignmentMemo, AlignmentWork, TokenAlignment
from cleaning.blocks import (
    WRAP_MAX_COLUMNS,
    columns,
    group_shape,
    lines_of_their_own,
    looks_like_wrapped_paragraph,
    separate_paragraphs,
)
from cleaning.config import CleanConfig
from cleaning.fingerprint import (
    MinHashFactory,
    Shingle,
    has_nospace,
    match_key,
    match_tokens,
    shingle_count,
    shingle_hash,
    shingle_ids,
    shingles,
    tokenise,
    word_count,
)
from cleaning.headline import COPY_WINDOW, is_question
from cleaning.passes import PASS, ROUND_STEPS, RemovalKind
from cleaning.residue import inline_code_blocks, is_markup_only
from cleaning.result import KeptSimilar
from cleaning.rules import RULES

#: The shapes of blocks that mark a section (`DuplicateFinder._shape`): a line that is no
#: sentence and no mark (a name, a credit, a link) is page chrome as often as a section's.
SECTION_MARKS = frozenset({"question", "heading", "field", "item"})
#: ... but a section of a label and prose ("Northern line", then what happens on it) is one,
#: in sections of this many blocks and more before their last.
LABELLED_SECTION_BLOCKS = 2
#: A block of this many short lines or more that is no wrapped paragraph, list, table or code
#: is a stanza of verse: a chorus or a refrain, which repeats on purpose. (A caption with its
#: credit, printed twice in a gallery, is two lines; an address three.)
STANZA_MIN_LINES = 4
#: A line of verse has this many words or more (a menu's entries have fewer).
VERSE_LINE_MIN_WORDS = 3
#: What verse lines end in (and hard-wrapped prose seldom does, line after line).
VERSE_LINE_ENDS = frozenset(",.;:!?\u2014\u2013-\"\u201d\u2019')")
#: A label of this many words at most may name a section ("Monday", "Lighthouse tour")...
SECTION_NAME_MAX_WORDS = 6
#: ... unless it holds what captions and credits hold: brackets, a slash, a copyright sign.
SECTION_NAME_EXCLUDED_RE = re.compile(r"[()\[\]/\\|\u00a9@]")
#: A gallery's slide counter in front of a caption is this many tokens at most
#: ("image 12 of 40").
SLIDE_COUNTER_MAX_TOKENS = 4
#: Sections that close with the same line are short: a question and its answer, a heading
#: and its step (two blocks before the line). Longer runs of blocks of the same shapes are
#: prose that happens to align with prose: a paragraph pasted again among them goes.
PARALLEL_SECTION_MAX_BLOCKS = 2
#: Exact-key candidates tried per block: the first kept copy and the most recent ones.
RECENT_TWINS = 8
#: An aligned run this long, and a quarter of the article or more, is a paste whatever its
#: blocks are: templates (recipes, docs) repeat shorter sequences.
LONG_RUN = 8
#: ... and that share of the article: a quarter.
PASTE_SHARE_OF_ARTICLE = 4
#: A run of short blocks this long with a sentence among them is a pasted passage, and one
#: of `SHORT_RUN_WITHOUT_CODE` with no code among them; shorter runs of short blocks are
#: the lines of a code sample or a table, which repeat on purpose.
SHORT_RUN_WITH_SENTENCE = 3
SHORT_RUN_WITHOUT_CODE = 4
#: Similarities are reported to this many decimals.
SIMILARITY_DIGITS = 4
#: Words that make a line a sentence rather than a label.
SENTENCE_WORDS = 5
#: A block met more often than this (a separator, a label) does not start a run.
MAX_RUN_START_COUNT = 16
#: How far past a differing block a template's alignment is looked for: up to three
#: blocks that differ, as a shop card's last bullet, its product's name and its price do
#: between the bullets two cards share and the shop's "Available from ..." under each.
TEMPLATE_GAPS = (2, 3, 4)
#: A field of a record holds a phrase, not a paragraph: past this many words, "Label: ..."
#: is a paragraph with a lead-in ("Revamped UX: the app now ..."), pasted like any other.
FIELD_MAX_WORDS = 16
#: A stutter (blocks printed again right after themselves) is looked for up to this many
#: blocks long: a caption with its credit and a date line is the longest seen in real
#: extractor output.
STUTTER_MAX_BLOCKS = 4
#: Fewer words than this repeated in a row may be a chant or a cell ("Yes", "N/A"): kept.
STUTTER_MIN_WORDS = 3
#: How far apart a block and its copy may stand with only copies and gallery chrome
#: between them (a photo credit, then "Image 1 of / 4", "Caption Close", "Image 1 of 4"
#: and the credit again, in real output).
CHROME_GAP = 8
#: Hashtags that make a paragraph an embedded social post (one may be a word of the text).
EMBED_MIN_HASHTAGS = 2
#: Tokens in a date line at the least: a month, a day and a year, or a label and a time
#: ("Updated 5:27 am" is four); "Nov 19" alone may be a cell of a table of games.
DATE_LINE_MIN_TOKENS = 3
#: Runs of a round's passes while lines are kept back to hold their groups apart: on the
#: 3,307 rounds of the real extractor outputs, 113 take two runs and 12 three; the last
#: run keeps every line a group lost.
HOLD_BACK_ATTEMPTS = 4
#: Buttons in a share bar at the least: one word alone ("Share", "Email") may be a label
#: of the article's own.
SHARE_BAR_MIN_TOKENS = 2
#: A recurring label this short between them counts as gallery chrome ("Image 1 of 4" has
#: two words); a longer one is the article's structure.
GALLERY_LABEL_MAX_WORDS = 2


#: Shingle ids (`cleaning.fingerprint.shingle_ids`), or none (a frozenset, shared).
IdSet = set[int] | frozenset[int]


@dataclass(eq=False, slots=True)  # made once per block: frozen would cost 4x as much
class BlockInfo:
    """What the decision needs to know of a block.

    Made for one `clean` call, under one config (`block_infos`): the caches below are filled
    on first use and kept across that call's decision rounds.
    """

    text: str
    tokens: list[str]
    key: str
    words: int
    nospace: bool = False
    #: The key for aligning runs: the matching key, or the folded text of a block that has
    #: no words (a separator such as ``* * *``).
    run_key: str = ""
    #: Whether a near-duplicate pair can hold this block at all (`mark_suspects`).
    suspect: bool = field(default=False, repr=False)
    #: The shingle ids of a suspect that blocks of another key have too and that a core
    #: block has (`mark_suspects`): the only ones through which it can meet a candidate
    #: that counts (see `_ExactIndex`).
    links: IdSet = field(default=frozenset(), repr=False)
    #: Whether a suspect looks for the earlier blocks it may repeat or hold (`mark_suspects`):
    #: every pair that counts has a core block, and is found when the later of the two looks.
    searches: bool = field(default=False, repr=False)
    #: The group of a block that is one line of a list or caption taken apart
    #: (`cleaning.blocks.lines_of_their_own`), or -1.
    list_group: int = -1
    #: The first block of its paragraph group: the blocks rendered a line break apart
    #: (`cleaning.blocks.Block.group`), or -1 when not given.
    group: int = -1
    _shingles: set[Shingle] | None = field(default=None, init=False, repr=False)
    _ids: set[int] | None = field(default=None, init=False, repr=False)
    _sentence: bool | None = field(default=None, init=False, repr=False)

    @property
    def question(self) -> bool:
        return is_question(self.text)

    def shingle_set(self, config: CleanConfig) -> set[Shingle]:
        """The block's shingles, exact: what every decision is verified on."""
        if self._shingles is None:
            self._shingles = shingles(self.tokens, config, self.nospace)
        return self._shingles

    def shingle_ids(self, config: CleanConfig) -> set[int]:
        """The shingles as ints (Python's hash of each), for finding candidates fast:
        CPython does not cache the hash of a tuple, and looking tuples up in a dict's keys
        hashes each one again. `mark_suspects` sets them for the suspects (from the
        tokens, without the tuples); any other block makes them here. A collision of
        two ids (one in 2**64) can only add a candidate, which the exact sets then
        reject."""
        if self._ids is None:
            self._ids = set(map(hash, self.shingle_set(config)))
        return self._ids

    @property
    def sentence(self) -> bool:
        """A complete sentence of a few words, not a code line, a label or a table cell.
        (Kept: every round asks it of every paragraph.)"""
        if self._sentence is None:
            self._sentence = self.words >= SENTENCE_WORDS and chardata.ends_sentence(self.text)
        return self._sentence

    @property
    def specific(self) -> bool:
        """Whether the block states something of its own: a number, or a name (a
        capitalised word past the first)."""
        if chardata.DIGIT_RE.search(self.text):
            return True
        # (A list item's first word follows its marker: "- Porridge with apple".)
        text = chardata.LIST_MARKER_RE.sub("", self.text.lstrip(), count=1)
        return any(word[:1].isupper() for word in text.split()[1:])

    @property
    def interface_message(self) -> bool:
        """A sentence made of the page's interface words alone ("Media playback is
        unsupported on your device"): it says nothing of the article. (The call to read on,
        "Continue reading the main story", is not one: see `chardata.INTERFACE_WORDS`.)"""
        return (self.words >= SENTENCE_WORDS
                and chardata.INTERFACE_WORDS.issuperset(self.tokens))

    @property
    def share_bar(self) -> bool:
        """A line of share buttons alone ("Facebook Twitter Email Print"): it says nothing
        of the article."""
        return (len(self.tokens) >= SHARE_BAR_MIN_TOKENS
                and chardata.SHARE_WORDS.issuperset(self.tokens)
                and not chardata.SHARE_VERBS.isdisjoint(self.tokens))

    @property
    def image_label(self) -> bool:
        """A photo's credit or alt text on a line of its own ("Photo: Hau Dinh, AP",
        "Image: Protesters outside parliament"): printed again under another photo, or
        under the same photo's copy in a gallery, it says nothing new."""
        return "\n" not in self.text and chardata.IMAGE_LABEL_RE.match(self.text) is not None

    @property
    def date_line(self) -> bool:
        """A date and its label alone ("Published 11:34 PM EST Nov 19, 2019"), no name:
        a month, a weekday or a clock time among numbers and the words of dates."""
        tokens = self.tokens
        if len(tokens) < DATE_LINE_MIN_TOKENS or not any(map(str.isdigit, tokens)):
            return False
        if not all(t.isdigit() or t in chardata.DATE_LINE_WORDS for t in tokens):
            return False
        return (not chardata.MONTH_AND_DAY_WORDS.isdisjoint(tokens)
                or chardata.CLOCK_RE.search(self.text) is not None)

    @property
    def prose(self) -> bool:
        """One line, or lines wrapped as a paragraph (under a first line such as a date,
        perhaps): not code, a table or a list."""
        return looks_like_wrapped_paragraph(self.text)


def block_infos(texts: Sequence[str]) -> list[BlockInfo]:
    """What the decision needs of each block, tokenised in one pass over the article."""
    infos = []
    all_tokens, maybe_nospace = tokenise(texts)
    for text, tokens, maybe in zip(texts, all_tokens, maybe_nospace, strict=True):
        key = match_key(tokens)
        run_key = key or "\x00" + " ".join(text.split())
        nospace = maybe and has_nospace(text)
        infos.append(BlockInfo(text, tokens, key, word_count(text, tokens, nospace, key),
                               nospace, run_key))
    return infos


@dataclass
class Decision:
    """Why a block goes: the rule that decided (`cleaning.rules`), its kind, the kept block
    it repeats and how similar they are."""

    kind: RemovalKind
    twin: int
    similarity: float
    rule: str

    @classmethod
    def by(cls, rule: str, twin: int, similarity: float = 1.0) -> Decision:
        """The decision of `rule` (its kind is the rule's pass)."""
        kind = RULES[rule].kind
        assert kind is not None, f"{rule} is a rule that keeps"
        return cls(kind, twin, similarity, rule)

    def through(self, removal: Decision) -> Decision:
        """This decision, once its twin has gone by `removal`: it repeats what the twin
        repeated, by the same rule. An exact copy (`Pass.exact`) takes on the other's kind
        and similarity; a copy of a headline copy is a headline copy; any other chain of
        two inexact copies is a part of what the last twin says."""
        if PASS[removal.kind].exact:
            return Decision(self.kind, removal.twin, self.similarity, self.rule)
        if PASS[self.kind].exact:
            return Decision(removal.kind, removal.twin, removal.similarity, self.rule)
        kind: RemovalKind = "repeated_headline" if self.kind == "repeated_headline" else "contained"
        return Decision(kind, removal.twin, min(self.similarity, removal.similarity), self.rule)


def kept_record(block: int, twin: int, similarity: float, rule: str,
                detail: str = "") -> KeptSimilar:
    """The record of a look-alike that stays, by a rule that keeps (`cleaning.rules`)."""
    explanation = RULES[rule].explanation
    if "{detail}" in explanation:
        reason = explanation.format(detail=detail)
    else:
        reason = explanation + (f" ({detail})" if detail else "")
    return KeptSimilar(block, twin, similarity, reason, rule=rule)


class PairMemo:
    """What comparing two blocks found, kept across the decision rounds of one `clean`
    call: a later round sees the same blocks, fewer of them, and compares most of the same
    pairs again (on a 1 MB article, the second round's near-duplicate search cost as much
    as the first). Each entry is a function of the two blocks alone (their tokens, under
    the call's one config), so a round that reads it decides as one that computes it
    (`AlignmentMemo` says how alignments are charged to the round's work)."""

    __slots__ = ("alignments", "shared")

    def __init__(self) -> None:
        #: What a later block shares with an earlier one (`DuplicateFinder._shared`).
        self.shared: dict[tuple[BlockInfo, BlockInfo], int] = {}
        self.alignments = AlignmentMemo()


class DuplicateFinder:
    """One round of an article's duplicate decisions, on the blocks it is given. Use
    `decide`."""

    def __init__(self, infos: Sequence[BlockInfo], config: CleanConfig,
                 lists: bool = True, markup: bool = False, hold_back: bool = True,
                 memo: PairMemo | None = None) -> None:
        """`lists` says whether any block may be a line of a list taken apart
        (`BlockInfo.list_group`): the pipeline knows, and spares the look. `markup` says
        whether a block may be residue (the `markup_only` pass is on and the text holds
        markup at all). `hold_back` says whether to keep the lines a group would read as
        one block without (`decide`). `memo` holds what earlier rounds on the same blocks
        compared."""
        self.infos = infos
        self.config = config
        self.markup = markup
        self.hold_back = hold_back
        #: Whether a group taken apart lost lines and the rest would read as one block
        #: (found when lines are not held back).
        self.collapsed = False
        self.memo = memo or PairMemo()
        self.decisions: dict[int, Decision] = {}
        #: The blocks removed without a twin (`markup_only`), with the rule that decided.
        self.residue: dict[int, str] = {}
        self.similar: list[KeptSimilar] = []
        self._dependents: dict[int, list[int]] = defaultdict(list)
        self._keys = [info.run_key for info in infos]
        self._counts: dict[str, int] = Counter(self._keys)
        self._headline_key: str | None = None
        self._headline_block: int | None = None
        self._headline_copies: Sequence[int] = ()
        self._kept_back: set[int] = set()  # lines that keep their group apart (`decide`)
        self._list_sizes: dict[int, int] = Counter(
            [info.list_group for info in infos if info.list_group >= 0]) if lists else {}

    @cached_property
    def _work(self) -> AlignmentWork:
        """The alignment work this round may do (made at its first alignment)."""
        return AlignmentWork.for_tokens(sum([len(info.tokens) for info in self.infos]))

    def decide(self, headline_block: int | None, headline_copies: Sequence[int],
               ) -> tuple[dict[int, Decision], list[KeptSimilar]]:
        """Run the steps of a round (`cleaning.passes.ROUND_STEPS`) on the blocks, in the
        registry's order; the blocks removed without a twin are then in `residue`.

        A line of a group taken apart whose removal would leave the group reading as one
        block is kept (`_held_back`), and the steps run again with it kept, so that every
        decision is made on the blocks that stay: what cleaning the output again sees.
        Without `hold_back`, such a group is only noted (`collapsed`): the pipeline holds
        lines back only when cleaning its output again would change it."""
        self._headline_block, self._headline_copies = headline_block, headline_copies
        self._headline_key = (self.infos[headline_block].run_key
                              if headline_block is not None else None)
        for attempt in range(HOLD_BACK_ATTEMPTS):
            for step in ROUND_STEPS:
                getattr(self, step.function)()
            held = self._held_back() if self._list_sizes else set()
            if not held or not self.hold_back:
                self.collapsed = bool(held)
                break
            if attempt == HOLD_BACK_ATTEMPTS - 2:
                # The last run keeps every line a group lost: no group can lose one then.
                held = {k for blocks in self._groups_apart().values() for k in blocks
                        if k in self.decisions}
            self._kept_back |= held
            self.decisions, self.similar, self.residue = {}, [], {}
            self._dependents.clear()
        self.similar.sort(key=attrgetter("block", "twin"))
        return self.decisions, self.similar

    def headline_copies_near_top(self) -> None:
        """The headline's copies near the top (`COPY_WINDOW`)."""
        self.repeated_headline(self._headline_block,
                               [i for i in self._headline_copies if i < COPY_WINDOW])

    def headline_copies_further_down(self) -> None:
        """The headline's copies further down, that no step took since."""
        self.repeated_headline(self._headline_block,
                               [i for i in self._headline_copies
                                if i >= COPY_WINDOW and i not in self.decisions])

    def inline_scripts(self) -> None:
        """The inline scripts among the blocks the round keeps (`inline_code_blocks`),
        removed without a twin; so is a block that repeats one, saying nothing either."""
        if not self.markup:
            return
        decided = self.decisions  # (what a pass switched off decided stays)

        def stays(i: int) -> bool:
            return i not in decided or not PASS[decided[i].kind].enabled(self.config)

        # A script is markup alone: without one, the blocks are not listed (a long article
        # has a "&" or a "<" somewhere, and listed its thousands of blocks every round).
        if not any(stays(i) and is_markup_only(info.text, revealed=False)
                   for i, info in enumerate(self.infos) if "<" in info.text):
            return
        kept = [(i, info.text) for i, info in enumerate(self.infos) if stays(i)]
        code = set(inline_code_blocks(kept)) - self._kept_back
        if not code:
            return
        code.update(i for i, d in self.decisions.items() if d.twin in code)
        for i in sorted(code):
            self.decisions.pop(i, None)
            self.residue[i] = "inline_script"

    def _held_back(self) -> set[int]:
        """The lines removed from a group taken apart (`lines_of_their_own`) to keep, when
        the lines left of it would be grouped otherwise when the output is cleaned again
        (`cleaning.blocks._add_group`), and so judged otherwise: read as one block, they
        could repeat another (kept then: one line wider than a wrap, which keeps the group
        apart, or else all of them); read as paragraphs of their own, they are no longer
        the items of a list (kept then: one line that is no paragraph of its own)."""
        held: set[int] = set()
        for lines, blocks in self._groups_apart().items():
            gone = [k for k in lines if k in self.decisions or k in self.residue]
            left = [self.infos[k].text for k in lines if k not in gone]
            if len(left) < 2 or not gone:
                continue
            if separate_paragraphs(left):
                held.update([k for k in gone if not separate_paragraphs([self.infos[k].text])][:1])
            elif not lines_of_their_own(left):
                wide = [k for k in gone if columns(self.infos[k].text) > WRAP_MAX_COLUMNS]
                held.update(wide[:1] or gone)
            elif self._cut_otherwise([k for k in blocks if k not in gone]):
                # Its lines left are cut into other blocks (a list under them is cut off
                # first, and what is above it judged alone): keep every line it lost.
                held.update(gone)
        return held

    def _groups_apart(self) -> dict[tuple[int, ...], list[int]]:
        """The groups with lines taken apart: the lines taken apart of each (the key), and
        all its blocks (a paragraph over a list taken apart is a block of it too)."""
        apart = {info.list_group for info in self.infos if info.list_group >= 0}
        blocks: dict[int, list[int]] = defaultdict(list)
        for i, info in enumerate(self.infos):
            if info.group in apart:
                blocks[info.group].append(i)
        return {tuple(k for k in found if self.infos[k].list_group >= 0): found
                for found in blocks.values()}

    def _cut_otherwise(self, kept: list[int]) -> bool:
        """Whether the lines of the blocks `kept` of a group, a line break apart as they are
        rendered, are cut into other blocks when the output is cleaned again
        (`group_shape`)."""
        infos = self.infos
        lines = [line for k in kept for line in infos[k].text.split("\n")]
        return group_shape(lines) != [(infos[k].text.count("\n") + 1, infos[k].list_group >= 0)
                                      for k in kept]

    def repeated_headline(self, headline_block: int | None, copies: Sequence[int]) -> None:
        """The `repeated_headline` pass: remove `copies` of the headline block (found by
        `cleaning.headline.find_headline`)."""
        if headline_block is None:
            return
        head = set(self.infos[headline_block].tokens)
        for i in copies:
            copy = set(self.infos[i].tokens)
            sim = len(copy & head) / len(copy | head) if copy | head else 1.0
            self._remove(i, Decision.by("headline_copy", headline_block,
                                        round(sim, SIMILARITY_DIGITS)))

    # ------------------------------------------------------------------ exact repeats

    def duplicate(self) -> None:
        """The `duplicate` pass: exact repeats (the same matching key), as runs, stutters,
        copies past gallery chrome, isolated pastes, interface notices, share bars, chrome
        around the body, date lines and embedded posts."""
        counts = self._counts
        kept_by_key: dict[str, list[int]] = {}
        inside: tuple[int, int] = (-1, 0)  # (end, offset) of a run already found not to count
        after_run = 0
        no_paste_until = 0  # the end of the last run found to be no paste
        # Only blocks whose key is met again can repeat or be repeated.
        for i in [i for i, key in enumerate(self._keys) if counts[key] > 1]:
            if i < after_run or i in self.decisions:
                continue
            key = self._keys[i]
            earlier = kept_by_key.get(key)
            if not earlier:
                kept_by_key[key] = [i]
                continue
            best_len, best_j = self._best_run(i, earlier, inside)
            if best_len >= 2 and self._run_qualifies(i, best_j, best_len):
                abridged = self._abridged(i, best_j, best_len)
                if abridged:
                    self._remove_abridged(abridged, kept_by_key)
                    continue
                after_run = self._remove_copies(i, best_j, best_len, "pasted_run")
                continue
            if best_len >= LONG_RUN:
                inside = (i + best_len, i - best_j)
            if best_len >= 2:
                no_paste_until = max(no_paste_until, i + best_len)
            after_run = self._in_a_row(i, earlier) or after_run
            if i not in self.decisions and i >= after_run:
                self._alone(i, earlier, kept_by_key, best_j, best_len, i < no_paste_until)

    def _abridged(self, i: int, j: int, length: int) -> list[tuple[int, int]]:
        """The run from `i` on repeats the one from `j` on: if the earlier copy goes on
        inside the later one past blocks that only the later one prints, each in the group
        of the block before (a list printed whole, whose teaser printed its first item), the earlier
        is a teaser of the later, complete copy: the pairs (earlier block, later block) of
        the teaser, every block of it from `j` on; else none. The complete copy stays whole
        (a list cut in two by removing its first items as copies of the teaser would read
        as two lists)."""
        infos, keys, decided = self.infos, self._keys, self.decisions
        pairs = [(j + t, i + t) for t in range(length)]
        p, q = j + length, i + length  # the next block of each copy
        skipped = False
        while p < i and q < len(keys):
            group = infos[q - 1].group  # (the group the later copy's last match is in)
            while (q < len(keys) and group >= 0 and infos[q].group == group
                   and keys[q] != keys[p]):
                q += 1  # a block the later copy prints alone, in that group
                skipped = True
            if q == len(keys) or keys[q] != keys[p] or q in decided:
                break
            while p < i and q < len(keys) and keys[p] == keys[q] and q not in decided:
                pairs.append((p, q))
                p, q = p + 1, q + 1
        return pairs if skipped and pairs[-1][1] >= i + length else []

    def _remove_abridged(self, pairs: list[tuple[int, int]],
                         kept_by_key: dict[str, list[int]]) -> None:
        """Remove the teaser's blocks as copies of the complete copy's; the later blocks
        are then the first kept copies of their keys."""
        for teaser, full in pairs:
            self._remove(teaser, Decision.by("abridged_copy", full))
            key = self._keys[teaser]
            kept = [k for k in kept_by_key.get(key, []) if k != teaser]
            if kept:
                kept_by_key[key] = kept
            else:
                kept_by_key.pop(key, None)

    def _best_run(self, i: int, earlier: list[int], inside: tuple[int, int],
                  ) -> tuple[int, int]:
        """The longest run from block `i` on that repeats kept blocks from one of the
        `earlier` copies of `i` on: its length and where the twin run starts."""
        best_len, best_j = 0, earlier[0]
        if self._counts[self._keys[i]] > MAX_RUN_START_COUNT:
            # A run does not start at a line met everywhere (a separator, a label): it may
            # only pass through one. That keeps the search linear.
            return best_len, best_j
        twins = (earlier[:1] + earlier[-RECENT_TWINS:] if len(earlier) > RECENT_TWINS
                 else earlier)
        for j in twins:
            if i < inside[0] and i - j == inside[1]:
                continue  # a tail of a run already judged
            length = self._aligned(i, j)
            if length > best_len:
                best_len, best_j = length, j
        return best_len, best_j

    def _in_a_row(self, i: int, earlier: list[int]) -> int:
        """Remove the copies that block `i` makes with the blocks just before it (a
        stutter, a copy with leaked markup, a copy past gallery chrome) and return the
        block after them, or 0 if there are none."""
        # (A stutter needs its key among the blocks just before: a C-level test first.)
        near = self._keys[max(0, i - STUTTER_MAX_BLOCKS):i]
        stutter = self._stutter(i) if self._keys[i] in near else 0
        if (stutter == 1 and self._markup_in_first(i - 1, i) and i - 1 in earlier
                and not self._dependents[i - 1]):
            # The first copy holds markup that leaked (an image's alt text with its
            # link): the plain copy under it stays. (Only a kept copy can give way: the
            # block before may be one that a run passed over, in no list of copies.)
            self._remove(i - 1, Decision.by("plain_copy_kept", i))
            earlier[earlier.index(i - 1)] = i
            return i + 1
        if stutter:
            return self._remove_copies(i, i - stutter, stutter, "stutter")
        if i - earlier[-1] <= CHROME_GAP and self._again_past_chrome(i, earlier[-1]):
            self._remove(i, Decision.by("past_gallery_chrome", earlier[-1]))
            return i + 1
        return 0

    def _alone(self, i: int, earlier: list[int], kept_by_key: dict[str, list[int]],
               best_j: int, best_len: int, in_a_run: bool) -> None:
        """Judge block `i`, an exact repeat of the `earlier` blocks that no pasted run
        took: a paste, chrome printed again, or structure that stays. `in_a_run` says it
        repeats along with a neighbour, in a run that is no paste: then it is no isolated
        paste either (two bullets that two product cards share)."""
        first = earlier[0]
        if self._menu_again(i):
            self._remove(i, Decision.by("menu_again", first))
            return
        once = self._pasted_once(i)
        contents = once and self._contents_entry(first, i)
        # Only a block met twice can go alone, so only its context needs reading.
        template = once and self._template(i, best_j, max(best_len, 1))
        parallel = not template and self._closes_sections(i, first, once, best_j, best_len)
        structure = template or in_a_run or parallel  # what no isolated paste is
        if once and not structure and not contents and self._pasted_alone(i):
            if self._in_a_box(first) and not self._in_a_box(i):
                # The first copy stands in a highlights box, the second in the body: the
                # body keeps its sentence.
                self._remove(first, Decision.by("box_copy", i))
                kept_by_key[self._keys[i]] = [i]
            else:
                self._remove(i, Decision.by("pasted_alone", first))
            return
        chrome = self._chrome_again(i, first, once, best_j, best_len)
        if chrome:
            self._remove(i, Decision.by(chrome, first))
        else:
            self.similar.append(kept_record(i, first, 1.0,
                                             self._why_kept(i, once, template or in_a_run,
                                                            parallel, contents)))
            earlier.append(i)

    def _chrome_again(self, i: int, first: int, once: bool, best_j: int, best_len: int,
                      ) -> str | None:
        """The rule by which block `i`, an exact repeat of block `first` and no paste,
        goes as chrome printed again (a player's notice, a share bar, a line around the
        body, a date line, an embedded post), or None: it stays."""
        info = self.infos[i]
        if info.interface_message:
            return "interface_notice"
        if info.share_bar:
            return "share_bar_again"
        if info.image_label:
            return "image_label_again"
        if self._around_the_body(i, self._keys[i]):
            return "chrome_around_body"
        if once and self._date_line_again(i, first):
            return "date_line_again"
        if not once and self._embedded_post_again(i, best_j, best_len):
            return "embedded_post_again"
        return None

    @cached_property
    def _body(self) -> range:
        """The blocks from the article's first paragraph to its last (a sentence of
        `min_words` or more), or nothing when it has fewer than two."""
        infos, min_words = self.infos, self.config.min_words

        def paragraph(k: int) -> bool:
            return infos[k].words >= min_words and infos[k].sentence

        # Read from either end up to the first paragraph met: the blocks between them need
        # no look (on the 1 MB article of benchmarks/bench_adversarial.py, looking at every
        # block was 3% of `clean()`).
        first = next(filter(paragraph, range(len(infos))), None)
        if first is None:
            return range(0)
        last = next(filter(paragraph, reversed(range(first, len(infos)))))
        return range(first, last + 1) if last > first else range(0)

    def _around_the_body(self, i: int, key: str) -> bool:
        """Whether block `i`, a line shorter than a paragraph, is page chrome that an
        extractor leaked above the article and again below it (a navigation or promo
        line): every copy stands outside the body, one above it and one below. A line
        repeated inside the body (a question asked of each guest, a table's header, an
        attribution under each item) is the body's structure and stays."""
        body = self._body
        if (not body or i < body.stop or self.infos[i].words >= self.config.min_words
                or key == self._headline_key):
            return False  # (the headline's copies are the headline pass's to judge)
        first, first_from_body = self._key_spans[key]
        return (first < body.start and first_from_body >= body.stop
                and not self._goes_on_from(i) and not self._goes_on_from(first)
                and chardata.PERSON_NAME_RE.fullmatch(self.infos[i].text) is None)

    def _goes_on_from(self, k: int) -> bool:
        """Whether block `k` goes on with the sentence of the block before it (a hard wrap
        left a line of one's own: "the response" / "body"): it opens with a small letter,
        and the block before ends no sentence."""
        text = self.infos[k].text
        return k > 0 and chardata.goes_on(self.infos[k - 1].text, text)

    @cached_property
    def _key_spans(self) -> dict[str, tuple[int, int]]:
        """For each key: where it is met first, and first from the body's start on (made
        only for the rare line around the body)."""
        start, end = self._body.start, len(self._keys)
        spans: dict[str, tuple[int, int]] = {}
        for k, key in enumerate(self._keys):
            first, from_body = spans.get(key, (k, end))
            if k >= start and from_body == end:
                from_body = k
            spans[key] = (first, from_body)
        return spans

    def _why_kept(self, i: int, once: bool, template: bool, parallel: bool = False,
                  contents: bool = False) -> str:
        """The rule that keeps block `i`, an exact repeat that no removal rule took."""
        if self.infos[i].question:
            return "interview_question"
        if parallel:
            return "parallel_sections"
        if template:
            return "template"
        if contents:
            return "contents_entry"
        if self._field(i):
            return "record_field"
        if self._stanza(i):
            return "stanza"
        return "short_structure" if once else "met_three_times"

    def _closes_sections(self, i: int, first: int, once: bool, j: int, length: int) -> bool:
        """Whether block `i` closes a section parallel to its first copy's (met twice), or
        opens the run of `length` blocks that repeats the run from `j` on as the body of
        parallel sections (`_in_parallel_sections`)."""
        return ((once and self._in_parallel_sections(i, first))
                or (length > 1 and self._in_parallel_sections(i, j, length)))

    def _in_parallel_sections(self, i: int, j: int, length: int = 1) -> bool:
        """Whether block `j` and its copy `i` (or the runs of `length` blocks from each)
        close two short sections of one structure: the blocks between them
        (`PARALLEL_SECTION_MAX_BLOCKS` at most) have, one for one, the shapes of as many
        blocks before `j`, and one of those marks a section (a question, a heading, a field,
        a list item; or a label over prose): an FAQ's "call us" under each answer, a step's
        "Click Save" under each step, a profile's closing line. A run of two blocks or more
        under a label counts too ("Monday", then the recipe; "Tuesday", then the same
        recipe). A paragraph pasted again stands among prose that does not repeat so."""
        n = i - j - length
        if not 0 < n <= PARALLEL_SECTION_MAX_BLOCKS or j < n:
            return False
        between = [self._shape(k) for k in range(j + length, i)]
        under_a_label = "label" in between and (
            length > 1 or (n >= LABELLED_SECTION_BLOCKS and "prose" in between)
            or (n == 1 and self._names_a_section(i - 1) and self._names_a_section(j - 1)))
        if not (under_a_label or SECTION_MARKS.intersection(between)):
            return False
        return between == [self._shape(k) for k in range(j - n, j)]

    def _names_a_section(self, k: int) -> bool:
        """Whether block `k`, a label, names the section under it ("Monday", "Lighthouse
        tour"): a line of a few words with no mark of a caption or a credit (no brackets,
        slash or credit word, no chrome), which a paragraph pasted under a photo has; not
        a short sentence ("Work starts in May."), nor the article's headline."""
        info = self.infos[k]
        if k == self._headline_block or chardata.ends_sentence(info.text):
            return False  # (the article's headline, or a short sentence: no section's name)
        return (info.words <= SECTION_NAME_MAX_WORDS and "\n" not in info.text
                and not SECTION_NAME_EXCLUDED_RE.search(info.text)
                and chardata.CREDIT_WORDS.isdisjoint(info.tokens)
                and not chardata.INTERFACE_WORDS.issuperset(info.tokens))

    def _shape(self, k: int) -> str:
        """What block `k` is in a section's structure (`_in_parallel_sections`)."""
        info = self.infos[k]
        if info.question:
            return "question"
        if chardata.MARKDOWN_HEADING_RE.match(info.text) or (
                info.text.endswith((":", "\uff1a")) and "\n" not in info.text):
            return "heading"  # (a line that ends in a colon heads what follows: "MAYOR:")
        if chardata.LIST_MARKER_RE.match(info.text.lstrip()):
            return "item"
        if self._field(k):
            return "field"
        if info.sentence or info.words >= self.config.min_words:
            return "prose"  # (a paragraph that ends in a note, "[M1]", is prose too)
        if info.tokens[:1] and info.tokens[0] in chardata.CREDIT_WORDS:
            return "credit"
        return "lines" if "\n" in info.text else "label"  # (a table, an address: no label)

    def _embedded_post_again(self, i: int, j: int, length: int) -> bool:
        """Whether block `i`, met three times or more, is an embedded post printed again (a
        social post's text with its hashtags, as extractors print an embed once per
        placeholder): a paragraph on its own, not a field or a question, in no template.
        Met twice, such a paragraph goes as any isolated paste does."""
        info = self.infos[i]
        return (len(chardata.HASHTAG_RE.findall(info.text)) >= EMBED_MIN_HASHTAGS
                and self._stands_alone(i) and not self._field(i)
                and not self._template(i, j, max(length, 1)))

    def _date_line_again(self, i: int, j: int) -> bool:
        """Whether block `i` prints the article's date line again, away from its head: the
        first copy `j` stands in the head, where bylines and date lines are, and `i` below
        it (at the foot, as some pages print it). Dates met three times or more are the
        items of a list, each with its own date, and stay (`_pasted_once` is asked first)."""
        return j < COPY_WINDOW <= i and self.infos[i].date_line

    def lines_printed_again(self) -> None:
        """Remove a one-line block that repeats the last line of the block just before it,
        as a gallery prints a caption with its credit and then the credit again: a part of
        that block, printed on its own (`contained`). A caption written on one line ends
        with its credit: the credit printed again after it goes as well, and nothing else
        that ends a line (a sentence quoted again after its paragraph stays). Only a line
        that says something of its own counts (`_says_something`)."""
        infos, decided, keys = self.infos, self.decisions, self._keys
        # (The key of such a block ends the key of the block before: a C-level test first.)
        ends = [i for i, (before, key) in enumerate(pairwise(keys), 1)
                if before.endswith(key) and before != key]
        for i in ends:
            before, tokens = infos[i - 1].text, infos[i].tokens
            if "\n" in infos[i].text or i in decided or i - 1 in decided:
                continue
            if "\n" in before:
                if match_key(match_tokens(before.rsplit("\n", 1)[1])) != infos[i].key:
                    continue
            elif not (tokens and tokens[0] in chardata.CREDIT_WORDS
                      and infos[i - 1].tokens[-len(tokens):] == tokens):
                continue
            if not self._says_something(range(i, i + 1)):
                continue
            share = len(tokens) / len(infos[i - 1].tokens)
            self._remove(i, Decision.by("line_after_block", i - 1,
                                        round(share, SIMILARITY_DIGITS)))

    def _remove_copies(self, i: int, j: int, length: int, rule: str) -> int:
        """Remove the `length` blocks from `i` on as copies of those from `j` on (a run, a
        stutter), and return the block after them. A twin that went itself hands on what
        it repeats."""
        for t in range(length):
            twin = j + t
            if twin in self.decisions:
                twin = self.decisions[twin].twin
            self._remove(i + t, Decision.by(rule, twin))
        return i + length

    def _aligned(self, i: int, j: int) -> int:
        """How many blocks from `i` on repeat the kept blocks from `j` on, one for one."""
        keys, n, t = self._keys, len(self._keys), 0
        decided = self.decisions
        while i + t < n and j + t < i and i + t not in decided and keys[i + t] == keys[j + t]:
            t += 1
        return t

    def _run_qualifies(self, i: int, j: int, length: int) -> bool:
        """A pasted run is mostly (by words) blocks that occur just twice, is no template
        with one slot varied, and holds a paragraph or is three blocks or more."""
        run = range(i, i + length)
        if self._template(i, j, length):
            return False
        if length >= max(LONG_RUN, len(self.infos) // PASTE_SHARE_OF_ARTICLE):
            return True  # a quarter of the article again: a paste, whatever it holds
        if self._in_parallel_sections(i, j, length):
            return False  # the body of two sections, each under its own label or question
        once = [k for k in run if self._pasted_once(k)]
        # Mostly, by words: a section pasted again keeps its heading, which may be met a
        # third time in a table of contents; a template's labels carry few words.
        if 2 * sum(self.infos[k].words for k in once) <= sum(self.infos[k].words for k in run):
            return False
        if any(self._stands_alone(k) for k in once):
            return True
        # Three short blocks or more with a sentence among them, or four with no code among
        # them, are a pasted passage. Otherwise they are the lines of a code sample or a
        # table, which repeat on purpose.
        if length >= SHORT_RUN_WITH_SENTENCE and any(self.infos[k].sentence for k in run):
            return True
        return length >= SHORT_RUN_WITHOUT_CODE and not any(
            chardata.CODE_RE.search(self.infos[k].text) for k in run)

    def _template(self, i: int, j: int, length: int) -> bool:
        """True when the alignment of `i..` with `j..` goes on past a differing block or two
        on either side: the same sequence with a slot filled differently, as docs, code
        samples and recipes repeat on purpose."""
        if self._shared_by_lists(i, j, length):
            return True
        keys = self._keys
        for gap in TEMPLATE_GAPS:
            # The blocks compared must be each copy's own context, not the other copy's.
            if j - gap >= 0 and i - gap > j and keys[i - gap] == keys[j - gap]:
                return True
            after_i, after_j = i + length - 1 + gap, j + length - 1 + gap
            if after_i < len(keys) and after_j < i and keys[after_i] == keys[after_j]:
                return True
        return False

    def _markup_in_first(self, j: int, i: int) -> bool:
        """Whether block `j` holds HTML markup and its copy `i` does not."""
        return ("<" in self.infos[j].text and "<" not in self.infos[i].text
                and chardata.HTML_TAG_RE.search(self.infos[j].text) is not None)

    def _shared_by_lists(self, i: int, j: int, length: int) -> bool:
        """Whether the `length` lines from `i` on and those from `j` on are items that two
        lists share, each list holding items of its own besides: product cards that share
        most bullets. Items are no sentences: a paragraph printed again is a copy wherever
        it stands. A list whose every line is printed again is a copy too, and so is a
        line printed again in its own list."""
        return (self._inside_a_list(i, length) and self._inside_a_list(j, length)
                and self.infos[i].list_group != self.infos[j].list_group
                and not any(self.infos[k].sentence for k in range(i, i + length)))

    def _inside_a_list(self, i: int, length: int) -> bool:
        group = self.infos[i].list_group
        return group >= 0 and self._list_sizes[group] > length and all(
            self.infos[k].list_group == group for k in range(i, i + length))

    def _menu_again(self, i: int) -> bool:
        """Whether block `i` is an entry of a menu printed again (a page's navigation in its
        header and its footer, or for wide and narrow screens): one link and nothing else
        (`chardata.LINK_LINE_RE`) beside another such link that is printed again too: the
        block before or after it, or another line of its group (`cleaning.blocks._a_menu`).
        Its copy says the same and leads to the same place; a link on its own beside prose
        (a "Read more" under each section) is the article's and stays."""
        if chardata.LINK_LINE_RE.fullmatch(self.infos[i].text) is None:
            return False  # (most blocks: the links of the article are not looked for)
        links, by_group = self._links_printed_again
        if i not in links:
            return False
        group = self.infos[i].group
        return (i - 1 in links or i + 1 in links
                or (group >= 0 and any(k != i for k in by_group.get(group, ()))))

    @cached_property
    def _links_printed_again(self) -> tuple[set[int], dict[int, list[int]]]:
        """The blocks that are one link alone and are printed again, and the first two of
        them in each group: what `_menu_again` asks, made once, and only when a repeated
        block reaches it."""
        links: set[int] = set()
        by_group: dict[int, list[int]] = defaultdict(list)
        for k, info in enumerate(self.infos):
            if (self._counts[self._keys[k]] > 1
                    and chardata.LINK_LINE_RE.fullmatch(info.text) is not None):
                links.add(k)
                if info.group >= 0 and len(by_group[info.group]) < 2:
                    by_group[info.group].append(k)
        return links, by_group

    def _pasted_once(self, i: int) -> bool:
        """A paste repeats a block once; a block met three times or more is a template."""
        return self._counts[self._keys[i]] == 2

    def _stands_alone(self, i: int) -> bool:
        info = self.infos[i]
        return info.words >= self.config.min_words and not info.question

    def _contents_entry(self, first: int, i: int) -> bool:
        """Whether block `first` is an entry of a table of contents and its copy `i` the
        section's heading: the entry a list item, the heading none, and no sentence (a
        heading ends in no full stop; a highlights box lists whole sentences). A heading
        that carries its anchor ("Looking at the Year (#looking-at-the-year)") counts its
        words, and is as long as a paragraph: the body's heading stays, with its entry. A
        link to another page (a menu's entry printed again under the story) is no
        heading."""
        entry, heading = self.infos[first].text, self.infos[i].text
        return (chardata.LIST_MARKER_RE.match(entry.lstrip()) is not None
                and chardata.LIST_MARKER_RE.match(heading.lstrip()) is None
                and not chardata.ends_sentence(heading)
                and chardata.OTHER_PAGE_LINK_RE.search(entry + "\n" + heading) is None)

    def _pasted_alone(self, i: int) -> bool:
        """Whether block `i`, met twice with no neighbour repeating along, is a paste: a
        paragraph, or a complete sentence (a highlights box repeats the body's sentences).
        Headings, labels, table cells, questions and the fields of records (a meal plan's "Lunch:
        ...", a spec sheet's "Weight: ...") are structure and stay."""
        info = self.infos[i]
        if self._field(i):
            return False  # a field of a record ("Lunch: lentil soup") repeats its value
        if chardata.MARKDOWN_HEADING_RE.match(info.text):
            return False  # a section's heading, listed again in a table of contents
        if self._stanza(i):
            return False  # a chorus, sung again after the next verse
        return self._stands_alone(i) or (info.sentence and not info.question and info.prose)

    def _again_past_chrome(self, i: int, j: int) -> bool:
        """Whether block `i` is printed again after its copy `j` with nothing of the article
        between them: only gallery chrome ("Caption", "Close"), cells without words and
        short labels that recur ("Image 1 of 4"), as a photo credit recurs through a
        gallery. A block of the article's own between them (a day's name or a recipe in a
        meal plan) makes `i` part of a structure."""
        if not 1 < i - j <= CHROME_GAP:
            return False
        counts, keys, infos = self._counts, self._keys, self.infos
        # (The blocks between first: most copies have a paragraph there, found at once.)
        return all(infos[k].words == 0 or chardata.CHROME_WORDS.issuperset(infos[k].tokens)
                   or (counts[keys[k]] > 1 and infos[k].words <= GALLERY_LABEL_MAX_WORDS)
                   for k in range(j + 1, i)) and self._says_something(range(i, i + 1))

    def _says_something(self, blocks: range) -> bool:
        """Whether blocks repeated in a row state something of their own (a number or a
        name), in words, and are not code: what makes their repetition a copy."""
        return self._worded(blocks) and any(self.infos[k].specific for k in blocks)

    def _worded(self, blocks: range) -> bool:
        """Whether blocks repeated in a row are words, not a chant, a cell or code: together
        `STUTTER_MIN_WORDS` words or more, and no code."""
        infos = [self.infos[k] for k in blocks]
        return (sum(info.words for info in infos) >= STUTTER_MIN_WORDS
                and not any(chardata.CODE_SIGN_RE.search(info.text) for info in infos))

    @cached_property
    def _last(self) -> dict[str, int]:
        """Where each key is met last (made only for the rare isolated paste)."""
        return {key: n for n, key in enumerate(self._keys)}

    def _in_a_box(self, i: int) -> bool:
        """Whether block `i` stands beside another sentence that is printed again further
        on: a box of sentences lifted from the article ("Highlights"), not the article's
        own run of paragraphs."""
        keys, counts, infos = self._keys, self._counts, self.infos
        for n in (i - 1, i + 1):
            if 0 <= n < len(keys) and counts[keys[n]] == 2 and infos[n].sentence and (
                    self._last[keys[n]] > n):
                return True
        return False

    def _stanza(self, i: int) -> bool:
        """Whether block `i` is a stanza of verse: `STANZA_MIN_LINES` lines or more, each of
        a few words and narrower than a wrap, no list, table or code, and ending in
        punctuation, all but one (a wrap breaks a sentence anywhere, and a menu's lines end
        in none; verse breaks at its commas): a chorus or a refrain, which a song or a poem
        repeats on purpose."""
        lines = self.infos[i].text.split("\n")
        if len(lines) < STANZA_MIN_LINES or any(
                columns(line) > WRAP_MAX_COLUMNS or len(line.split()) < VERSE_LINE_MIN_WORDS
                or "|" in line or "\t" in line or chardata.LIST_MARKER_RE.match(line.lstrip())
                or chardata.CODE_SIGN_RE.search(line) for line in lines):
            return False
        punctuated = sum(1 for line in lines if line.rstrip()[-1:] in VERSE_LINE_ENDS)
        return punctuated >= len(lines) - 1

    def _field(self, i: int) -> bool:
        """A field of a record: a label, a colon and a short value ("Lunch: lentil soup")."""
        info = self.infos[i]
        return (info.words <= FIELD_MAX_WORDS and ":" in info.text
                and chardata.FIELD_RE.match(info.text) is not None)

    def _stutter(self, i: int) -> int:
        """How many blocks from `i` on repeat, one for one, the blocks just before them:
        a date line, or a caption with its credit, printed twice in a row. Only blocks that
        state something of their own (a number or a name) count, or several blocks one of
        which is a paragraph long (a gallery's slide printed twice whole, its long caption
        in common words, "Previous" and "Next" and all): a line of common words printed
        twice ("Continue reading the main story") is chrome that some pages really show
        twice, harmless to keep; a separator, a cell without words or code never counts."""
        keys, decided = self._keys, self.decisions
        for length in range(1, min(STUTTER_MAX_BLOCKS, i) + 1):
            if keys[i - length] != keys[i] or i + length > len(keys) or (
                    keys[i - length:i] != keys[i:i + length]):
                continue
            blocks = range(i, i + length)
            if any(k in decided for k in blocks):
                return 0
            if self._says_something(blocks) or (length > 1 and any(
                    self.infos[k].words >= self.config.min_words for k in blocks)) or (
                    length == 1 and self._pair_alone(i)):
                return length
            return 0
        return 0

    def _pair_alone(self, i: int) -> bool:
        """Whether block `i` and the block before it, the same line, are a group of their
        own, taken apart (an image's alt text over its caption: "Experimenting with
        parameter values" twice between blank lines), and is no code nor a call to read on
        ("Continue reading the main story", which `_stutter` keeps). A line said twice
        inside a longer group may be a song's ("Pull the rope and bring her in")."""
        infos = self.infos
        group = infos[i].list_group
        return (group >= 0 and infos[i - 1].list_group == group
                and (i < 2 or infos[i - 2].list_group != group)
                and (i + 1 == len(infos) or infos[i + 1].list_group != group)
                and chardata.CHROME_WORDS.isdisjoint(infos[i].tokens)
                and self._worded(range(i, i + 1)))

    # ------------------------------------------------------------------ near duplicates

    def similar_blocks(self) -> None:
        """Find the pairs of similar blocks with different keys, and have the
        `near_duplicate` and `contained` passes judge each (`_judge`)."""
        infos, config, decided = self.infos, self.config, self.decisions
        headline_block = self._headline_block
        # Only the suspects (`mark_suspects`) can be in a near-duplicate pair: the others
        # are neither looked up nor indexed. In a correct article there are none.
        order = [i for i, info in enumerate(infos)
                 if info.suspect and i not in decided and i != headline_block]
        if len(order) < 2:
            return
        use_minhash = config.candidate_search == "minhash" or (
            config.candidate_search == "auto" and len(order) > config.exact_max_blocks)
        index: _CandidateIndex = (
            _LshIndex({i: infos[i].shingle_set(config) for i in order}, order, config)
            if use_minhash else _ExactIndex())
        for i in order:
            budget.check()  # one lookup, and up to max_candidates alignments
            if i in decided:
                continue
            info = infos[i]
            if not info.searches:
                index.add(i, info.links)
                continue
            # (Most suspects meet no candidate: a later round asks them again.)
            candidates = self._candidates(i, index.candidates(i, info.links))
            if any(self._compare(i, j, shared, len(info.shingle_set(config)), size_j)
                   for shared, j, size_j in candidates[: config.max_candidates]):
                continue
            index.add(i, info.links)

    def _candidates(self, i: int, found: Iterable[int]) -> list[tuple[int, int, int]]:
        """The blocks the index `found` for block `i` that share enough shingles with it to
        lead to a decision or a report, most shared first: (shared, block, its shingles).
        Exact repeats (the same key) were judged in the pass before."""
        infos, config, decided, memo = self.infos, self.config, self.decisions, self.memo.shared
        info = infos[i]
        candidates = []
        for j in found:
            other = infos[j]
            if j in decided or other.key == info.key:
                continue
            shared = memo.get((info, other))  # (a later round: known, mostly)
            if shared is None:
                shared = self._shared(info, other)
            if shared:
                candidates.append((shared, j, len(other.shingle_set(config))))
        candidates.sort(key=lambda c: (-c[0], c[1]))
        return candidates

    def _shared(self, info: BlockInfo, other: BlockInfo) -> int:
        """The shingles that block `info` shares with the earlier block `other`, or 0 if
        they are too few to lead to a decision or a report (kept for the later rounds).

        Bounded on the ints first: equal shingles have equal ids, and the ids that a pair
        that counts shares are `links` of both (`mark_suspects`); the shingles of `info`
        beyond its ids (a repeat, or two in one id) may add as many. A pair under the bar
        on that bound is under it on the shingles, and most pairs the index finds are;
        counting shingles hashes every tuple again (CPython keeps no tuple's hash)."""
        config = self.config
        bar = _lowest_share(config)
        ids, other_ids = info.shingle_ids(config), other.shingle_ids(config)
        beyond = shingle_count(info.tokens, config, info.nospace) - len(ids)
        shared = 0
        # (A block has no fewer shingles than ids.)
        if len(info.links & other.links) + beyond >= bar * min(len(ids), len(other_ids)):
            s_i, s_j = info.shingle_set(config), other.shingle_set(config)
            shared = len(s_i & s_j)
            if shared < bar * min(len(s_i), len(s_j)):
                shared = 0
        self.memo.shared[info, other] = shared
        return shared

    def _compare(self, i: int, j: int, shared: int, size_i: int, size_j: int) -> bool:
        """Compare block `i` with an earlier kept block `j`, aligned word for word; True if
        `i` was removed. `shared` of their `size_i` and `size_j` shingles are common: too
        few, and no alignment could make either contain the other (`_may_contain`), so the
        pair is only reported, on its shingles, without aligning it."""
        if shared < _may_contain(self.config) * min(size_i, size_j):
            jaccard = shared / (size_i + size_j - shared)
            if jaccard >= self.config.similar_report_threshold:
                self.similar.append(kept_record(i, j, round(jaccard, SIMILARITY_DIGITS),
                                         "below_thresholds"))
            return False
        i_in_j = self._align(i, j)
        if i_in_j.coverage >= self.config.containment_threshold and not self._cut_short(j, i):
            return self._judge(i, j, i_in_j)
        j_in_i = self._align(j, i)
        if j_in_i.coverage >= self.config.containment_threshold:
            # The earlier block may be a cut-short teaser of this one: keep the complete copy.
            self._judge(j, i, j_in_i)
            return False
        if not (i_in_j.complete and j_in_i.complete):
            # Too repetitive to align in full within the work allowed: kept, as unsure.
            self.similar.append(kept_record(i, j, round(i_in_j.ratio, SIMILARITY_DIGITS),
                                            "alignment_cut_short"))
        elif i_in_j.ratio >= self.config.similar_report_threshold:
            self.similar.append(kept_record(i, j, round(i_in_j.ratio, SIMILARITY_DIGITS),
                                            "below_thresholds"))
        return False

    def _align(self, b: int, a: int) -> TokenAlignment:
        """Block `b` aligned with block `a`, within this round's work."""
        infos = self.infos
        return self.memo.alignments.of((infos[b], infos[a]), infos[b].tokens, infos[a].tokens,
                                       self._work)

    def _cut_short(self, j: int, i: int) -> bool:
        """Whether block `j` is cut short where block `i` goes on: it ends at an ellipsis
        or a "read more", or in a word that `i` holds whole ("resid" of "residents"), as a
        teaser, a summary or a page's description is cut at a fixed length. Of such a pair
        the complete copy stays, whichever comes first. A copy cut short holds no more
        words than the complete one, a label before it aside ("description: ...")."""
        if len(self.infos[j].tokens) > len(self.infos[i].tokens) + 1:
            return False  # (a long block that ends in a cut word holds `i`, not the reverse)
        if chardata.truncated(self.infos[j].text):
            return True
        tokens_i, last = self.infos[i].tokens, self.infos[j].tokens[-1:]
        return bool(last) and last[0] not in tokens_i and any(
            token.startswith(last[0]) for token in tokens_i)

    def near_duplicate(self, b: int, a: int, alignment: TokenAlignment) -> bool:
        """The `near_duplicate` pass's rule: block `b` and kept block `a` align almost
        whole, each with few words the other lacks."""
        limit = self.config.max_new_words
        return (alignment.ratio >= self.config.near_duplicate_threshold
                and len(alignment.own) <= limit * len(self.infos[b].tokens)
                and len(alignment.missing) <= limit * len(self.infos[a].tokens))

    def contained(self, b: int, a: int, alignment: TokenAlignment) -> bool:
        """The `contained` pass's rule: block `b` is kept block `a` cut short (a teaser),
        or `a` without its credit line (a caption); see `_contained`. (The pass also takes
        a line printed again after the block that ends with it, `lines_printed_again`.)"""
        return _contained(self.infos[b], self.infos[a], alignment)

    def _judge(self, b: int, a: int, alignment: TokenAlignment) -> bool:
        """Remove block `b`, mostly inside kept block `a`, if nothing of it would be lost:
        if the `near_duplicate` pass or else the `contained` pass takes it, and it brings
        no fact of its own. A sentence lifted out of a paragraph stays: pull quotes and
        quoted posts are shown twice on purpose, and a shorter variant (a recipe without
        one ingredient) may lack a fact on purpose.
        """
        later, earlier = max(a, b), min(a, b)
        similarity = round(alignment.ratio, SIMILARITY_DIGITS)
        if self.near_duplicate(b, a, alignment):
            rule = "near_duplicate"
        elif self.contained(b, a, alignment):
            rule = "part_of_block"
        else:
            self.similar.append(kept_record(later, earlier, similarity, "neither_part_nor_copy"))
            return False
        decision = Decision.by(rule, a, similarity)
        why_not = self._brings_new(b, a, alignment, decision.kind)
        if why_not is not None:
            self.similar.append(kept_record(later, earlier, similarity, *why_not))
            return False
        self._remove(b, decision)
        return True

    def _brings_new(self, b: int, a: int, alignment: TokenAlignment,
                    kind: RemovalKind) -> tuple[str, str] | None:
        """Why block `b` cannot go as a copy of block `a` (the rule that keeps it, and a
        detail), or None if it can: a number, a name or a negation that the two do not
        share is another fact. A near duplicate must have the very numbers of its twin; a
        contained block only none of its own."""
        tokens_a, tokens_b = self.infos[a].tokens, self.infos[b].tokens
        numbers_a = [t for t in tokens_a if chardata.DIGIT_RE.search(t)]
        numbers_b = [t for t in tokens_b if chardata.DIGIT_RE.search(t)]
        if (numbers_b != numbers_a if kind == "near_duplicate"
                else not _is_subsequence(numbers_b, numbers_a)):
            return "different_numbers", ""
        changed = {*alignment.own, *alignment.missing} if kind == "near_duplicate" else set(
            alignment.own)
        if not changed.isdisjoint(chardata.NUMBER_WORDS):
            return "different_numbers", ""  # a number written as a word
        if not changed.isdisjoint(chardata.NEGATION_WORDS):
            return "different_negation", ""
        vocab_a = set(tokens_a)
        names = _capitalised_words(self.infos[b].text)  # one pass, whatever the words
        for token in dict.fromkeys(alignment.own):
            if token not in vocab_a and _written_as_name(token, names):
                return "different_names", repr(token)
        return None

    # ------------------------------------------------------------------ bookkeeping

    def _remove(self, i: int, decision: Decision) -> None:
        """Remove block `i` by `decision`, keeping what every pass relies on: a removed
        block names a twin that stays in the text."""
        if i in self.decisions:
            return  # gone already, by an earlier pass
        if i in self._kept_back:
            self.similar.append(kept_record(i, decision.twin, decision.similarity,
                                            "group_kept_whole", decision.rule))
            return
        gone = self.decisions.get(decision.twin)
        if gone is not None:
            # The twin went already (a headline, as a line printed again after the block
            # that ends with it, before its copies further down): `i` repeats what it
            # repeats, which stays in the text.
            decision = decision.through(gone)
        if decision.twin == i:
            # The twin went as a copy of `i` (the body's copy of a sentence is kept over
            # a box's, say, before the headline pass meets it): `i` is the copy that stays,
            # and the twin's removal names it.
            return
        self.decisions[i] = decision
        self._dependents[decision.twin].append(i)
        # Blocks that repeated `i` now repeat what `i` repeats, which stays in the text.
        for k in self._dependents.pop(i, []):
            self.decisions[k] = self.decisions[k].through(decision)
            self._dependents[decision.twin].append(k)


def mark_suspects(infos: Sequence[BlockInfo], config: CleanConfig) -> None:
    """Mark the blocks that a near-duplicate pair can hold, once for every decision round,
    with the shingles each shares with blocks of another key (`BlockInfo.links`).

    These are the blocks that share enough of their shingles with blocks of another key
    to be removed or reported, and the blocks that share a shingle with one of those (they
    may contain it, as a paragraph contains its teaser). Exact repeats, having the same
    key, do not count as sharing.

    A block's links are the shingles it shares with another key that are a core block's
    (one that shares enough of its own): a pair that counts holds a core block, and can
    share no other.

    The test lets too many blocks through, never too few: its bar is the lowest share at
    which any decision is made, a pair of blocks shares no more shingles than one of them
    shares with all the others, and a later round, seeing fewer blocks, sees fewer shared
    shingles. In a correct article, the common case, no block is a suspect, and the
    near-duplicate search is skipped in every round.
    """
    min_words = config.min_words
    comparable = [info for info in infos
                  if info.words >= min_words and info.key and not is_question(info.text)
                  and info.prose]
    if len(comparable) < 2:
        return
    by_key, shared = _ids_by_key(comparable, config)
    bar = _lowest_share(config)
    # What each key shares with the others, read off its set once: a pass over them all (on
    # 1 MB of text, 13 MB of sets and ints, out of the cache) cost 4 to 9 ms.
    common: dict[str, set[int]] = {}
    for key, ids in by_key.items():
        found = ids & shared
        if found or not bar:
            common[key] = found
    # Judged once a key: the blocks of a key (a paragraph pasted twice) have one set.
    core = {key: by_key[key] for key, found in common.items()
            if by_key[key] and len(found) >= bar * len(by_key[key])}
    if not core:
        return
    hot = set().union(*core.values())
    # A pair that counts holds a core block, and the shingles it shares are that block's,
    # in `hot`: links without the rest find the same candidates that count (on 1 MB of
    # real text, through half the shingles, and half the candidates: 1.56x to 1.38x the
    # time of its 5 KB parts). A block of another key meets `hot` only through a shingle
    # the two share: its links are not empty.
    shared &= hot
    links: dict[str, IdSet] = {}
    for key, found in common.items():
        found &= shared
        if found or key in core:
            links[key] = found
    searching = _searching(core, links, bar)
    for info in comparable:
        linked = links.get(info.key)
        if linked is not None:
            # (The others' ids go with `by_key`: on 1 MB of text, 13 MB kept to no use.)
            info.suspect, info.links, info._ids = True, linked, by_key[info.key]
            info.searches = info.key in searching


def _ids_by_key(comparable: Sequence[BlockInfo], config: CleanConfig,
                ) -> tuple[dict[str, set[int]], set[int]]:
    """The shingle ids of each key of the `comparable` blocks (the blocks of a key, the
    same tokens, have the same shingles), and the ids of two keys or more."""
    by_key: dict[str, set[int]] = {}
    seen: set[int] = set()
    shared: set[int] = set()
    for n, info in enumerate(comparable):
        if not n % budget.CHEAP_UNITS_PER_CHECK:
            budget.check()
        if info.key not in by_key:
            ids = by_key[info.key] = shingle_ids(info.tokens, config, info.nospace)
            shared |= seen & ids
            seen |= ids
    return by_key, shared


def _searching(core: dict[str, set[int]], links: dict[str, IdSet], bar: float) -> set[str]:
    """The keys of the suspects (their `links`) that may be in a pair that counts: the
    `core` keys (their shingle ids), and those that share at least `bar` of the ids of the
    smallest core key whose ids they meet. Of a pair that counts, the block with fewer
    shingles is core and shares that much of its own (see `mark_suspects`); a suspect that
    shares less can only be the other block of pairs that never count.

    The others are indexed, but look for nothing: on 1 MB of real paragraphs, five
    suspects in six, each looking in every round, found nothing that counted. The test is
    linear in the links, at C speed: the bar of the smallest core key holding each id,
    the largest keys written first and overwritten."""
    searching = set(core)
    if len(searching) == len(links):
        return searching
    least: dict[int, float] = {}
    for key in sorted(core, key=lambda k: len(core[k]), reverse=True):
        least.update(dict.fromkeys(links[key], bar * len(core[key])))
    for key, found in links.items():
        if key not in searching and found and len(found) >= min(map(least.__getitem__, found)):
            searching.add(key)
    return searching


def _may_contain(config: CleanConfig) -> float:
    """The least share of its shingles that a block shares with another when aligning them
    can find it contained: each of its words that the alignment leaves out breaks at most
    `shingle_words` of its shingles, so a coverage `c` keeps at least ``1 - k(1 - c)`` of
    them (0.4 for 3-grams at 0.8). Below it, only a report is possible."""
    k = max(config.shingle_words, config.shingle_chars)
    return max(0.0, 1 - k * (1 - config.containment_threshold))


def _lowest_share(config: CleanConfig) -> float:
    """The lowest share of shingles at which two blocks lead to a decision or a report."""
    return min(config.containment_threshold, config.similar_report_threshold)


def _contained(short: BlockInfo, full: BlockInfo, alignment: TokenAlignment) -> bool:
    """True if `short` is a part of `full` printed on its own, as pages print captions and
    teasers: it runs without a gap from the start of one of `full`'s lines, and ends at the
    end of one, before a credit ("Photo: Hau Dinh, AP"), or where it was cut short (at an
    ellipsis, a "more" or in the middle of a word). A caption with and without its credit
    or its date line is one caption; a sentence lifted out of a paragraph starts or ends
    inside a line, and is not this.

    `alignment` aligns `short` with `full`; a word cut short is the one token of `short`
    that has no place in `full`.
    """
    tokens = full.tokens
    own = alignment.own
    if len(own) > 1 or not alignment.gapless:
        return False
    end = alignment.end
    cut_word = bool(own) and own == short.tokens[-1:] and end < len(tokens) and (
        tokens[end].startswith(own[0]))
    if own and not cut_word:
        return False
    bounds = {0, len(tokens)}
    if "\n" in full.text:
        bounds.update(accumulate(len(match_tokens(line)) for line in full.text.split("\n")))
    start = alignment.start
    if (start not in bounds and not _slide_counter(tokens[:start])) or (
            start == 0 and end == len(tokens)):
        return False
    if end in bounds or cut_word:
        return True
    return (tokens[end] in chardata.CREDIT_WORDS
            or chardata.truncated(short.text)
            or _credit_in_brackets(full.text, tokens[end:]))


def _slide_counter(tokens: Sequence[str]) -> bool:
    """Whether `tokens` are a gallery's slide counter in front of a caption ("1 of 3",
    "1/3", "Image 2 of 12"): two numbers, or a number and "of", among
    `chardata.SLIDE_COUNTER_WORDS`, nothing else (a list's "1." is no counter)."""
    numbers = sum(1 for t in tokens if t.isdigit())
    counted = numbers > 1 or (numbers == 1 and "of" in tokens)
    return (counted and len(tokens) <= SLIDE_COUNTER_MAX_TOKENS
            and all(t.isdigit() or t in chardata.SLIDE_COUNTER_WORDS for t in tokens))


def _credit_in_brackets(text: str, rest: Sequence[str]) -> bool:
    """Whether the words `rest` at the end of `text` are a credit in brackets: "(Ana
    Weiss/AP)", "(Reuters)", "(Ana Weiss)"."""
    found = chardata.CREDIT_IN_BRACKETS_RE.search(text)
    if found is None or match_tokens(found.group(1)) != list(rest):
        return False
    inside = found.group(1).strip()
    if chardata.URL_LIKE_RE.search(inside):
        return False  # a link's target, not a credit
    return ("/" in inside or not chardata.CREDIT_WORDS.isdisjoint(rest)
            or chardata.PERSON_NAME_RE.fullmatch(inside) is not None)


def _written_as_name(token: str, capitalised: set[str]) -> bool:
    """Whether `token` (folded) is written with a capital in the text whose
    `_capitalised_words` are `capitalised`: a name, an acronym or a hashtag such as
    ``#MethWeAreOnIt``. Scripts without case have no such sign.

    >>> words = _capitalised_words("So I think it works #thanks #MethWeAreOnIt")
    >>> _written_as_name("methweareonit", words), _written_as_name("thanks", words)
    (True, False)
    """
    return token[:1] != token[:1].upper() and token in capitalised


def _capitalised_words(text: str) -> set[str]:
    """The words of `text` written otherwise than in lower case, lowered: found in one pass
    (a search per word was quadratic in a long block with many words of its own)."""
    return {word.lower() for word in chardata.WORD_RUN_RE.findall(text) if not word.islower()}


def _is_subsequence(needle: Sequence[str], haystack: Sequence[str]) -> bool:
    it = iter(haystack)
    return all(any(x == y for y in it) for x in needle)


class _CandidateIndex:
    """Finds the kept blocks that may resemble a block, given its shingle ids."""

    def add(self, i: int, ids: IdSet) -> None:
        raise NotImplementedError

    def candidates(self, i: int, ids: IdSet) -> list[int]:
        raise NotImplementedError


class _ExactIndex(_CandidateIndex):
    """Kept blocks found through the shingles they share with the query: exact comparison
    without visiting the pairs that have nothing in common. Each shingle remembers the
    first block that had it, so a block whose shingles mostly belong to one kept block
    finds it, in C-level set and dict operations.

    It is given a block's `BlockInfo.links`, not all its shingles: a shingle that no block
    of another key has can only lead to a block of the same key, which the search skips
    (an exact repeat, judged by the pass before). The candidates are the same, and the
    sets a tenth as large on real text."""

    def __init__(self) -> None:
        self.owner: dict[int, int] = {}

    def add(self, i: int, ids: IdSet) -> None:
        # set.difference with a dict walks the set, not the dict: O(len(ids)).
        self.owner.update(dict.fromkeys(ids.difference(self.owner), i))

    def candidates(self, i: int, ids: IdSet) -> list[int]:
        return sorted(set(map(self.owner.__getitem__, ids & self.owner.keys())))


class _LshIndex(_CandidateIndex):
    """datasketch MinHash signatures in a `MinHashLSH`: sub-linear candidate search for
    articles with thousands of long blocks."""

    def __init__(self, sets: dict[int, set[Shingle]], order: Sequence[int],
                 config: CleanConfig) -> None:
        factory = MinHashFactory(config)
        sigs = factory.signatures([[shingle_hash(sh) for sh in sets[i]] for i in order])
        self.signatures = dict(zip(order, sigs, strict=True))
        self.lsh = factory.lsh(config.lsh_bands, config.lsh_rows)

    def add(self, i: int, ids: IdSet) -> None:
        self.lsh.insert(i, self.signatures[i], check_duplication=False)

    def candidates(self, i: int, ids: IdSet) -> list[int]:
        return sorted(self.lsh.query(self.signatures[i]))
