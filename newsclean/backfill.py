"""`newsclean backfill IN OUT`: clean an archive once, on this machine or on a Ray cluster.

IN is JSONL (one article object a line) or Parquet (a file or a folder of them); OUT is
JSONL, or a folder of Parquet parts when its name ends in `.parquet`. Each output row is
`cleaning.batch.OUTPUT_COLUMNS`, in the input's order, followed by the input's own fields
(`Fields.keep`: all of them by default but the article's text, which the cleaned `text`
replaces, and the id, which the `id` column carries; a field named like an output column is
written as `input_<name>`), so that the output needs no join with the input. Rows are
written as they are done, so a run that dies is resumed by running it again: what OUT holds
is kept (a last line cut half-way is dropped) and the input is taken up after it, so every
record is written once.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cleaning.batch import OUTPUT_COLUMNS, CleanBatch, clean_row, output_schema
from cleaning.config import CleanConfig

#: Records per unit of work sent to a process or a Ray task: large enough that shipping
#: them (pickling ~64 articles of a few KB) costs little beside cleaning them (~1 ms
#: each), small enough that the output keeps up closely and a crash redoes little.
CHUNK_RECORDS = 64
#: Records per Ray task (its batch_size): Ray's cost per task is milliseconds, so tasks of
#: 256 articles (~0.3 s of cleaning) keep it small; measured on 2 CPUs, tasks of 64 ran
#: ~35% slower than tasks of 256.
RAY_BATCH = 256
#: Records per Ray dataset: enough to keep every CPU of a cluster busy with chunks,
#: few enough that the driver holds them comfortably (4,096 articles: ~20 MB).
RAY_WINDOW = 4096
#: Rows per Parquet part written (parts are written whole, so a crash leaves no half file).
PARQUET_PART_ROWS = 4096


@dataclass(frozen=True)
class Fields:
    """Which input fields hold the article, its headline and its id, and which of the
    input's fields the output keeps: None for all of them but the text and the id, or the
    names of those to keep (an empty tuple: none)."""
    text: str = "text"
    title: str | None = "title"
    id: str | None = "id"
    keep: tuple[str, ...] | None = None

    def kept(self, record: dict[str, Any]) -> dict[str, Any]:
        """The input fields of `record` that go into its output row, by their output names.

        >>> Fields().kept({"text": "...", "id": 7, "url": "u", "changed": 1})
        {'url': 'u', 'input_changed': 1}
        """
        if self.keep is None:
            names = [name for name in record if name not in (self.text, self.id)]
        else:
            names = [name for name in self.keep if name in record]
        return {(f"input_{name}" if name in OUTPUT_COLUMNS else name): record[name]
                for name in names}


Record = dict[str, Any] | str
"""An input record, or why its line could not be read (a str)."""


# ---------------------------------------------------------------------- input


def is_parquet(path: Path) -> bool:
    return path.suffix == ".parquet" or path.is_dir()


def count_records(path: Path) -> int | None:
    """How many records IN holds (for the progress bar), without reading them all."""
    if is_parquet(path):
        import pyarrow.dataset as ds

        return int(ds.dataset(path, format="parquet").count_rows())
    with path.open("rb") as lines:
        return sum(1 for line in lines if line.strip())


def read_records(path: Path, skip: int) -> Iterator[Record]:
    """The records of IN after the first `skip`, in order."""
    if is_parquet(path):
        import pyarrow.dataset as ds

        for batch in ds.dataset(path, format="parquet").to_batches():
            rows = batch.to_pylist()
            if skip >= len(rows):
                skip -= len(rows)
                continue
            yield from rows[skip:]
            skip = 0
        return
    with path.open("rb") as lines:
        for raw in lines:
            if not raw.strip():
                continue
            if skip:
                skip -= 1
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                yield f"not a JSON line: {exc}"
                continue
            yield record if isinstance(record, dict) else "not a JSON object"


def chunks(records: Iterable[Record], first_line: int,
           size: int = CHUNK_RECORDS) -> Iterator[tuple[int, list[Record]]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield first_line, chunk
            first_line, chunk = first_line + size, []
    if chunk:
        yield first_line, chunk


Work = tuple[int, list[Record], Fields, CleanConfig | None]
"""A chunk to clean: its first line, its records, their fields, the config (None: the
defaults)."""


def clean_chunk(work: Work) -> list[dict[str, Any]]:
    """The output rows of one chunk (run in a worker process)."""
    first_line, records, fields, config = work
    rows = []
    for line, record in enumerate(records, first_line):
        if isinstance(record, str):
            row = clean_row(None, line=line)
            row["error"] = record
        else:
            row = clean_row(record.get(fields.text),
                            record.get(fields.title) if fields.title else None,
                            record.get(fields.id) if fields.id else None, line=line,
                            config=config)
            row.update(fields.kept(record))
        rows.append(row)
    return rows


# ---------------------------------------------------------------------- output


class Output(Protocol):
    def done(self) -> int: ...
    def write(self, rows: list[dict[str, Any]]) -> None: ...
    def close(self) -> None: ...


class JsonlOutput:
    def __init__(self, path: Path) -> None:
        self.path = path

    def done(self) -> int:
        """Rows already written; a last line cut short by a crash is dropped."""
        if not self.path.exists():
            return 0
        data = self.path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) != len(data):
            with self.path.open("r+b") as out:
                out.truncate(len(complete))
        return complete.count(b"\n")

    def write(self, rows: list[dict[str, Any]]) -> None:
        if not hasattr(self, "_file"):
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        self._file.flush()

    def close(self) -> None:
        if hasattr(self, "_file"):
            self._file.close()


class ParquetOutput:
    """A folder of `part-NNNNNN.parquet` files, each written whole (then renamed).

    Every part has one schema: `OUTPUT_COLUMNS`, then the kept input fields with the types
    `kept_types` gives (a Parquet input's own), else those of the parts written before,
    else those the first part's values show (a field null throughout it is a string)."""

    def __init__(self, path: Path, kept_types: Any = None) -> None:
        self.path = path
        self._rows: list[dict[str, Any]] = []
        self._parts = 0
        self._kept_types = kept_types
        self._schema: Any = None

    def done(self) -> int:
        import pyarrow.parquet as pq

        self.path.mkdir(parents=True, exist_ok=True)
        for partial in self.path.glob("*.tmp"):
            partial.unlink()
        parts = sorted(self.path.glob("part-*.parquet"))
        self._parts = len(parts)
        if parts:
            self._schema = pq.read_schema(parts[0])
        return sum(pq.ParquetFile(part).metadata.num_rows for part in parts)

    def write(self, rows: list[dict[str, Any]]) -> None:
        self._rows.extend(rows)
        if len(self._rows) >= PARQUET_PART_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows:
            return
        if self._schema is None:
            self._schema = self._schema_of(self._rows)
        part = self.path / f"part-{self._parts:06d}.parquet"
        partial = part.with_suffix(".tmp")
        pq.write_table(pa.Table.from_pylist(self._rows, schema=self._schema), partial)
        partial.rename(part)
        self._parts += 1
        self._rows = []

    def close(self) -> None:
        self._flush()

    def _schema_of(self, rows: list[dict[str, Any]]) -> Any:
        import pyarrow as pa

        names = list(dict.fromkeys(name for row in rows for name in row
                                   if name not in OUTPUT_COLUMNS))
        given = self._kept_types
        seen = pa.Table.from_pylist([{n: row.get(n) for n in names} for row in rows]).schema
        kept = []
        for name in names:
            source = name[len("input_"):] if name.startswith("input_") else name
            if given is not None and given.get_field_index(source) >= 0:
                kind = given.field(source).type
            else:
                kind = seen.field(name).type
            kept.append((name, pa.string() if pa.types.is_null(kind) else kind))
        return pa.schema([*output_schema(), *kept])


def open_output(path: Path, kept_types: Any = None) -> Output:
    return ParquetOutput(path, kept_types) if path.suffix == ".parquet" else JsonlOutput(path)


def input_schema(path: Path) -> Any:
    """The Arrow schema of a Parquet input (None for JSONL)."""
    if not is_parquet(path):
        return None
    import pyarrow.dataset as ds

    return ds.dataset(path, format="parquet").schema


# ---------------------------------------------------------------------- engines


Task = Callable[[Work], list[dict[str, Any]]]


def local_results(work: Iterator[tuple[int, list[Record]]], fields: Fields, workers: int,
                  task: Task = clean_chunk, config: CleanConfig | None = None,
                  ) -> Iterator[list[dict[str, Any]]]:
    """Chunks done here by `task` (by default, cleaned): in this process, or in `workers`
    processes, order kept."""
    tasks = ((first, records, fields, config) for first, records in work)
    if workers == 1:
        yield from map(task, tasks)
        return
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        yield from pool.imap(task, tasks)


def ray_results(records: Iterator[Record], first_line: int, fields: Fields, address: str,
                workers: int, config: CleanConfig | None = None,
                ) -> Iterator[list[dict[str, Any]]]:
    """Records cleaned by Ray Data's `map_batches` over `CleanBatch`, in windows of
    `RAY_WINDOW`, order kept.

    `address`: `local` starts a private Ray on this machine (`workers` CPUs); `auto` joins
    the cluster this machine belongs to; anything else is a Ray address."""
    import ray

    if address == "local":
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(address=address, log_to_driver=False)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    cleaner = CleanBatch("text", "title", "id", config=config)
    windows = chunks(records, first_line, RAY_WINDOW)
    # One window is cleaned while the one before is written: the cluster never waits.
    with ThreadPoolExecutor(1, thread_name_prefix="ray-window") as ahead:
        try:
            pending: Future[list[dict[str, Any]]] | None = None
            for first, window in windows:
                numbered = list(enumerate(window, first))
                upcoming = ahead.submit(_ray_window, ray, cleaner, numbered, fields)
                if pending is not None:
                    yield pending.result()
                pending = upcoming
            if pending is not None:
                yield pending.result()
        finally:
            ray.shutdown()


def _ray_window(ray: Any, cleaner: CleanBatch, window: list[tuple[int, Record]],
                fields: Fields) -> list[dict[str, Any]]:
    """One window of records through Ray: as a dataset of plain columns (text, title and id
    as strings or null, which Arrow can hold whatever the input mixes), cleaned in
    parallel, read back in order; the driver numbers the lines."""
    items = [{"text": None, "title": None, "id": None} if isinstance(record, str) else {
        "text": _str_or_none(record.get(fields.text), keep=str),
        "title": _str_or_none(record.get(fields.title) if fields.title else None, keep=str),
        "id": _str_or_none(record.get(fields.id) if fields.id else None)}
        for _, record in window]
    blocks = max(1, len(items) // RAY_BATCH)
    dataset = ray.data.from_items(items, override_num_blocks=blocks).map_batches(
        cleaner, batch_format="pyarrow", batch_size=RAY_BATCH)
    rows = [row for batch in dataset.iter_batches(batch_format="pyarrow", batch_size=None)
            for row in batch.to_pylist()]
    for (line, record), row in zip(window, rows, strict=True):
        row["line"] = line
        if isinstance(record, str):
            row["error"] = record
        else:
            row.update(fields.kept(record))
    return rows


def _str_or_none(value: Any, keep: type | None = None) -> str | None:
    """A value Arrow can hold in a column of strings."""
    if value is None or (keep is not None and not isinstance(value, keep)):
        return None
    return str(value)


# ---------------------------------------------------------------------- the command


def backfill(source: Path, target: Path, *, fields: Fields = Fields(), workers: int = 1,
             ray_address: str | None = None, progress: bool = True,
             config: CleanConfig | None = None, url: str | None = None,
             client_options: dict[str, Any] | None = None) -> tuple[int, int]:
    """Clean IN into OUT (see the module's docstring): (rows written, rows with an error).

    `config` is how to clean (None: the defaults). With `url`, the articles are cleaned by
    the newsclean service there, through `newsclean_client` (`client_options` go to its
    `Client`: api_key, timeout, retries...), with the same output."""
    from tqdm import tqdm

    output = open_output(target, input_schema(source))
    done = output.done()
    records = read_records(source, done)
    if url is not None:
        from newsclean.remote import remote_results

        results = remote_results(chunks(records, done + 1), fields, config, url,
                                 workers, client_options or {})
    elif ray_address:
        results = ray_results(records, done + 1, fields, ray_address, workers, config)
    else:
        results = local_results(chunks(records, done + 1), fields, workers, config=config)
    written = errors = 0
    with tqdm(total=count_records(source), initial=done, unit="article", file=sys.stderr,
              disable=not progress) as bar:
        try:
            for rows in results:
                output.write(rows)
                written += len(rows)
                errors += sum(row["error"] is not None for row in rows)
                bar.update(len(rows))
        finally:
            output.close()
    return written, errors

