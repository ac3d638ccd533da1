"""The cross-article index: which recent articles of a namespace carry the same story.

An article's fingerprint is a MinHash of the word 5-shingles of its body: its headline and
its short lines (bylines, datelines, captions, "subscribe" boilerplate) are left out, so a
wire story republished with another headline, byline or footer still matches, while two
stories on the same event, written apart, share few five-word runs and do not.

Storage is datasketch's `MinHashLSH`, on Redis when ``REDIS_URL`` is set (one index shared
by every worker and every container) or in the process's memory otherwise. Beside the LSH
buckets, each namespace keeps its signatures and when each article was seen, so that LSH
candidates are verified on the stored signatures and articles past the retention window
are removed (their memory freed). Redis trouble never fails a request: the answer says the
index was unavailable, and a breaker keeps a dead Redis from slowing every request down.
"""

from __future__ import annotations

import logging
import re
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from cleaning import CleanConfig, CleanResult, MinHashFactory
from cleaning.fingerprint import match_tokens, shingle_hash
from service.errors import ApiError
from service.settings import Settings

log = logging.getLogger("newsclean.index")

#: Document fingerprints: 100 permutations in 20 bands of 5 rows. A pair at Jaccard 0.8
#: collides in some band with probability 0.9997, at 0.6 with 0.80, at 0.3 with 0.05: the
#: candidates, which are then verified. Each band is a Redis key per article, so fewer bands
#: is less memory (measured in benchmarks/REPORT-index.md).
NUM_PERM, BANDS, ROWS = 100, 20, 5
#: Expired articles are looked for at most this often, per namespace and process.
EXPIRE_EVERY = 1.0
SHINGLE = 5
#: Lines shorter than this many words are not part of the story's fingerprint.
MIN_LINE_WORDS = 8
#: How long the breaker keeps away from a Redis that just failed.
BREAKER_SECONDS = 2.0
NAMESPACE_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


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
            raise ApiError(400, "bad_index", "'index' must be an object: "
                           '{"namespace": "...", "id": "...", "mode": "add" or "query"}')
        unknown = set(value) - {"namespace", "id", "mode"}
        if unknown:
            raise ApiError(400, "bad_index", f"unknown index field(s) {sorted(unknown)}; "
                           "known: 'namespace', 'id', 'mode'")
        namespace = value.get("namespace", "default")
        ident = value.get("id")
        if ident is None or ident == "":
            ident = default_id  # the article's own id
        mode = value.get("mode", "add")
        if not isinstance(namespace, str) or not NAMESPACE_RE.fullmatch(namespace):
            raise ApiError(400, "bad_index", "index.namespace must be 1-64 letters, digits, "
                           "or . _ : -")
        ident = article_id(ident, "index.id", "bad_index")
        if mode not in ("add", "query"):
            raise ApiError(400, "bad_index", "index.mode must be 'add' or 'query'")
        if mode == "add" and (ident is None or str(ident) == ""):
            raise ApiError(400, "bad_index", "an article added to the index needs an 'id'")
        return cls(namespace, "" if ident is None else str(ident), mode == "add")


def article_id(value: Any, name: str = "'id'", code: str = "bad_field") -> str | int | None:
    """An article id as the API takes it: a string, or a whole number (JSON's 7.0 is 7,
    as JSON Schema has it); None when absent.

    >>> article_id(7.0), article_id("a-1"), article_id(None)
    (7, 'a-1', None)
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ApiError(400, code, f"{name} must be a string or a whole number")


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


class Store(Protocol):
    """Where one namespace's signatures, timestamps and LSH buckets live."""

    kind: str
    shared: bool

    def lsh(self, namespace: str) -> MinHashLSH: ...
    def get_signature(self, namespace: str, ident: str) -> bytes | None: ...
    def entries(self, namespace: str,
                idents: list[str]) -> list[tuple[bytes | None, float | None]]: ...
    def put(self, namespace: str, ident: str, signature: bytes, seen: float) -> None: ...
    def delete(self, namespace: str, ident: str) -> None: ...
    def expired(self, namespace: str, before: float) -> list[str]: ...
    def stats(self, namespace: str) -> dict[str, Any]: ...
    def ping(self) -> None: ...


class MemoryStore:
    """The embedded store: one index per process, gone when the process ends."""

    kind = "memory"
    shared = False

    def __init__(self) -> None:
        self._lsh: dict[str, MinHashLSH] = {}
        self._sigs: dict[str, dict[str, tuple[bytes, float]]] = {}

    def lsh(self, namespace: str) -> MinHashLSH:
        if namespace not in self._lsh:
            self._lsh[namespace] = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
        return self._lsh[namespace]

    def get_signature(self, namespace: str, ident: str) -> bytes | None:
        entry = self._sigs.get(namespace, {}).get(ident)
        return entry[0] if entry else None

    def entries(self, namespace: str,
                idents: list[str]) -> list[tuple[bytes | None, float | None]]:
        got = self._sigs.get(namespace, {})
        return [got.get(i, (None, None)) for i in idents]

    def put(self, namespace: str, ident: str, signature: bytes, seen: float) -> None:
        self._sigs.setdefault(namespace, {})[ident] = (signature, seen)

    def delete(self, namespace: str, ident: str) -> None:
        self._sigs.get(namespace, {}).pop(ident, None)

    def expired(self, namespace: str, before: float) -> list[str]:
        return sorted(i for i, (_, t) in self._sigs.get(namespace, {}).items() if t < before)

    def stats(self, namespace: str) -> dict[str, Any]:
        entries = self._sigs.get(namespace, {})
        times = [t for _, t in entries.values()]
        return {"articles": len(entries), "oldest": min(times, default=None),
                "newest": max(times, default=None)}

    def ping(self) -> None:
        return None


