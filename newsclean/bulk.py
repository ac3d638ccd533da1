"""The index in bulk: fingerprints written offline, an archive loaded, an old index moved.

    newsclean fingerprint IN OUT [--workers N]      # the signatures the service computes
    newsclean index load FILE --namespace NS        # articles or fingerprints, pipelined
    newsclean index migrate --namespace NS          # from the layout before newsindex.lsh

All three use the settings of the environment (REDIS_URL, NEWSCLEAN_INDEX_PREFIX, ...), as
the service does, so they write exactly what it reads.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from cleaning import clean
from newsclean.backfill import Fields, Record, Work, chunks, local_results, read_records
from newsindex.index import (
    FINGERPRINT_SCHEME,
    MAX_ID_LENGTH,
    Indexer,
    IndexSettings,
    fingerprint,
    index_factory,
)

#: Fingerprints sent to Redis per pipeline: a few hundred scripts of ~30 us each keep a
#: round trip's latency small beside Redis' work, and a pipeline's memory small.
LOAD_BATCH = 500


def fingerprint_row(record: Record, fields: Fields, line: int) -> dict[str, Any]:
    """One output row of `newsclean fingerprint`: the id, shingle count and signature
    (base64 of little-endian uint32s), or why there is none; and the scheme the signature
    was computed in (`FINGERPRINT_SCHEME`)."""
    row: dict[str, Any] = {"line": line, "id": None, "size": None, "signature": None,
                           "scheme": FINGERPRINT_SCHEME, "error": None}
    if isinstance(record, str):
        return {**row, "error": record}
    ident = record.get(fields.id) if fields.id else None
    if ident is not None and len(str(ident)) > MAX_ID_LENGTH:
        return {**row, "error": LONG_ID}  # the id left out: it is what is wrong
    row["id"] = None if ident is None else str(ident)
    text = record.get(fields.text)
    if not isinstance(text, str):
        return {**row, "error": "no text"}
    title = record.get(fields.title) if fields.title else None
    result = clean(text, title=title if isinstance(title, str) else None)
    found = fingerprint(index_factory(), result)
    if found is None:
        return {**row, "error": "too little body text to fingerprint"}
    size, values = found
    return {**row, "size": size,
            "signature": base64.b64encode(values.astype("<u4").tobytes()).decode()}


#: Why a record with an id the service would refuse gets no fingerprint, nor a place in
#: the index (`newsclean index load` counts them apart).
LONG_ID = f"id longer than {MAX_ID_LENGTH} characters"


def fingerprint_chunk(work: Work) -> list[dict[str, Any]]:
    first, records, fields, _ = work
    return [fingerprint_row(r, fields, line) for line, r in enumerate(records, first)]


def write_fingerprints(source: Path, target: Path, fields: Fields, workers: int) -> int:
    """`newsclean fingerprint`: rows written."""
    written = 0
    with target.open("w", encoding="utf-8") as out:
        for rows in local_results(chunks(read_records(source, 0), 1), fields, workers,
                                  task=fingerprint_chunk):
            out.write("".join(json.dumps(row) + "\n" for row in rows))
            written += len(rows)
    return written


#: The scheme of rows that name none: those of the first release, which computed this one.
FIRST_SCHEME = "minhash-100-seed-1-words-5-crc32"


class ForeignFingerprints(ValueError):
    """A row of `newsclean fingerprint` computed in another scheme than this version's:
    its values would match nothing (or the wrong articles), so the load stops there (the
    batches of `LOAD_BATCH` rows sent before it stay in)."""


Fingerprint = tuple[str, int, Any, float | None]
"""(id, shingle count, signature values, seen or None for now), as `Indexer.add_many`
takes it."""


def fingerprints_of(source: Path, fields: Fields) -> Iterator[Fingerprint | str | None]:
    """For each record of FILE, its fingerprint; `LONG_ID` when its id is longer than the
    service takes; None when it has no fingerprint or no id. Rows of `newsclean
    fingerprint`, or articles (fingerprinted here). A row of another scheme raises
    `ForeignFingerprints`."""
    for line, record in enumerate(read_records(source, 0), 1):
        if isinstance(record, dict) and "signature" not in record:
            record = fingerprint_row(record, fields, line) | {"seen": record.get("seen")}
        elif isinstance(record, dict) and record.get("scheme", FIRST_SCHEME) != FINGERPRINT_SCHEME:
            raise ForeignFingerprints(
                f"{source}, line {line}: a fingerprint of scheme {record.get('scheme')!r}, "
                f"and this version computes {FINGERPRINT_SCHEME!r}: run `newsclean "
                "fingerprint` on the articles again")
        if isinstance(record, dict) and (record.get("error") == LONG_ID or (
                record.get("id") is not None and len(str(record["id"])) > MAX_ID_LENGTH)):
            yield LONG_ID
            continue
        if not isinstance(record, dict) or not record.get("signature") or \
                record.get("id") is None:
            yield None
            continue
        values = np.frombuffer(base64.b64decode(record["signature"]), dtype="<u4")
        seen = record.get("seen")
        yield (str(record["id"]), int(record["size"]), values.astype(np.uint32),
               float(seen) if isinstance(seen, int | float) else None)


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """`items` in lists of `size` (itertools.batched, which Python 3.11 lacks)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def add_in_batches(indexer: Indexer, namespace: str, fingerprints: Iterable[Fingerprint],
                   progress: Callable[[int], object] = lambda n: None) -> int:
    """Add `fingerprints`, LOAD_BATCH to a pipeline; how many were in the window."""
    added = 0
    for batch in batched(fingerprints, LOAD_BATCH):
        added += indexer.add_many(namespace, batch)
        progress(len(batch))
    return added


