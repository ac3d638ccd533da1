"""The kinds of removal, and the steps that take them: each registered here once, the steps
in the order they run.

A pass is a kind of removal: its name is the kind of its removals (`Removal.kind`), its
switch in `CleanConfig` (``remove_<name>``) and the key of the explanation every removal of
the kind gives (`Removal.reason`):

- ``markup_only``: markup alone once decoded, with no twin (`cleaning.residue`);
- ``repeated_headline``: copies of the headline;
- ``duplicate``: exact repeats (runs, stutters, copies past gallery chrome, ...);
- ``near_duplicate``: a kept block again, a word or so aside;
- ``contained``: a part of a kept block printed on its own (a teaser, a caption).

A step is one function that removes for a pass (`STEPS`): the decisions run them in the
registry's order, and nothing else says the order. A step on the article runs once, before
any decision, on every block (a function of `cleaning.residue` of that name); a step of a
round runs in every decision round, on the blocks still there (a method of
`cleaning.dedup.DuplicateFinder` of that name). A removal without a twin is a step like the
rest: its record then says why it went, and nothing else.

A pass that is switched off still runs: what it would have removed stays and is reported in
`kept_similar`, so that a caller sees what the switch kept (markup alone, having no twin to
be reported against, simply stays).

Adding a kind of removal is: a `Pass` here, its name in `RemovalKind`, its switch in
`CleanConfig`, and its steps here; a rule within a pass is named in `cleaning.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from cleaning.config import CleanConfig

RemovalKind = Literal["markup_only", "repeated_headline", "duplicate", "near_duplicate",
                      "contained"]


@dataclass(frozen=True, slots=True)
class Pass:
    """One kind of removal."""

    name: RemovalKind
    #: What every removal of the kind says of the removed block (`Removal.reason`).
    explanation: str
    #: Whether its removals name the kept block they repeat (their twin).
    names_twin: bool = True
    #: Whether its removals say exactly what their twin says, so that a block repeating one
    #: of them repeats the twin in the same way (`cleaning.dedup.Decision.through`).
    exact: bool = False

    @property
    def flag(self) -> str:
        """Its switch in `CleanConfig`."""
        return f"remove_{self.name}"

    def enabled(self, config: CleanConfig) -> bool:
        return bool(getattr(config, self.flag))


#: Every pass, in the order a round runs them: the one registry of kinds.
PASSES: tuple[Pass, ...] = (
    Pass("markup_only", "only markup once decoded: it says nothing", names_twin=False),
    Pass("repeated_headline", "a copy of the headline"),
    Pass("duplicate", "says exactly what the kept block says", exact=True),
    Pass("near_duplicate", "says what the kept block says, a word or so aside"),
    Pass("contained", "a part of the kept block printed on its own (a teaser, a caption "
                      "without its credit)"),
)

#: The passes by name.
PASS: dict[RemovalKind, Pass] = {p.name: p for p in PASSES}


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the decisions: the function that takes it, and the passes it removes for."""

    function: str
    kinds: tuple[RemovalKind, ...]
    #: "article": once, before the rounds, on every block; "round": in each decision round,
    #: on the blocks that are still there.
    scope: Literal["article", "round"] = "round"


#: Every step, in the order the decisions run them: the one place that says the order.
STEPS: tuple[Step, ...] = (
    # What repairs revealed as markup alone is residue whatever stands beside it: known
    # before any decision, so the rounds never see it.
    Step("revealed_markup", ("markup_only",), "article"),
    # The headline's copies near the top before the exact repeats: a copy there splits the
    # run of the paste it opens, which the exact step then aligns without it.
    Step("headline_copies_near_top", ("repeated_headline",)),
    Step("duplicate", ("duplicate",)),
    Step("lines_printed_again", ("contained",)),
    # Those further down after them: a body pasted twice, headline and all, goes as one run.
    Step("headline_copies_further_down", ("repeated_headline",)),
    # One alignment per pair of look-alikes, judged by both passes in turn.
    Step("similar_blocks", ("near_duplicate", "contained")),
    # An inline script is judged among the blocks the round keeps: it depends on its
    # neighbours (a script among lines of code is a sample, and stays).
    Step("inline_scripts", ("markup_only",)),
)

#: The steps of a decision round, in order.
ROUND_STEPS: tuple[Step, ...] = tuple(step for step in STEPS if step.scope == "round")