class RedisStore:
    """The shared store: every worker and every container on one Redis sees one index.

    Keys, under the configured prefix: ``{prefix}:{{namespace}}:lsh...`` (datasketch's LSH
    buckets), ``{prefix}:{{namespace}}:sig`` (a hash of id to packed signature: the shingle
    count and 128 uint32s) and ``{prefix}:{{namespace}}:seen`` (a sorted set of id by the
    time it was seen).
    """

    kind = "redis"
    shared = True

    def __init__(self, url: str, prefix: str, timeout: float) -> None:
        import redis

        self.prefix = prefix
        self.url = url
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # Fail fast, never retry inside a request: the breaker decides when to try again.
        self.options: dict[str, Any] = {"socket_timeout": timeout,
                                        "socket_connect_timeout": timeout,
                                        "retry": Retry(NoBackoff(), 0)}
        self.client = redis.Redis.from_url(url, **self.options)
        self._lsh: dict[str, MinHashLSH] = {}

    def key(self, namespace: str, what: str) -> str:
        # The namespace in braces is a Redis Cluster hash tag: all of one namespace's keys
        # hash to one slot, so its pipelines and LSH buckets never span shards.
        return f"{self.prefix}:{{{namespace}}}:{what}"

    def lsh(self, namespace: str) -> MinHashLSH:
        if namespace not in self._lsh:
            from redis.connection import parse_url

            self._lsh[namespace] = MinHashLSH(
                num_perm=NUM_PERM, params=(BANDS, ROWS),
                storage_config={"type": "redis", "basename": self.key(namespace, "lsh").encode(),
                                "redis": {**parse_url(self.url), **self.options}})  # type: ignore[no-untyped-call]
        return self._lsh[namespace]

    def get_signature(self, namespace: str, ident: str) -> bytes | None:
        return self.client.hget(self.key(namespace, "sig"), ident)  # type: ignore[return-value]

    def entries(self, namespace: str,
                idents: list[str]) -> list[tuple[bytes | None, float | None]]:
        """Signatures and times of many ids in one round trip."""
        if not idents:
            return []
        pipe = self.client.pipeline(transaction=False)
        pipe.hmget(self.key(namespace, "sig"), idents)
        pipe.zmscore(self.key(namespace, "seen"), idents)
        sigs, seen = pipe.execute()
        return list(zip(sigs, seen, strict=True))

    def put(self, namespace: str, ident: str, signature: bytes, seen: float) -> None:
        pipe = self.client.pipeline()
        pipe.hset(self.key(namespace, "sig"), ident, signature)
        pipe.zadd(self.key(namespace, "seen"), {ident: seen})
        pipe.execute()

    def delete(self, namespace: str, ident: str) -> None:
        pipe = self.client.pipeline()
        pipe.hdel(self.key(namespace, "sig"), ident)
        pipe.zrem(self.key(namespace, "seen"), ident)
        pipe.execute()

    def expired(self, namespace: str, before: float) -> list[str]:
        found = self.client.zrangebyscore(self.key(namespace, "seen"), "-inf", f"({before}",
                                          start=0, num=500)
        return [i.decode() for i in found]  # type: ignore[union-attr]

    def stats(self, namespace: str) -> dict[str, Any]:
        seen = self.key(namespace, "seen")
        oldest = self.client.zrange(seen, 0, 0, withscores=True)
        newest = self.client.zrange(seen, -1, -1, withscores=True)
        return {"articles": self.client.zcard(seen),
                "oldest": oldest[0][1] if oldest else None,
                "newest": newest[0][1] if newest else None}

    def ping(self) -> None:
        self.client.ping()


