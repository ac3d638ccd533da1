"""The cross-article index: which recent articles of a namespace carry the same story.

An article's fingerprint is a MinHash of the word 5-shingles of its body: its headline and
its short lines (bylines, datelines, captions, "subscribe" boilerplate) are left out, so a
wire story republished with another headline, byline or footer still matches, while two
stories on the same event, written apart, share few five-word runs and do not.

The signatures are datasketch's MinHash; their LSH buckets are stored by `newsindex.lsh`, on
Redis (or Redis Cluster) when ``REDIS_URL`` is set (one index shared by every worker and
every container) or otherwise in a SQLite file every worker of the server shares
(`newsindex.sqlite`): a query with its add is one round trip (one transaction), LSH
candidates are verified on their stored signatures (a record that is none is skipped and
counted), and articles past the retention window stop matching at once and are freed with
their time bucket. Store trouble never fails a request: the answer says the index was
unavailable, in words of its own, and a breaker keeps a dead Redis from slowing every
request down.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import numpy as np

from cleaning import CleanConfig, CleanResult, MinHashFactory
from cleaning.fingerprint import match_tokens, shingle_hash
from newsindex.lsh import (
    TIME_BUCKETS,
    BadRecord,
    Entry,
    Layout,
    Params,
    Record,
    RedisStore,
    Store,
    low16,
    pack_record,
)
from newsindex.sqlite import SqliteStore, default_path

log = logging.getLogger("newsclean.index")

#: Document fingerprints: 100 permutations in 20 bands of 5 rows. A pair at Jaccard 0.8
#: collides in some band with probability 0.9997, at 0.6 with 0.80, at 0.3 with 0.05: the
#: candidates, which are then verified. Each band is a bucket entry per article, so fewer
#: bands is less memory (measured in benchmarks/REPORT-index.md).
NUM_PERM, BANDS, ROWS = 100, 20, 5
SHINGLE = 5
#: Lines shorter than this many words are not part of the story's fingerprint.
MIN_LINE_WORDS = 8
#: How long the breaker keeps away from a Redis that just failed.
BREAKER_SECONDS = 2.0
NAMESPACE_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
#: Namespaces whose key names a process keeps built: any number of namespaces may come
#: (one a customer, or a client's flood), and memory must not grow with them.
LAYOUTS_KEPT = 4096
#: The longest article id, in characters: URLs and database keys fit; an id is stored in
#: every record and its bucket, so a 4 MB id cost 8 MB of Redis per request.
MAX_ID_LENGTH = 256


class IndexSettings(Protocol):
    """What the index reads of its settings (the service's `Settings` has them all)."""

    @property
    def redis_url(self) -> str: ...
    @property
    def redis_cluster(self) -> bool: ...
    @property
    def redis_timeout(self) -> float: ...
    @property
    def index_prefix(self) -> str: ...
    @property
    def index_shards(self) -> int: ...
    @property
    def index_retention_days(self) -> float: ...
    @property
    def index_threshold(self) -> float: ...
    @property
    def index_path(self) -> str: ...


class BadIndexRequest(ValueError):
    """An index request or an article id that the API does not take: its error code
    (the HTTP layer answers it with a 400) and its message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IndexRequest:
    """What an article asks of the index: its namespace, its id, add or only query."""

    namespace: str
    ident: str
    add: bool

    @classmethod
    def from_json(cls, value: Any, default_id: Any) -> IndexRequest | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise BadIndexRequest("bad_index", "'index' must be an object: "
                                  '{"namespace": "...", "id": "...", "mode": "add" or "query"}')
        unknown = set(value) - {"namespace", "id", "mode"}
        if unknown:
            raise BadIndexRequest("bad_index", f"unknown index field(s) {sorted(unknown)}; "
                                  "known: 'namespace', 'id', 'mode'")
        namespace = value.get("namespace", "default")
        ident = value.get("id")
        if ident is None or ident == "":
            ident = default_id  # the article's own id
        mode = value.get("mode", "add")
        if not isinstance(namespace, str) or not NAMESPACE_RE.fullmatch(namespace):
            raise BadIndexRequest("bad_index", "index.namespace must be 1-64 letters, "
                                  "digits, or . _ : -")
        ident = article_id(ident, "index.id", "bad_index")
        if mode not in ("add", "query"):
            raise BadIndexRequest("bad_index", "index.mode must be 'add' or 'query'")
        if mode == "add" and (ident is None or str(ident) == ""):
            raise BadIndexRequest("bad_index", "an article added to the index needs an 'id'")
        return cls(namespace, "" if ident is None else str(ident), mode == "add")


def article_id(value: Any, name: str = "'id'", code: str = "bad_field") -> str | int | None:
    """An article id as the API takes it: a string, or a whole number (JSON's 7.0 is 7,
    as JSON Schema has it); None when absent.

    >>> article_id(7.0), article_id("a-1"), article_id(None)
    (7, 'a-1', None)
    """
    if isinstance(value, str) and len(value) > MAX_ID_LENGTH:
        raise BadIndexRequest(code, f"{name} is {len(value)} characters long; an id is at "
                              f"most {MAX_ID_LENGTH}")
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise BadIndexRequest(code, f"{name} must be a string or a whole number")


def similarity(jaccard: float, size_a: int, size_b: int) -> float:
    """How much of the smaller article is in the other: the containment that a Jaccard
    estimate and the two shingle counts imply. A story with a dateline added or a footer
    appended keeps a high containment where its Jaccard drops.

    >>> similarity(0.5, 100, 50)
    1.0
    """
    if not size_a or not size_b:
        return 0.0
    shared = jaccard * (size_a + size_b) / (1 + jaccard)
    return min(1.0, shared / min(size_a, size_b))


def fingerprint_shingles(result: CleanResult) -> list[int]:
    """Hashes of the word 5-shingles of the story's body: the headline and short lines out."""
    words: list[str] = []
    headline = result.headline
    for block in result.text.split("\n\n"):
        if headline is not None and headline in block and len(block) < 2 * len(headline) + 8:
            continue
        for line in block.split("\n"):
            tokens = match_tokens(line)
            if len(tokens) >= MIN_LINE_WORDS:
                words.extend(tokens)
    if len(words) < SHINGLE:
        return []
    return sorted({shingle_hash(s) for s in zip(*(words[i:] for i in range(SHINGLE)),
                                                strict=False)})


#: The index's MinHash parameters, as the library's config carries them.
INDEX_CONFIG = CleanConfig(num_perm=NUM_PERM, lsh_bands=BANDS, lsh_rows=ROWS)
#: What a signature's values depend on, in one name (the shingles' hash is `shingle_hash`,
#: CRC-32 of the joined words): every row of `newsclean fingerprint` carries it, and
#: `newsclean index load` refuses rows of another, whose values would match nothing. A
#: change to any of these is a new name.
FINGERPRINT_SCHEME = f"minhash-{NUM_PERM}-seed-{INDEX_CONFIG.seed}-words-{SHINGLE}-crc32"


@cache
def index_factory() -> MinHashFactory:
    """The index's MinHash factory: one per process, shared by every namespace."""
    return MinHashFactory(INDEX_CONFIG)


def fingerprint(factory: MinHashFactory, result: CleanResult) -> tuple[int, np.ndarray] | None:
    """An article's fingerprint: its shingle count and its signature's values (None when
    its body is too short to have one). `newsclean fingerprint` writes the same."""
    hashes = fingerprint_shingles(result)
    if not hashes:
        return None
    return len(hashes), np.asarray(factory.signatures([hashes])[0].hashvalues, dtype=np.uint32)


class Indexer:
    """The index as the API uses it: never raises on storage trouble, says what happened."""

    def __init__(self, settings: IndexSettings, store: Store | None = None, *,
                 observe: Callable[[str, float], None] | None = None,
                 count: Callable[[str], None] | None = None) -> None:
        """`observe(operation, seconds)` is told how long each store call took;
        `count(event)` of each record skipped ("bad_record")."""
        self.settings = settings
        self.observe = observe or (lambda operation, seconds: None)
        self.count = count or (lambda event: None)
        if store is None:
            store = (RedisStore(settings.redis_url, settings.redis_timeout,
                                cluster=settings.redis_cluster)
                     if settings.redis_url else
                     SqliteStore(settings.index_path or default_path(),
                                 private=not settings.index_path))
        self.store = store
        #: Records skipped by this process because they were no record (see `query`).
        self.bad_records = 0
        self.factory = index_factory()
        self.retention = settings.index_retention_days * 86400
        self.params = Params(num_perm=NUM_PERM, bands=BANDS, rows=ROWS, seed=INDEX_CONFIG.seed,
                             shingle=SHINGLE, shards=settings.index_shards,
                             span=self.retention / TIME_BUCKETS)
        self._broken_until = 0.0
        self._last_error = ""
        self._layouts: dict[str, Layout] = {}

    def layout(self, namespace: str) -> Layout:
        layout = self._layouts.get(namespace)
        if layout is None:
            if len(self._layouts) >= LAYOUTS_KEPT:
                self._layouts.clear()  # a flood of namespaces: cheap to build again
            layout = self._layouts[namespace] = Layout(self.settings.index_prefix, namespace,
                                                       self.params)
        return layout

    # ---- what the API calls

    def handle(self, request: IndexRequest, result: CleanResult) -> dict[str, Any]:
        answer: dict[str, Any] = {"namespace": request.namespace, "id": request.ident or None}
        found = fingerprint(self.factory, result)
        if found is None:
            return {**answer, "status": "skipped", "matches": [],
                    "reason": "too little body text to fingerprint"}
        size, values = found
        try:
            with self._guard():
                matches = self.query(request.namespace, request.ident, size, values,
                                     add=request.add)
        except IndexUnavailable as exc:
            return {**answer, "status": "unavailable", "matches": [], "added": False,
                    "reason": exc.reason}
        return {**answer, "status": "ok", "matches": matches, "added": request.add}

    def query(self, namespace: str, ident: str, size: int, values: np.ndarray, *,
              add: bool = False) -> list[dict[str, Any]]:
        """The verified matches of a fingerprint; with `add`, then added under `ident`
        (the same id again: updated, never a second entry). One round trip either way."""
        layout, now = self.layout(namespace), time.time()
        window = layout.window(now, self.retention)
        slots = layout.band_slots(values)
        with self._timed("query_add" if add else "query"):
            if add:
                entry = self._entry(layout, window, now, ident, size, values, now, slots)
                assert entry is not None  # seen now: always in the window
                records = self.store.query_and_add(layout, window, slots, ident, entry,
                                                   self.retention)
            else:
                records = self.store.query(layout, window, slots, ident)
        cutoff = now - self.retention
        mine = low16(values)  # once, not per candidate
        found: list[tuple[float, str, float]] = []
        for data in records:
            try:
                record = Record.unpack(data, NUM_PERM)
            except BadRecord as exc:
                # Bytes no version wrote (a hand edit, a foreign writer under our prefix):
                # this record is skipped, the rest of the answer and the store stay good.
                self.bad_records += 1
                self.count("bad_record")
                log.warning("index record skipped in namespace %s: %s", namespace, exc)
                continue
            if record.seen < cutoff or record.ident == ident:
                continue
            score = similarity(record.jaccard(mine), size, record.size)
            if score >= self.settings.index_threshold:
                found.append((round(score, 4), record.ident, record.seen))
        found.sort(key=lambda m: (-m[0], m[1]))
        return [{"id": i, "similarity": sim, "seen": seen} for sim, i, seen in found]

    def add_many(self, namespace: str,
                 fingerprints: list[tuple[str, int, np.ndarray, float | None]]) -> int:
        """Add many (id, shingle count, values, seen or None for now) in one round trip;
        how many were inside the window and added."""
        layout, now = self.layout(namespace), time.time()
        window = layout.window(now, self.retention)
        entries = [entry for ident, size, values, seen in fingerprints
                   if (entry := self._entry(layout, window, now, ident, size, values,
                                            now if seen is None else seen)) is not None]
        with self._timed("add"):
            if len(entries) == 1:
                self.store.add(layout, *entries[0], self.retention)
            elif entries:
                self.store.add_many(layout, entries, self.retention)
        return len(entries)

    def _entry(self, layout: Layout, window: list[int], now: float, ident: str, size: int,
               values: np.ndarray, seen: float,
               slots: list[tuple[int, bytes]] | None = None) -> Entry | None:
        """What the store adds for one fingerprint seen at `seen`: its time bucket first,
        then the window's others (where an older copy of the id is looked for); None
        outside the window."""
        target = layout.bucket(seen)
        if seen < now - self.retention or target > window[0]:
            return None
        return ([target, *(b for b in window if b != target)],
                slots or layout.band_slots(values), ident, pack_record(seen, size, values, ident))

    def remove(self, namespace: str, ident: str) -> bool:
        layout = self.layout(namespace)
        with self._guard(), self._timed("remove"):
            return self.store.remove(layout, layout.window(time.time(), self.retention), ident)

    def stats(self, namespace: str) -> dict[str, Any]:
        layout = self.layout(namespace)
        with self._guard(), self._timed("stats"):
            counted = self.store.stats(layout, layout.window(time.time(), self.retention))
        return {"namespace": namespace, **counted,
                "retention_days": self.settings.index_retention_days,
                "store": self.store.kind, "scope": self.store.scope}

    def status(self) -> dict[str, Any]:
        base: dict[str, Any] = {"store": self.store.kind, "shared": self.store.shared,
                                "scope": self.store.scope}
        base["note"] = SCOPE_NOTES[self.store.scope]
        try:
            with self._guard():
                self.store.ping()
        except IndexUnavailable as exc:
            return {**base, "available": False, "reason": exc.reason}
        return {**base, "available": True}

    def _guard(self) -> _Guard:
        return _Guard(self)

    @contextmanager
    def _timed(self, operation: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.observe(operation, time.perf_counter() - started)


#: What `/readyz` says of each store's reach.
SCOPE_NOTES = {
    "process": "in-process store: each worker process has its own index, lost when it "
               "restarts; the service's default is a file its workers share",
    "instance": "one file every worker of this server shares (NEWSCLEAN_INDEX_PATH); set "
                "REDIS_URL to share one index between servers",
    "everywhere": "Redis: every server pointed at it with the same prefix shares one index",
}
#: What a client is told when the store failed: its own words, never the exception's
#: (which names code, hosts and files); the log has the exception.
DOWN = "the index store is not answering; retrying shortly"
FAILED = "the index store failed on this request"


class IndexUnavailable(Exception):
    """The index's store did not answer in time, or answered with an error: `reason` is
    what a client may be told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Guard:
    """Turn any storage error into IndexUnavailable; a store that is down (one of its
    `outages`) opens the breaker, so that every request does not wait for it in turn. An
    error of one call (a key of the wrong type in one namespace) fails that call only."""

    def __init__(self, indexer: Indexer) -> None:
        self.indexer = indexer

    def __enter__(self) -> None:
        if time.monotonic() < self.indexer._broken_until:
            raise IndexUnavailable(DOWN)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:
        if exc is None or isinstance(exc, (IndexUnavailable, BadIndexRequest)):
            return
        if not isinstance(exc, Exception):
            return
        self.indexer._last_error = f"{type(exc).__name__}: {exc}"[:200]
        if isinstance(exc, self.indexer.store.outages):
            self.indexer._broken_until = time.monotonic() + BREAKER_SECONDS
            log.warning("index store down: %s", self.indexer._last_error)
            raise IndexUnavailable(DOWN) from exc
        log.warning("index store failed: %s", self.indexer._last_error)
        raise IndexUnavailable(FAILED) from exc