def load(source: Path, namespace: str, settings: IndexSettings,
         fields: Fields) -> tuple[int, int, int]:
    """`newsclean index load`: (fingerprints added, records skipped: no fingerprint, no id,
    or seen before the window; of these, those skipped for an id longer than
    MAX_ID_LENGTH)."""
    from tqdm import tqdm

    records = long_ids = 0

    def counted() -> Iterator[Fingerprint]:
        nonlocal records, long_ids
        for item in fingerprints_of(source, fields):
            records += 1
            if item == LONG_ID:
                long_ids += 1
            elif isinstance(item, tuple):
                yield item

    with tqdm(unit="article", file=sys.stderr) as bar:
        added = add_in_batches(Indexer(settings), namespace, counted(), bar.update)
    return added, records - added, long_ids


def migrate(namespace: str, settings: IndexSettings, *, delete_old: bool) -> int:
    """`newsclean index migrate`: move a namespace from the layout before `newsindex.lsh`
    (datasketch's buckets, a `sig` hash of packed uint32s and a `seen` sorted set) into
    this one, keeping each article's time; the old keys go with `delete_old`. Articles
    moved."""
    indexer = Indexer(settings)
    client = getattr(indexer.store, "client", None)
    if client is None:
        raise SystemExit("newsclean: migrate needs REDIS_URL: the old index lived in Redis")
    old = f"{settings.index_prefix}:{{{namespace}}}"

    def old_fingerprints() -> Iterator[Fingerprint]:
        for batch in batched(client.hscan_iter(f"{old}:sig", count=LOAD_BATCH), LOAD_BATCH):
            times = client.zmscore(f"{old}:seen", [ident for ident, _ in batch])
            for (ident, packed), seen in zip(batch, times, strict=True):
                values = np.frombuffer(packed, dtype="<u4")
                yield (ident.decode(), int(values[0]), values[1:].astype(np.uint32),
                       float(seen) if seen is not None else None)

    moved = add_in_batches(indexer, namespace, old_fingerprints())
    if delete_old:
        doomed = [f"{old}:sig", f"{old}:seen",
                  *client.scan_iter(f"{old}:lsh*", count=1000)]
        for start in range(0, len(doomed), 1000):
            client.delete(*doomed[start:start + 1000])
    return moved
