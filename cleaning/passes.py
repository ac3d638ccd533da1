"""The kinds of removal: one named pass each, registered here, in the order a round runs them.

A pass's name is the kind of its removals (`Removal.kind`), its switch in `CleanConfig`
(``remove_<name>``), the key of the explanation every removal of the kind gives
(`Removal.reason`), and, for the passes that repeat a kept block, the name of the method of
`cleaning.dedup.DuplicateFinder` that is its rule:

- ``markup_only``: markup alone once decoded, with no twin (`cleaning.residue`: what repairs
  revealed before the rounds, an inline script among each round's survivors);
- ``repeated_headline``: copies of the headline;
- ``duplicate``: exact repeats (runs, stutters, copies past gallery chrome, ...);
- ``near_duplicate``: a kept block again, a word or so aside;
- ``contained``: a part of a kept block printed on its own (a teaser, a caption).

A pass that is switched off still runs: what it would have removed stays and is reported in
`kept_similar`, so that a caller sees what the switch kept (markup alone, having no twin to
be reported against, simply stays).

Adding a kind of removal is: a `Pass` here, its name in `RemovalKind`, its switch in
`CleanConfig`, and its function. A removal may have no twin (`names_twin`): the record
then says why it went, and nothing else.
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