class Indexer:
    """The index as the API uses it: never raises on storage trouble, says what happened."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        if store is None:
            store = (RedisStore(settings.redis_url, settings.index_prefix,
                                settings.redis_timeout) if settings.redis_url else MemoryStore())
        self.store = store
        self.factory = MinHashFactory(CleanConfig(num_perm=NUM_PERM, lsh_bands=BANDS,
                                                  lsh_rows=ROWS))
        self.retention = settings.index_retention_days * 86400
        self._broken_until = 0.0
        self._expired_at: dict[str, float] = {}
        self._last_error = ""
        self._lock = threading.Lock()

    # ---- what the API calls

    def handle(self, request: IndexRequest, result: CleanResult) -> dict[str, Any]:
        hashes = fingerprint_shingles(result)
        answer: dict[str, Any] = {"namespace": request.namespace, "id": request.ident or None}
        if not hashes:
            return {**answer, "status": "skipped", "matches": [],
                    "reason": "too little body text to fingerprint"}
        signature = self.factory.signatures([hashes])[0]
        try:
            with self._guard():
                matches = self._query(request, signature, len(hashes))
                if request.add:
                    self._add(request.namespace, request.ident, signature, len(hashes))
                self._expire(request.namespace)
        except IndexUnavailable as exc:
            return {**answer, "status": "unavailable", "matches": [], "added": False,
                    "reason": str(exc)}
        return {**answer, "status": "ok", "matches": matches, "added": request.add}

    def remove(self, namespace: str, ident: str) -> bool:
        with self._guard():
            return self._remove(namespace, ident)

    def stats(self, namespace: str) -> dict[str, Any]:
        with self._guard():
            self._expire(namespace, now=True)
            return {"namespace": namespace, **self.store.stats(namespace),
                    "retention_days": self.settings.index_retention_days,
                    "store": self.store.kind}

    def status(self) -> dict[str, Any]:
        base = {"store": self.store.kind, "shared": getattr(self.store, "shared", False)}
        if not base["shared"]:
            base["note"] = ("in-process store: each worker process has its own index, lost "
                            "when it restarts; set REDIS_URL to share one index")
        try:
            with self._guard():
                self.store.ping()
        except IndexUnavailable as exc:
            return {**base, "available": False, "reason": str(exc)}
        return {**base, "available": True}

    # ---- internals

    def _query(self, request: IndexRequest, signature: LeanMinHash,
               size: int) -> list[dict[str, Any]]:
        lsh = self.store.lsh(request.namespace)
        cutoff = time.time() - self.retention
        found: list[tuple[float, str, float]] = []
        # datasketch's plain query: one round trip a band. (Its buffered query and insertion
        # sessions build a new Redis client on every flush, which measured slower.)
        keys = {k.decode() if isinstance(k, bytes) else str(k) for k in lsh.query(signature)}
        keys.discard(request.ident)
        idents = sorted(keys)
        for ident, (stored, seen) in zip(idents, self.store.entries(request.namespace, idents),
                                         strict=True):
            if stored is None or seen is None or seen < cutoff:
                continue
            their_size, their_values = unpack(stored)
            jaccard = float(np.mean(their_values == signature.hashvalues))
            score = similarity(jaccard, size, their_size)
            if score >= self.settings.index_threshold:
                found.append((round(score, 4), ident, seen))
        found.sort(key=lambda m: (-m[0], m[1]))
        return [{"id": ident, "similarity": sim, "seen": seen} for sim, ident, seen in found]

    def _add(self, namespace: str, ident: str, signature: LeanMinHash, size: int) -> None:
        lsh = self.store.lsh(namespace)
        if self.store.get_signature(namespace, ident) is not None and ident in lsh:
            lsh.remove(ident)  # the same id again: update, never a second entry
        lsh.insert(ident, signature, check_duplication=False)
        self.store.put(namespace, ident, pack(signature, size), time.time())

    def _remove(self, namespace: str, ident: str) -> bool:
        lsh = self.store.lsh(namespace)
        known = self.store.get_signature(namespace, ident) is not None
        if ident in lsh:
            lsh.remove(ident)
        self.store.delete(namespace, ident)
        return known

    def _expire(self, namespace: str, *, now: bool = False) -> None:
        clock = time.monotonic()
        if not now and clock - self._expired_at.get(namespace, -EXPIRE_EVERY) < EXPIRE_EVERY:
            return
        self._expired_at[namespace] = clock
        for ident in self.store.expired(namespace, time.time() - self.retention):
            self._remove(namespace, ident)

    def _guard(self) -> _Guard:
        return _Guard(self)


class IndexUnavailable(Exception):
    """The index's store did not answer in time, or answered with an error."""


class _Guard:
    """Turn any storage error into IndexUnavailable, and open the breaker on one."""

    def __init__(self, indexer: Indexer) -> None:
        self.indexer = indexer

    def __enter__(self) -> None:
        if time.monotonic() < self.indexer._broken_until:
            raise IndexUnavailable(f"index store unavailable: {self.indexer._last_error}; "
                                   "retrying shortly")

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:
        if exc is None or isinstance(exc, (IndexUnavailable, ApiError)):
            return
        if not isinstance(exc, Exception):
            return
        self.indexer._last_error = f"{type(exc).__name__}: {exc}"[:200]
        self.indexer._broken_until = time.monotonic() + BREAKER_SECONDS
        log.warning("index store failed: %s", self.indexer._last_error)
        raise IndexUnavailable(f"index store unavailable: {self.indexer._last_error}") from exc


def pack(signature: LeanMinHash, size: int) -> bytes:
    """The stored form: the shingle count, then the signature, little-endian uint32s."""
    values = np.asarray(signature.hashvalues, dtype=np.uint32)
    return struct.pack(f"<I{len(values)}I", size, *values.tolist())


def unpack(data: bytes) -> tuple[int, np.ndarray]:
    values = np.frombuffer(data, dtype="<u4").astype(np.uint32)
    return int(values[0]), values[1:]
