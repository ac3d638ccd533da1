"""The records a cleaning returns: what came out, what was removed and why, what was fixed.

The records inside a result are plain values with slots, made by the thousand on large
texts (a frozen dataclass costs five times as much to build); the result itself is frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from cleaning.passes import RemovalKind

#: Repairs that touch the layout alone (spaces folded, line ends stripped): they make
#: `layout_changed`, never `changed`, since no word of the article is different after them.
LAYOUT_STEPS = frozenset({"normalize_whitespace"})


@dataclass(slots=True)
class Removal:
    """A block taken out of the article, why, and the kept block that says the same thing.

    Offsets `start`/`end` are character offsets in the input (after decoding);
    `twin` is the input block index of the kept twin, and `twin_start`/`twin_end`
    are the twin's character offsets in the returned text. A removal without a twin (a
    block of markup alone) has None there; `reason` says why it went in every case (its
    pass's explanation, `cleaning.passes`).
    """

    kind: RemovalKind
    block: int
    text: str
    start: int
    end: int
    twin: int | None
    twin_text: str | None
    twin_start: int | None
    twin_end: int | None
    similarity: float | None
    in_run: bool = False
    reason: str = ""
    #: The rule that decided (a stable name: `cleaning.rules`), finer than the pass.
    rule: str = ""


@dataclass(slots=True)
class Run:
    """Consecutive removed blocks that repeat consecutive kept blocks: one event to a reader.

    Blocks `start_block` to `end_block` (input indices, inclusive) repeat blocks
    `twin_start_block` to `twin_end_block`.
    """

    start_block: int
    end_block: int
    twin_start_block: int
    twin_end_block: int
    blocks: int
    start: int
    end: int

    def describe(self) -> str:
        return (f"blocks {self.start_block}-{self.end_block} repeat blocks "
                f"{self.twin_start_block}-{self.twin_end_block}")


@dataclass(slots=True)
class KeptSimilar:
    """A block that resembles a kept block but stays, with the reason it stays.

    `start`/`end` are the block's character offsets in the input, as a Removal's are."""

    block: int
    twin: int
    similarity: float
    reason: str
    start: int = 0
    end: int = 0
    #: The rule that kept it (a stable name: `cleaning.rules`).
    rule: str = ""


@dataclass(slots=True)
class Fix:
    """A repair of one input line: the step, ftfy's explanation, the text before and after."""

    block: int | None
    step: str
    detail: str
    start: int
    end: int
    before: str
    after: str


@dataclass(slots=True)
class Stats:
    """Sizes in and out, and the time the cleaning took."""

    blocks_in: int
    blocks_out: int
    chars_in: int
    chars_out: int
    seconds: float
    layout: str


@dataclass(frozen=True)
class CleanResult:
    """What `clean` returns. `text` is the canonical article; `diff` turns the input into it."""

    text: str
    headline: str | None
    removed: list[Removal]
    runs: list[Run]
    kept_similar: list[KeptSimilar]
    fixes: list[Fix]
    diff: str
    stats: Stats
    encoding: str | None = None
    encoding_source: str | None = None
    input_text: str = field(default="", repr=False)
    #: Look-alikes past `CleanConfig.max_kept_similar`, counted but not listed.
    kept_similar_omitted: int = 0

    @property
    def changed(self) -> bool:
        """The content changed: a block removed, a repair (other than of the layout), or
        any word different. What routes an article to review; a text whose spaces, line
        ends or final newline alone were normalised is not `changed` but `layout_changed`.

        >>> from cleaning import clean
        >>> clean("Rain fell.").changed, clean("Rain fell.").layout_changed
        (False, True)
        >>> clean("Rain fell &amp; stopped.").changed
        True
        """
        return bool(self.removed) or any(f.step not in LAYOUT_STEPS for f in self.fixes) or (
            self.text != self.input_text and self.text.split() != self.input_text.split())

    @property
    def layout_changed(self) -> bool:
        """The text differs from the input in its layout alone (spaces, line ends, blank
        lines, the final newline) and not `changed`: the three states are unchanged,
        layout only, and changed."""
        return not self.changed and self.text != self.input_text

    def to_dict(self, *, include_diff: bool = True) -> dict[str, Any]:
        """A JSON-ready mapping of the result (the input text is left out)."""
        out: dict[str, Any] = {
            "text": self.text,
            "headline": self.headline,
            "changed": self.changed,
            "layout_changed": self.layout_changed,
            "removed": [_flat(r) for r in self.removed],
            "runs": [{**_flat(r), "description": r.describe()} for r in self.runs],
            "kept_similar": [_flat(k) for k in self.kept_similar],
            "kept_similar_omitted": self.kept_similar_omitted,
            "fixes": [_flat(f) for f in self.fixes],
            "stats": _flat(self.stats),
            "encoding": self.encoding,
            "encoding_source": self.encoding_source,
        }
        if include_diff:
            out["diff"] = self.diff
        return out


def _flat(record: Any) -> dict[str, Any]:
    """A record's fields as a dict; every field here is a plain value, so unlike
    `dataclasses.asdict` there is nothing to copy deeply."""
    return {f.name: getattr(record, f.name) for f in fields(record)}
