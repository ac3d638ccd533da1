"""The index's storage: MinHash LSH laid out for Redis, one round trip an article.

datasketch computes the signatures; the buckets are stored here, on redis-py, because
datasketch's Redis layout costs a round trip per band and a Redis key per band and article
(41 round trips and 10 KB an article, measured in benchmarks/REPORT-index.md). Here:

- **Time buckets.** Articles are kept in the time bucket of when they were added:
  `TIME_BUCKETS` buckets a retention window (3.5 days each at the default 7 days). A bucket's
  keys expire (EXPIREAT) once its last article has left the window: expiry costs Redis
  nothing per article, and no sweep runs. A query reads the buckets the window covers, and
  drops what is older than the window itself.
- **Compact buckets.** A band's bucket is a field of a Redis hash: 6 bytes of the band's
  hash, its value the 4-byte numbers of the articles in it. The band hashes of a time
  bucket are spread over `shards` hashes, small enough for Redis' compact listpack
  encoding (about 14 bytes a field instead of about 70).
- **Packed signatures.** An article's record is its time seen, its shingle count, its
  signature's values cut to 16 bits (a false agreement of 1 in 65,536 per value: nothing
  beside the estimate's own error) and its id.
- **One round trip.** A query is a Lua script (read the buckets, count collisions, return
  the records of the most colliding candidates), an add another, and a query with an add
  (what `/clean` asks) both in one call. Candidates are verified against their records by
  the caller.
- **Generations.** The parameters (permutations, bands, rows, seed, shingle size, shards,
  bucket span) name the key space: a server with other parameters uses another generation
  of the namespace (recorded in `{prefix}:{ns}:generations`) and never reads a signature of
  another shape.
- **Redis Cluster.** Every key of a namespace carries the namespace as its hash tag, so a
  script's keys are always in one slot.

`HashStore` follows the scripts step for step on hashes kept without Redis: in a SQLite
file every worker of a server shares (`newsindex.sqlite`, the service's default), or in
the process's memory (`MemoryStore`); a test holds them all to the same answers.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import numpy as np

#: Buckets of time a retention window is cut into. More frees memory sooner (a bucket's
#: keys outlive its last article by up to a bucket's span, so memory holds up to 1 + 1/N
#: windows) but makes every query read more hashes (a window covers N + 1 buckets, each a
#: lookup per band, all of it Redis' processor time): at 7, a query cost Redis ~230
#: lookups and the service served 28% of its index-off rate on 2 cores
#: (benchmarks/REPORT-index.md); at 2, ~80 lookups, for up to 1.5 windows of memory.
TIME_BUCKETS = 2
#: Candidates verified per query, the ones that collide in most bands first: a story
#: syndicated a hundred times, or boilerplate many articles share, cannot make a query read
#: a hundred records. The answer lists at most this many matches.
MAX_CANDIDATES = 16
#: Bytes of a band's hash kept in its bucket's field: 48 bits, so two different bands
#: collide by chance once in 2**48 (a candidate more, which verification drops).
FIELD_BYTES = 6

RECORD = struct.Struct("<dI")  # seen (Unix time), shingle count; then the values, the id


@dataclass(frozen=True)
class Params:
    """What a namespace's signatures and buckets depend on: any change is a new generation."""

    num_perm: int
    bands: int
    rows: int
    seed: int
    shingle: int
    shards: int
    span: float  # seconds of one time bucket

    @cached_property
    def generation(self) -> str:
        return hashlib.blake2b(json.dumps(self.__dict__, sort_keys=True).encode(),
                               digest_size=4).hexdigest()


