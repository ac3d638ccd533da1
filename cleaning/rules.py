"""The rules that decide: each named once, with the pass it belongs to, what it says, and the
function that decides it (`Rule.decided_by`).

A pass (`cleaning.passes`) is a kind of removal with its switch (``remove_<kind>``); a rule
is one reason within it. Every removal (`Removal.rule`) and every look-alike that stays
(`KeptSimilar.rule`) names the rule that decided, in the library, the API, the client, the
batch columns and the playground; the README has the table, with an example of each.

A removal rule's switch is its pass's: switched off, what it would remove stays, reported
under ``switched_off``. Keep rules have no pass: they are what precision asks for.

Glossary, used in every module:

- **line**: one line of the input, repaired, with its span (`cleaning.blocks.Line`);
- **block**: the unit compared and removed: a paragraph (lines between blank lines), or one
  line of a group taken apart (`cleaning.blocks.Block`);
- **group**: the blocks rendered a line break apart (paragraphs printed without blank lines,
  a list under a paragraph, the lines of a caption compared one by one);
- **run**: consecutive blocks that repeat consecutive kept blocks;
- **twin**: the kept block a removed (or kept) block repeats;
- **template**: a sequence that repeats on purpose with a slot filled differently (recipes,
  product cards, docs);
- **residue**: markup that says nothing once decoded, removed without a twin.
"""

from __future__ import annotations

from dataclasses import dataclass

from cleaning.passes import RemovalKind


@dataclass(frozen=True, slots=True)
class Rule:
    """One named rule: the pass it removes for (None for a rule that keeps), what it says
    of the block it decides on, and the function that decides it."""

    name: str
    kind: RemovalKind | None
    explanation: str
    #: The function that decides it, under `cleaning` ("dedup.DuplicateFinder._stutter").
    decided_by: str


RULES_IN_ORDER: tuple[Rule, ...] = (
    # markup_only
    Rule("revealed_markup", "markup_only", "markup alone once its entities are decoded",
         "residue.revealed_markup"),
    Rule("inline_script", "markup_only", "an inline script or style among the paragraphs",
         "residue.inline_code_blocks"),
    # repeated_headline
    Rule("headline_copy", "repeated_headline", "the headline again (bold, a heading, with "
                                               "the site's name)",
         "headline.find_headline"),
    # duplicate
    Rule("pasted_run", "duplicate", "a run of blocks pasted again",
         "dedup.DuplicateFinder._run_qualifies"),
    Rule("abridged_copy", "duplicate", "a passage printed first in part (a teaser): the "
                                       "complete copy further on stays whole",
         "dedup.DuplicateFinder._abridged"),
    Rule("stutter", "duplicate", "printed again right after itself",
         "dedup.DuplicateFinder._stutter"),
    Rule("plain_copy_kept", "duplicate", "the first of two copies in a row, which holds "
                                         "leaked markup: the plain copy stays",
         "dedup.DuplicateFinder._markup_in_first"),
    Rule("past_gallery_chrome", "duplicate", "printed again with only gallery chrome "
                                             "between the copies",
         "dedup.DuplicateFinder._again_past_chrome"),
    Rule("pasted_alone", "duplicate", "a paragraph or sentence pasted again on its own",
         "dedup.DuplicateFinder._pasted_alone"),
    Rule("box_copy", "duplicate", "a sentence of a highlights box: the body's copy stays",
         "dedup.DuplicateFinder._in_a_box"),
    Rule("interface_notice", "duplicate", "a player or browser notice printed again",
         "dedup.BlockInfo.interface_message"),
    Rule("share_bar_again", "duplicate", "a bar of share buttons printed again",
         "dedup.BlockInfo.share_bar"),
    Rule("image_label_again", "duplicate", "a photo's credit or alt text printed again",
         "dedup.BlockInfo.image_label"),
    Rule("menu_again", "duplicate", "an entry of a menu printed again (a page's "
                                    "navigation, printed twice)",
         "dedup.DuplicateFinder._menu_again"),
    Rule("chrome_around_body", "duplicate", "a line of page chrome printed above the "
                                            "article and again below it",
         "dedup.DuplicateFinder._around_the_body"),
    Rule("date_line_again", "duplicate", "the head's date line printed again at the foot",
         "dedup.DuplicateFinder._date_line_again"),
    Rule("embedded_post_again", "duplicate", "an embedded post printed once per placeholder",
         "dedup.DuplicateFinder._embedded_post_again"),
    # near_duplicate
    Rule("near_duplicate", "near_duplicate", "the kept block again, a word or so aside",
         "dedup.DuplicateFinder.near_duplicate"),
    # contained
    Rule("part_of_block", "contained", "a part of a kept block on its own: a teaser cut "
                                       "short, a caption without its credit",
         "dedup.DuplicateFinder.contained"),
    Rule("line_after_block", "contained", "the last line of the block before, printed "
                                          "again (a credit under its caption)",
         "dedup.DuplicateFinder.lines_printed_again"),
    # keep rules
    Rule("interview_question", None, "a question repeated: kept (interview questions recur "
                                     "on purpose)",
         "dedup.BlockInfo.question"),
    Rule("parallel_sections", None, "repeats in two short sections of one structure (an "
                                    "answer's closing line, a day's recipe): kept",
         "dedup.DuplicateFinder._in_parallel_sections"),
    Rule("template", None, "repeats with its neighbours, one of them varied: kept as a "
                           "template",
         "dedup.DuplicateFinder._template"),
    Rule("record_field", None, "a field of a record repeated: kept as a template",
         "dedup.DuplicateFinder._field"),
    Rule("stanza", None, "a stanza of verse repeated (a chorus, a refrain): kept",
         "dedup.DuplicateFinder._stanza"),
    Rule("contents_entry", None, "a section's heading, listed in a table of contents: kept",
         "dedup.DuplicateFinder._contents_entry"),
    Rule("met_three_times", None, "a block met three times or more: kept as a template",
         "dedup.DuplicateFinder._pasted_once"),
    Rule("short_structure", None, "a short line repeated: kept as structure",
         "dedup.DuplicateFinder._pasted_alone"),
    Rule("below_thresholds", None, "below the thresholds",
         "dedup.DuplicateFinder._compare"),
    Rule("alignment_cut_short", None, "too repetitive to align in full within the work "
                                      "allowed (cleaning.align): kept, as unconfirmed",
         "align.AlignmentWork"),
    Rule("neither_part_nor_copy", None, "mostly inside the other, but neither a near "
                                        "duplicate, a teaser nor a caption without its "
                                        "credit: kept",
         "dedup.DuplicateFinder._judge"),
    Rule("different_numbers", None, "differs in numbers: different facts",
         "dedup.DuplicateFinder._brings_new"),
    Rule("different_negation", None, "differs in a negation: different facts",
         "dedup.DuplicateFinder._brings_new"),
    Rule("different_names", None, "differs in names ({detail}): different facts",
         "dedup.DuplicateFinder._brings_new"),
    Rule("group_kept_whole", None, "kept: the lines left of its group would read as one "
                                   "block",
         "dedup.DuplicateFinder._held_back"),
    Rule("switched_off", None, "kept: the switch of its pass is off",
         "passes.Pass.enabled"),
)

#: Every rule by name: the one registry.
RULES: dict[str, Rule] = {rule.name: rule for rule in RULES_IN_ORDER}
