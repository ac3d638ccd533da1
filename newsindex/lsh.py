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

`MemoryStore` keeps the same layout in the process's memory (for a service without Redis),
following the scripts step for step; a test holds the two to the same answers.
"""

from __future__ import annotations

import hashlib
import json
import struct
import time
from collections.abc import Sequence
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


@dataclass(frozen=True)
class Record:
    seen: float
    size: int
    values: np.ndarray  # 16-bit
    ident: str

    @classmethod
    def unpack(cls, data: bytes, num_perm: int) -> Record:
        seen, size = RECORD.unpack_from(data)
        end = RECORD.size + 2 * num_perm
        values = np.frombuffer(data[RECORD.size:end], dtype="<u2")
        return cls(seen, size, values, data[end:].decode())

    def jaccard(self, values16: np.ndarray) -> float:
        """The estimate of the signatures' agreement, against `low16` of the other's."""
        return float(np.mean(values16 == self.values))


# ---------------------------------------------------------------------- the two stores


Entry = tuple[Sequence[int], Sequence[tuple[int, bytes]], str, bytes]
"""One add: its buckets (the target first), band slots, id and record."""


class Store(Protocol):
    kind: str
    shared: bool

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
#: parameters, seen, the fields.
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

local function add(K, A)
  local nb, nbands, ident, record = tonumber(A[1]), tonumber(A[2]), A[3], A[4]
  local expire, seen = tonumber(A[5]), A[8]
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
    local shard, fieldname = K[3 + 2 * nb + i], A[8 + i]
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
            *(field for _, field in slots)]


class RedisStore:
    """The shared store: every worker and every container on one Redis (or Redis Cluster)
    sees one index."""

    kind = "redis"
    shared = True

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
        spans = [(float(f), float(last)) for f, last in answers[1::2] if f is not None]
        return {"articles": sum(answers[0::2]),
                "oldest": min((f for f, _ in spans), default=None),
                "newest": max((last for _, last in spans), default=None)}

    def ping(self) -> None:
        self.client.ping()


@dataclass
class _Expiring:
    value: dict[bytes | str, bytes] = field(default_factory=dict)
    expires: float = float("inf")


NOTHING: dict[bytes | str, bytes] = {}


class MemoryStore:
    """The same layout in this process's memory: the embedded default, one index per
    process, gone when it ends. Each method follows its Redis script step for step, and
    keys expire as Redis' do (looked at when read; swept at most every SWEEP_EVERY s)."""

    kind = "memory"
    shared = False
    SWEEP_EVERY = 1.0

    def __init__(self) -> None:
        self._keys: dict[str, _Expiring] = {}
        self._counters: dict[str, int] = {}
        self._swept = 0.0

    def _read(self, key: str) -> dict[bytes | str, bytes]:
        entry = self._keys.get(key)
        if entry is None or entry.expires <= time.time():
            return NOTHING
        return entry.value

    def _write(self, key: str) -> _Expiring:
        entry = self._keys.get(key)
        if entry is None or entry.expires <= time.time():
            entry = self._keys[key] = _Expiring()
        return entry

    def query(self, layout: Layout, buckets: Sequence[int], slots: Sequence[tuple[int, bytes]],
              ident: str) -> list[bytes]:
        own = {self._read(layout.ids_key(bucket)).get(ident) for bucket in buckets}
        hits: dict[bytes, int] = {}
        where: dict[bytes, int] = {}  # a number's bucket, the first it was met in
        for b, bucket in enumerate(buckets):
            for shard, band_field in slots:
                members = self._read(layout.shard_key(bucket, shard)).get(band_field, b"")
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
            record = self._read(layout.records_key(buckets[b])).get(number)
            if record is not None:
                records.append(record)
        return records

    def add(self, layout: Layout, buckets: Sequence[int], slots: Sequence[tuple[int, bytes]],
            ident: str, record: bytes, retention: float) -> None:
        self._sweep()
        now = buckets[0]
        expire = layout.expire_at(now, retention)
        ids = self._write(layout.ids_key(now))
        number = ids.value.get(ident)
        for bucket in buckets[1:]:
            old = self._read(layout.ids_key(bucket)).get(ident)
            if old is not None:
                self._write(layout.ids_key(bucket)).value.pop(ident)
                self._write(layout.records_key(bucket)).value.pop(old, None)
        if number is None:
            count = self._counters.get(layout.counter_key, 0) + 1
            self._counters[layout.counter_key] = count
            number = struct.pack("<I", count % 2**32)
        ids.value[ident] = number
        records = self._write(layout.records_key(now))
        records.value[number] = record
        span = self._write(layout.span_key(now))
        seen = repr(RECORD.unpack_from(record)[0]).encode()
        span.value.setdefault("first", seen)
        span.value["last"] = seen
        for shard, band_field in slots:
            bucket_hash = self._write(layout.shard_key(now, shard))
            members = bucket_hash.value.get(band_field, b"")
            if number not in {members[j:j + 4] for j in range(0, len(members), 4)}:
                bucket_hash.value[band_field] = members + number
            bucket_hash.expires = expire
        for entry in (ids, records, span):
            entry.expires = expire

    def add_many(self, layout: Layout, entries: Sequence[Entry], retention: float) -> None:
        for buckets, slots, ident, record in entries:
            self.add(layout, buckets, slots, ident, record, retention)

    def query_and_add(self, layout: Layout, buckets: Sequence[int],
                      slots: Sequence[tuple[int, bytes]], ident: str, entry: Entry,
                      retention: float) -> list[bytes]:
        records = self.query(layout, buckets, slots, ident)
        self.add(layout, *entry, retention)
        return records

    def remove(self, layout: Layout, buckets: Sequence[int], ident: str) -> bool:
        found = False
        for bucket in buckets:
            number = self._read(layout.ids_key(bucket)).get(ident)
            if number is not None:
                self._write(layout.ids_key(bucket)).value.pop(ident)
                self._write(layout.records_key(bucket)).value.pop(number, None)
                found = True
        return found

    def stats(self, layout: Layout, buckets: Sequence[int]) -> dict[str, Any]:
        spans = [self._read(layout.span_key(b)) for b in buckets]
        firsts = [float(s["first"]) for s in spans if "first" in s]
        lasts = [float(s["last"]) for s in spans if "last" in s]
        return {"articles": sum(len(self._read(layout.ids_key(b))) for b in buckets),
                "oldest": min(firsts, default=None), "newest": max(lasts, default=None)}

    def ping(self) -> None:
        return None

    def _sweep(self) -> None:
        """Drop expired keys, as Redis does by itself."""
        clock = time.time()
        if clock - self._swept < self.SWEEP_EVERY:
            return
        self._swept = clock
        for key in [k for k, v in self._keys.items() if v.expires <= clock]:
            del self._keys[key]