@dataclass(frozen=True)
class Layout:
    """The key names and bucket fields of one namespace, for one set of parameters."""

    prefix: str
    namespace: str
    params: Params

    @cached_property
    def base(self) -> str:
        # The namespace in braces is a Redis Cluster hash tag: one slot per namespace.
        return f"{self.prefix}:{{{self.namespace}}}:{self.params.generation}"

    @property
    def generations_key(self) -> str:
        return f"{self.prefix}:{{{self.namespace}}}:generations"

    @property
    def counter_key(self) -> str:
        return f"{self.base}:next"

    def bucket(self, when: float) -> int:
        return int(when // self.params.span)

    def window(self, now: float, retention: float) -> list[int]:
        """The time buckets a query at `now` reads: newest first."""
        return list(range(self.bucket(now), self.bucket(now - retention) - 1, -1))

    def expire_at(self, bucket: int, retention: float) -> int:
        """When a bucket's keys go: once its last possible article is out of the window."""
        return int((bucket + 1) * self.params.span + retention) + 1

    def lasting(self, buckets: Sequence[int], retention: float) -> int:
        """When the namespace's counter and generations go: with the newest bucket of the
        window an add reads (its target is never newer), so after every bucket they name."""
        return self.expire_at(max(buckets), retention)

    def ids_key(self, bucket: int) -> str:
        return f"{self.base}:{bucket}:ids"

    def records_key(self, bucket: int) -> str:
        return f"{self.base}:{bucket}:rec"

    def span_key(self, bucket: int) -> str:
        return f"{self.base}:{bucket}:span"

    def shard_key(self, bucket: int, shard: int) -> str:
        return f"{self.base}:{bucket}:s{shard}"

    def band_slots(self, hashvalues: np.ndarray) -> list[tuple[int, bytes]]:
        """(shard, field) of each band of a signature (its full 32-bit values)."""
        rows = self.params.rows
        values = np.asarray(hashvalues, dtype="<u4")
        slots = []
        for band in range(self.params.bands):
            digest = hashlib.blake2b(values[band * rows:(band + 1) * rows].tobytes(),
                                     digest_size=8, salt=band.to_bytes(16, "little")).digest()
            number = int.from_bytes(digest, "little")
            slots.append((number % self.params.shards, digest[:FIELD_BYTES]))
        return slots


def low16(hashvalues: np.ndarray) -> np.ndarray:
    """A signature's values cut to 16 bits, as records store them."""
    return (np.asarray(hashvalues, dtype=np.uint64) & 0xFFFF).astype("<u2")


def pack_record(seen: float, size: int, hashvalues: np.ndarray, ident: str) -> bytes:
    return RECORD.pack(seen, size) + low16(hashvalues).tobytes() + ident.encode()


class BadRecord(ValueError):
    """Stored bytes that are no record of this layout (cut short, or written by something
    else): the caller skips the record and counts it, the store stays in use."""


@dataclass(frozen=True)
class Record:
    seen: float
    size: int
    values: np.ndarray  # 16-bit
    ident: str

    @classmethod
    def unpack(cls, data: bytes, num_perm: int) -> Record:
        """The record in `data`; `BadRecord` when it is none.

        >>> Record.unpack(b"short", 100)
        Traceback (most recent call last):
        newsindex.lsh.BadRecord: a record of 5 bytes, shorter than 212
        """
        end = RECORD.size + 2 * num_perm
        if not isinstance(data, bytes) or len(data) < end:
            raise BadRecord(f"a record of {len(data)} bytes, shorter than {end}")
        seen, size = RECORD.unpack_from(data)
        if not math.isfinite(seen):
            raise BadRecord("a record whose time is not a number")
        values = np.frombuffer(data[RECORD.size:end], dtype="<u2")
        try:
            ident = data[end:].decode()
        except UnicodeDecodeError:
            raise BadRecord("a record whose id is not UTF-8") from None
        return cls(seen, size, values, ident)

    def jaccard(self, values16: np.ndarray) -> float:
        """The estimate of the signatures' agreement, against `low16` of the other's."""
        return float(np.mean(values16 == self.values))


# ---------------------------------------------------------------------- the two stores


Entry = tuple[Sequence[int], Sequence[tuple[int, bytes]], str, bytes]
"""One add: its buckets (the target first), band slots, id and record."""


class Store(Protocol):
    """Where the index keeps its layout: `RedisStore`, `MemoryStore`, or
    `newsindex.sqlite.SqliteStore`. `kind` names it; `shared` says whether other worker
    processes see the same index, `scope` how far: "process", "instance" (every worker of
    one server, through one file) or "everywhere" (every server pointed at it)."""

    kind: str
    shared: bool
    scope: str
    outages: tuple[type[BaseException], ...]

    def query(self, layout: Layout, buckets: Sequence[int], slots: Sequence[tuple[int, bytes]],
              ident: str) -> list[bytes]: ...
    def add(self, layout: Layout, buckets: Sequence[int], slots: Sequence[tuple[int, bytes]],
            ident: str, record: bytes, retention: float) -> None: ...
    def add_many(self, layout: Layout, entries: Sequence[Entry], retention: float) -> None: ...
    def query_and_add(self, layout: Layout, buckets: Sequence[int],
                      slots: Sequence[tuple[int, bytes]], ident: str, entry: Entry,
                      retention: float) -> list[bytes]: ...
    def remove(self, layout: Layout, buckets: Sequence[int], ident: str) -> bool: ...
    def stats(self, layout: Layout, buckets: Sequence[int]) -> dict[str, Any]: ...
    def ping(self) -> None: ...


#: The scripts' two parts, as Lua functions of their keys (K) and arguments (A).
#: query: K, per bucket of the window, its ids and records hashes, then its shard hashes
#: (one per band); A, buckets, bands, the id asking (excluded), MAX_CANDIDATES, the fields.
#: add: K, the counter, the generations hash, then per bucket of the window its ids and
#: records hashes (the first bucket is the target one), then the target bucket's span hash
#: and its shard hashes (one per band); A, buckets, bands, id, record, expiry, generation,
#: parameters, seen, the namespace keys' expiry, the caller's clock (ms), the fields.
FUNCTIONS = """
local function query(K, A)
  -- An article's number is unique in its generation (one counter for every time bucket):
  -- it names a candidate alone; `found` keeps the bucket its record is in.
  local nb, nbands, ident, most = tonumber(A[1]), tonumber(A[2]), A[3], tonumber(A[4])
  local per = 2 + nbands
  local own, hits, found = {}, {}, {}
  for b = 0, nb - 1 do
    local mine = redis.call('HGET', K[b * per + 1], ident)
    if mine then own[mine] = true end
  end
  for b = 0, nb - 1 do
    for i = 1, nbands do
      local members = redis.call('HGET', K[b * per + 2 + i], A[4 + i])
      if members then
        for j = 1, #members, 4 do
          local number = string.sub(members, j, j + 3)
          local count = hits[number]
          if count then
            hits[number] = count + 1
          elseif not own[number] then
            hits[number] = 1
            found[#found + 1] = {b, number}
          end
        end
      end
    end
  end
  table.sort(found, function(x, y)
    local hx, hy = hits[x[2]], hits[y[2]]
    if hx ~= hy then return hx > hy end
    if x[1] ~= y[1] then return x[1] < y[1] end
    return x[2] < y[2]
  end)
  local records = {}
  for k = 1, math.min(most, #found) do
    local record = redis.call('HGET', K[found[k][1] * per + 2], found[k][2])
    if record then records[#records + 1] = record end
  end
  return records
end

-- A key that outlives the buckets (the counter, the generations): its expiry only moves
-- later, so that a late add of an old article never brings it closer.
local function extend(key, at, clock)
  local left = redis.call('PTTL', key)
  if left < 0 or clock + left < at * 1000 then redis.call('EXPIREAT', key, at) end
end

local function add(K, A)
  local nb, nbands, ident, record = tonumber(A[1]), tonumber(A[2]), A[3], A[4]
  local expire, seen = tonumber(A[5]), A[8]
  local lasting, clock = tonumber(A[9]), tonumber(A[10])
  local number = redis.call('HGET', K[3], ident)
  for b = 1, nb - 1 do  -- the same id in an older bucket: moved to this one
    local old = redis.call('HGET', K[3 + 2 * b], ident)
    if old then
      redis.call('HDEL', K[3 + 2 * b], ident)
      redis.call('HDEL', K[4 + 2 * b], old)
    end
  end
  if not number then number = struct.pack('<I4', redis.call('INCR', K[1]) % 4294967296) end
  redis.call('HSET', K[3], ident, number)
  redis.call('HSET', K[4], number, record)
  local span = K[3 + 2 * nb]
  redis.call('HSETNX', span, 'first', seen)
  redis.call('HSET', span, 'last', seen)
  for i = 1, nbands do
    local shard, fieldname = K[3 + 2 * nb + i], A[10 + i]
    local members = redis.call('HGET', shard, fieldname) or ''
    local known = false
    for j = 1, #members, 4 do
      if string.sub(members, j, j + 3) == number then known = true break end
    end
    if not known then redis.call('HSET', shard, fieldname, members .. number) end
    redis.call('EXPIREAT', shard, expire)
  end
  for _, key in ipairs({K[3], K[4], span}) do redis.call('EXPIREAT', key, expire) end
  redis.call('HSETNX', K[2], A[6], A[7])
  extend(K[1], lasting, clock)
  extend(K[2], lasting, clock)
  return 1
end

local function part(t, from, count)
  local out = {}
  for i = 1, count do out[i] = t[from + i] end
  return out
end
"""

QUERY = FUNCTIONS + "return query(KEYS, ARGV)"
ADD = FUNCTIONS + "return add(KEYS, ARGV)"
#: A query, then an add, in one round trip: ARGV[1] and ARGV[2] count the query's keys
#: and arguments, which come first.
QUERY_AND_ADD = FUNCTIONS + """
local nk, na = tonumber(ARGV[1]), tonumber(ARGV[2])
local records = query(part(KEYS, 0, nk), part(ARGV, 2, na))
add(part(KEYS, nk, #KEYS - nk), part(ARGV, 2 + na, #ARGV - 2 - na))
return records
"""


#: KEYS: per bucket of the window, its ids and records hashes. ARGV: the id.
REMOVE = """
local found = 0
for b = 0, #KEYS / 2 - 1 do
  local number = redis.call('HGET', KEYS[2 * b + 1], ARGV[1])
  if number then
    redis.call('HDEL', KEYS[2 * b + 1], ARGV[1])
    redis.call('HDEL', KEYS[2 * b + 2], number)
    found = 1
  end
end
return found
"""


def query_keys(layout: Layout, buckets: Sequence[int],
               slots: Sequence[tuple[int, bytes]]) -> tuple[list[str], list[Any]]:
    keys: list[str] = []
    for bucket in buckets:
        keys += [layout.ids_key(bucket), layout.records_key(bucket),
                 *(layout.shard_key(bucket, shard) for shard, _ in slots)]
    return keys, [field for _, field in slots]


def add_keys(layout: Layout, buckets: Sequence[int], slots: Sequence[tuple[int, bytes]]
             ) -> list[str]:
    keys = [layout.counter_key, layout.generations_key]
    for bucket in buckets:
        keys += [layout.ids_key(bucket), layout.records_key(bucket)]
    now = buckets[0]
    return [*keys, layout.span_key(now), *(layout.shard_key(now, shard) for shard, _ in slots)]


def add_args(layout: Layout, buckets: Sequence[int], slots: Sequence[tuple[int, bytes]],
             ident: str, record: bytes, retention: float) -> list[Any]:
    seen = RECORD.unpack_from(record)[0]
    return [len(buckets), len(slots), ident, record,
            layout.expire_at(buckets[0], retention), layout.params.generation,
            json.dumps(layout.params.__dict__, sort_keys=True), repr(seen),
            layout.lasting(buckets, retention), int(time.time() * 1000),
            *(field for _, field in slots)]


class RedisStore:
    """The shared store: every worker and every container on one Redis (or Redis Cluster)
    sees one index."""

    kind = "redis"
    shared = True
    scope = "everywhere"

    def __init__(self, url: str, timeout: float, *, cluster: bool = False) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.url = url
        # Fail fast, never retry inside a request: the breaker decides when to try again.
        options: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
        self.client: Any
        if cluster:
            # A cluster client follows MOVED and ASK itself (a failover, a resharding).
            self.client = redis.RedisCluster.from_url(url, **options)
        else:
            self.client = redis.Redis.from_url(url, retry=Retry(NoBackoff(), 0), **options)
        from redis import exceptions
        # Down, unreachable or between masters: the breaker waits. An error answered by
        # Redis (a key of the wrong type) fails that call only.
        self.outages: tuple[type[BaseException], ...] = (
            exceptions.ConnectionError, exceptions.TimeoutError,
            exceptions.ClusterDownError, exceptions.RedisClusterException)
        self._query = self.client.register_script(QUERY)
        self._add = self.client.register_script(ADD)
        self._query_and_add = self.client.register_script(QUERY_AND_ADD)
        self._remove = self.client.register_script(REMOVE)

    def query(self, layout: Layout, buckets: Sequence[int], slots: Sequence[tuple[int, bytes]],
              ident: str) -> list[bytes]:
        keys, fields = query_keys(layout, buckets, slots)
        return list(self._query(keys=keys, args=[len(buckets), len(slots), ident,
                                                 MAX_CANDIDATES, *fields]))

    def add(self, layout: Layout, buckets: Sequence[int], slots: Sequence[tuple[int, bytes]],
            ident: str, record: bytes, retention: float) -> None:
        self._add(keys=add_keys(layout, buckets, slots),
                  args=add_args(layout, buckets, slots, ident, record, retention))

    def query_and_add(self, layout: Layout, buckets: Sequence[int],
                      slots: Sequence[tuple[int, bytes]], ident: str, entry: Entry,
                      retention: float) -> list[bytes]:
        """`query`, then the add of `entry`, in one round trip."""
        keys, fields = query_keys(layout, buckets, slots)
        args = [len(buckets), len(slots), ident, MAX_CANDIDATES, *fields]
        add_buckets, add_slots, add_ident, record = entry
        more_keys = add_keys(layout, add_buckets, add_slots)
        more_args = add_args(layout, add_buckets, add_slots, add_ident, record, retention)
        return list(self._query_and_add(keys=[*keys, *more_keys],
                                        args=[len(keys), len(args), *args, *more_args]))

    def add_many(self, layout: Layout, entries: Sequence[Entry], retention: float) -> None:
        """Many adds in one pipeline (a bulk load)."""
        pipe = self.client.pipeline(transaction=False)
        for buckets, slots, ident, record in entries:
            self._add(keys=add_keys(layout, buckets, slots),
                      args=add_args(layout, buckets, slots, ident, record, retention),
                      client=pipe)
        pipe.execute()

    def remove(self, layout: Layout, buckets: Sequence[int], ident: str) -> bool:
        keys = [key for b in buckets for key in (layout.ids_key(b), layout.records_key(b))]
        return bool(self._remove(keys=keys, args=[ident]))

    def stats(self, layout: Layout, buckets: Sequence[int]) -> dict[str, Any]:
        pipe = self.client.pipeline(transaction=False)
        for bucket in buckets:
            pipe.hlen(layout.ids_key(bucket))
            pipe.hmget(layout.span_key(bucket), ["first", "last"])
        answers = pipe.execute()
        firsts = [t for f, _ in answers[1::2] if (t := _time(f)) is not None]
        lasts = [t for _, last in answers[1::2] if (t := _time(last)) is not None]
        return {"articles": sum(answers[0::2]), "oldest": min(firsts, default=None),
                "newest": max(lasts, default=None)}

    def ping(self) -> None:
        self.client.ping()


class Hashes(Protocol):
    """Redis' hashes with key expiry, as the embedded stores keep them: fields and values
    are bytes; a key past its expiry reads as absent and is written as a new key (no
    expiry until one is set), as in Redis."""

    def get(self, key: str, field: bytes) -> bytes | None: ...
    def set(self, key: str, field: bytes, value: bytes) -> None: ...
    def delete(self, key: str, field: bytes) -> bool: ...
    def length(self, key: str) -> int: ...
    def expires(self, key: str) -> float | None: ...
    def expire_at(self, key: str, when: float) -> None: ...
    def reading(self) -> AbstractContextManager[None]: ...
    def writing(self) -> AbstractContextManager[None]: ...
    def sweep(self) -> None: ...
    def ping(self) -> None: ...


COUNTER_FIELD = b"n"


class HashStore:
    """The Redis scripts, step for step, on `Hashes` kept in the process (`MemoryStore`)
    or in a file every worker shares (`newsindex.sqlite.SqliteStore`): one implementation
    of the layout for both, and a test holds them to Redis' answers. Each operation is one
    transaction, as each script is atomic in Redis."""

    kind = "embedded"
    shared = False
    scope = "process"
    #: Errors that mean the store is down (the breaker keeps away from it a while).
    outages: tuple[type[BaseException], ...] = ()
    #: Expired keys are dropped at most this often (reads already skip them).
    SWEEP_EVERY = 1.0
    #: Adds of a bulk load per transaction: at ~1.5 ms an add, a load holds the SQLite
    #: file's write lock ~0.1 s at a time, so the service's requests beside it never wait
    #: near `newsindex.sqlite.BUSY_SECONDS`.
    ADDS_PER_WRITE = 64

    def __init__(self, hashes: Hashes) -> None:
        self.hashes = hashes
        self._swept = 0.0

    def query(self, layout: Layout, buckets: Sequence[int], slots: Sequence[tuple[int, bytes]],
              ident: str) -> list[bytes]:
        with self.hashes.reading():
            return self._query(layout, buckets, slots, ident)

    def _query(self, layout: Layout, buckets: Sequence[int],
               slots: Sequence[tuple[int, bytes]], ident: str) -> list[bytes]:
        h, key = self.hashes, ident.encode()
        own = {h.get(layout.ids_key(bucket), key) for bucket in buckets}
        hits: dict[bytes, int] = {}
        where: dict[bytes, int] = {}  # a number's bucket, the first it was met in
        for b, bucket in enumerate(buckets):
            for shard, band_field in slots:
                members = h.get(layout.shard_key(bucket, shard), band_field) or b""
                for j in range(0, len(members), 4):
                    number = members[j:j + 4]
                    if number in hits:
                        hits[number] += 1
                    elif number not in own:
                        hits[number] = 1
                        where[number] = b
        # The script's order: most bands first, then the bucket, then the number's bytes.
        ranked = [(where[n], n) for n in sorted(hits, key=lambda n: (-hits[n], where[n], n))]
        records = []
        for b, number in ranked[:MAX_CANDIDATES]:
            record = h.get(layout.records_key(buckets[b]), number)
            if record is not None:
                records.append(record)
        return records

    def add(self, layout: Layout, buckets: Sequence[int], slots: Sequence[tuple[int, bytes]],
            ident: str, record: bytes, retention: float) -> None:
        with self.hashes.writing():
            self._add(layout, buckets, slots, ident, record, retention)
        self._sweep()

    def _add(self, layout: Layout, buckets: Sequence[int], slots: Sequence[tuple[int, bytes]],
             ident: str, record: bytes, retention: float) -> None:
        h, key = self.hashes, ident.encode()
        now = buckets[0]
        expire = layout.expire_at(now, retention)
        ids, records = layout.ids_key(now), layout.records_key(now)
        number = h.get(ids, key)
        for bucket in buckets[1:]:  # the same id in an older bucket: moved to this one
            old = h.get(layout.ids_key(bucket), key)
            if old is not None:
                h.delete(layout.ids_key(bucket), key)
                h.delete(layout.records_key(bucket), old)
        if number is None:
            count = int(h.get(layout.counter_key, COUNTER_FIELD) or 0) + 1
            h.set(layout.counter_key, COUNTER_FIELD, str(count).encode())
            number = struct.pack("<I", count % 2**32)
        h.set(ids, key, number)
        h.set(records, number, record)
        span = layout.span_key(now)
        seen = repr(RECORD.unpack_from(record)[0]).encode()
        if h.get(span, b"first") is None:
            h.set(span, b"first", seen)
        h.set(span, b"last", seen)
        for shard, band_field in slots:
            bucket_hash = layout.shard_key(now, shard)
            members = h.get(bucket_hash, band_field) or b""
            if number not in {members[j:j + 4] for j in range(0, len(members), 4)}:
                h.set(bucket_hash, band_field, members + number)
            h.expire_at(bucket_hash, expire)
        for name in (ids, records, span):
            h.expire_at(name, expire)
        generation = layout.params.generation.encode()
        if h.get(layout.generations_key, generation) is None:
            h.set(layout.generations_key, generation,
                  json.dumps(layout.params.__dict__, sort_keys=True).encode())
        lasting = layout.lasting(buckets, retention)
        for name in (layout.counter_key, layout.generations_key):
            current = h.expires(name)
            if current is None or current < lasting:
                h.expire_at(name, lasting)

    def add_many(self, layout: Layout, entries: Sequence[Entry], retention: float) -> None:
        """Many adds, `ADDS_PER_WRITE` a transaction (a bulk load)."""
        for start in range(0, len(entries), self.ADDS_PER_WRITE):
            with self.hashes.writing():
                for buckets, slots, ident, record in entries[start:start + self.ADDS_PER_WRITE]:
                    self._add(layout, buckets, slots, ident, record, retention)
        self._sweep()

    def query_and_add(self, layout: Layout, buckets: Sequence[int],
                      slots: Sequence[tuple[int, bytes]], ident: str, entry: Entry,
                      retention: float) -> list[bytes]:
        with self.hashes.writing():
            records = self._query(layout, buckets, slots, ident)
            self._add(layout, *entry, retention)
        self._sweep()
        return records

    def remove(self, layout: Layout, buckets: Sequence[int], ident: str) -> bool:
        h, key = self.hashes, ident.encode()
        found = False
        with h.writing():
            for bucket in buckets:
                number = h.get(layout.ids_key(bucket), key)
                if number is not None:
                    h.delete(layout.ids_key(bucket), key)
                    h.delete(layout.records_key(bucket), number)
                    found = True
        return found

    def stats(self, layout: Layout, buckets: Sequence[int]) -> dict[str, Any]:
        h = self.hashes
        with h.reading():
            spans = [(h.get(layout.span_key(b), b"first"), h.get(layout.span_key(b), b"last"))
                     for b in buckets]
            articles = sum(h.length(layout.ids_key(b)) for b in buckets)
        firsts = [t for first, _ in spans if (t := _time(first)) is not None]
        lasts = [t for _, last in spans if (t := _time(last)) is not None]
        return {"articles": articles, "oldest": min(firsts, default=None),
                "newest": max(lasts, default=None)}

    def ping(self) -> None:
        self.hashes.ping()

    def _sweep(self) -> None:
        """Drop expired keys, as Redis does by itself."""
        clock = time.monotonic()
        if clock - self._swept < self.SWEEP_EVERY:
            return
        self._swept = clock
        self.hashes.sweep()


def _time(value: bytes | None) -> float | None:
    """A span's time as stored; None when absent or not a time (never written by us)."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@dataclass
class _Expiring:
    value: dict[bytes, bytes] = field(default_factory=dict)
    expires: float | None = None


class MemoryHashes:
    """`Hashes` in this process's memory: one lock, so a worker's threads take turns."""

    def __init__(self) -> None:
        self._keys: dict[str, _Expiring] = {}
        self._lock = threading.RLock()

    def _live(self, key: str) -> _Expiring | None:
        entry = self._keys.get(key)
        if entry is None or (entry.expires is not None and entry.expires <= time.time()):
            return None
        return entry

    def _write(self, key: str) -> _Expiring:
        entry = self._live(key)
        if entry is None:
            entry = self._keys[key] = _Expiring()
        return entry

    def get(self, key: str, field: bytes) -> bytes | None:
        entry = self._live(key)
        return None if entry is None else entry.value.get(field)

    def set(self, key: str, field: bytes, value: bytes) -> None:
        self._write(key).value[field] = value

    def delete(self, key: str, field: bytes) -> bool:
        entry = self._live(key)
        if entry is None or field not in entry.value:
            return False
        del entry.value[field]
        if not entry.value:  # as Redis: a hash without fields is no key
            del self._keys[key]
        return True

    def length(self, key: str) -> int:
        entry = self._live(key)
        return 0 if entry is None else len(entry.value)

    def expires(self, key: str) -> float | None:
        entry = self._live(key)
        return None if entry is None else entry.expires

    def expire_at(self, key: str, when: float) -> None:
        entry = self._live(key)
        if entry is not None:
            entry.expires = when

    def reading(self) -> AbstractContextManager[None]:
        return self._held()

    def writing(self) -> AbstractContextManager[None]:
        return self._held()

    @contextmanager
    def _held(self) -> Iterator[None]:
        with self._lock:
            yield

    def sweep(self) -> None:
        clock = time.time()
        with self._lock:
            for key in [k for k, v in self._keys.items()
                        if v.expires is not None and v.expires <= clock]:
                del self._keys[key]

    def ping(self) -> None:
        return None

    def __len__(self) -> int:
        """Keys held, expired ones not yet swept included."""
        return len(self._keys)


class MemoryStore(HashStore):
    """The layout in this process's memory: one index per process, gone when it ends (for
    tests, and a library user who wants no file)."""

    kind = "memory"
    shared = False
    scope = "process"

    def __init__(self) -> None:
        super().__init__(MemoryHashes())
