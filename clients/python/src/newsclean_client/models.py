"""What the service answers, as typed dataclasses: one per schema of its `/openapi.json`.

Fields the service adds later are ignored, so an older client keeps working against a newer
service; a test checks that every field here is one the service's schema names.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


def from_json(cls: type[T], data: dict[str, Any]) -> T:
    """Build dataclass `cls` from its JSON object, nested dataclasses and lists included."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{name: _convert(hints[name], value)
                  for name, value in data.items() if name in known})


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(hint, types.UnionType):  # `X | None`
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_convert(item, v) for v in value]
    if dataclasses.is_dataclass(hint):
        return from_json(hint, value)  # type: ignore[arg-type]
    return value


@dataclass(frozen=True)
class Removal:
    """A block taken out, and why."""
    kind: str
    block: int
    text: str
    start: int
    end: int
    reason: str
    twin: int | None = None
    twin_text: str | None = None
    twin_start: int | None = None
    twin_end: int | None = None
    similarity: float | None = None
    in_run: bool = False
    rule: str = ""  # the rule that decided (the service's README: the rules)


@dataclass(frozen=True)
class Run:
    """Consecutive blocks removed as one repeated passage."""
    start_block: int
    end_block: int
    twin_start_block: int
    twin_end_block: int
    blocks: int
    start: int
    end: int
    description: str


@dataclass(frozen=True)
class KeptSimilar:
    """A block that looks like another one and was kept, with the reason."""
    block: int
    twin: int
    similarity: float
    reason: str
    start: int = 0  # the block's offsets in the input
    end: int = 0
    rule: str = ""  # the rule that kept it


@dataclass(frozen=True)
class Fix:
    """One repair of the text (encoding, entities, whitespace)."""
    step: str
    detail: str
    start: int
    end: int
    before: str
    after: str
    block: int | None = None


@dataclass(frozen=True)
class Stats:
    blocks_in: int
    blocks_out: int
    chars_in: int
    chars_out: int
    seconds: float
    layout: str


@dataclass(frozen=True)
class IndexMatch:
    """An earlier article of the namespace that tells the same story."""
    id: str
    similarity: float
    seen: float


@dataclass(frozen=True)
class IndexResult:
    namespace: str
    id: str | None
    status: str
    matches: list[IndexMatch] = field(default_factory=list)
    added: bool = False
    reason: str = ""


@dataclass(frozen=True)
class CleanResult:
    """One cleaned article (the service's CleanResponse)."""
    text: str
    headline: str | None
    changed: bool
    """The content changed: a removal, a repair, or any word different."""
    removed: list[Removal]
    runs: list[Run]
    kept_similar: list[KeptSimilar]
    kept_similar_omitted: int
    fixes: list[Fix]
    stats: Stats
    encoding: str | None
    encoding_source: str | None
    id: str | int | None = None
    diff: str | None = None
    index: IndexResult | None = None
    layout_changed: bool = False
    """Only the layout changed (spaces, line ends, the final newline); never with `changed`."""

    def removed_by_kind(self) -> dict[str, int]:
        """How many blocks went, by kind of removal."""
        counts: dict[str, int] = {}
        for removal in self.removed:
            counts[removal.kind] = counts.get(removal.kind, 0) + 1
        return counts


@dataclass(frozen=True)
class ErrorDetail:
    """The service's one error shape."""
    status: int
    code: str
    message: str
    request_id: str | None = None
    retry_after: int | None = None

    @property
    def retryable(self) -> bool:
        """The service says the same request may succeed later."""
        return self.retry_after is not None


@dataclass(frozen=True)
class ItemError:
    """An article of `clean_many` that has no result: its place, its id, and the error."""
    position: int
    """Where the article was in the caller's iterable, from 0."""
    error: ErrorDetail
    id: str | int | None = None
