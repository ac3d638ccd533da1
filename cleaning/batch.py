"""`clean` over a batch of records, as flat columns: for Ray Data's `map_batches`, Dask's
`map_partitions`, Spark's `mapInPandas`, or a loop of your own.

    >>> cleaner = CleanBatch(text_field="body", id_field="key")
    >>> out = cleaner({"body": ["Storm hits\\n\\nStorm hits\\n\\nRain fell."], "key": [7]})
    >>> out["text"], out["removed"], out["removed_repeated_headline"], out["id"]
    (['Storm hits\\n\\nRain fell.\\n'], [1], [1], ['7'])

A batch is a mapping of column names to sequences (Ray's "numpy" and "default" batch
formats), a pandas DataFrame or a pyarrow Table; the answer is of the same kind, with the
columns of `OUTPUT_COLUMNS`, one row per input row, in order. `CleanBatch.each` cleans a
stream of batches (what Spark's `mapInPandas` hands over), and `ddl_schema()` declares the
output to Spark. A row that cannot be cleaned (no text, an article past the time limit) has
its `error` set and no `text`: nothing that comes out unchanged is taken for cleaned.
pandas and pyarrow are imported only when a batch of theirs comes in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from cleaning.config import CleanConfig
from cleaning.errors import CleaningError
from cleaning.passes import PASS
from cleaning.pipeline import clean

#: The output's columns and their types (as pyarrow names them): the declared schema.
OUTPUT_COLUMNS: dict[str, str] = {
    "line": "int64",         # the row's place in the whole input, from 1 (see `first_line`)
    "id": "string",          # the id field's value, as text; null without one
    "text": "string",        # the cleaned article; null when `error` is set
    "headline": "string",
    "changed": "bool",       # the content changed (`CleanResult.changed`)
    "layout_changed": "bool",  # only spaces, line ends or the final newline changed
    "removed": "int64",      # blocks removed, all kinds
    **{f"removed_{kind}": "int64" for kind in PASS},
    "rules": "string",       # the rules that removed blocks, with counts: "pasted_run:3"
    "fixes": "int64",        # repairs made (encoding, entities, whitespace)
    "error": "string",       # why the row has no text; null when it was cleaned
}


#: The same types in pandas: its nullable ones, so an error row's counts stay integers.
PANDAS_TYPES = {name: {"int64": "Int64", "bool": "boolean", "string": "string"}[kind]
                for name, kind in OUTPUT_COLUMNS.items()}


def ddl_schema() -> str:
    """`OUTPUT_COLUMNS` in SQL DDL, as Spark's `mapInPandas(..., schema=)` takes it.

    >>> ddl_schema().split(", ")[:3]
    ['line bigint', 'id string', 'text string']
    """
    sql = {"int64": "bigint", "bool": "boolean", "string": "string"}
    return ", ".join(f"{name} {sql[kind]}" for name, kind in OUTPUT_COLUMNS.items())


def output_schema() -> Any:
    """`OUTPUT_COLUMNS` as a pyarrow Schema (pyarrow needed)."""
    import pyarrow as pa

    return pa.schema([(name, pa.type_for_alias(kind)) for name, kind in OUTPUT_COLUMNS.items()])


def clean_row(text: Any, title: Any = None, ident: Any = None, *, line: int = 0,
              config: CleanConfig | None = None,
              time_limit: float | None = None) -> dict[str, Any]:
    """One row of output for one article (`text` not a string: an error row)."""
    row: dict[str, Any] = dict.fromkeys(OUTPUT_COLUMNS)
    row["line"] = line
    row["id"] = None if _missing(ident) else str(ident)
    if not isinstance(text, str):
        row["error"] = ("no text" if _missing(text)
                        else f"no text: the text field holds {type(text).__name__}")
        return row
    try:
        result = clean(text, config, title=title if isinstance(title, str) else None,
                       time_limit=time_limit)
    except CleaningError as exc:
        row["error"] = f"{type(exc).__name__}: {exc}"
        return row
    return fill_row(row, result)


def fill_row(row: dict[str, Any], result: Any) -> dict[str, Any]:
    """`row` with the columns of a cleaned article: `result` is a `CleanResult`, or
    anything with its fields (the service's answer as `newsclean_client` types it)."""
    row.update(text=result.text, headline=result.headline, changed=result.changed,
               layout_changed=result.layout_changed, removed=len(result.removed),
               fixes=len(result.fixes),
               **{f"removed_{kind}": 0 for kind in PASS})
    for removal in result.removed:
        row[f"removed_{removal.kind}"] += 1
    rules = Counter(removal.rule for removal in result.removed)
    row["rules"] = ",".join(f"{rule}:{n}" for rule, n in sorted(rules.items()))
    return row


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # None or NaN


class CleanBatch:
    """A callable that cleans a batch of records (see the module's docstring).

    `text_field`, `title_field` and `id_field` name the input's columns (title and id may
    be None, or absent from a batch). `first_line` numbers the rows of a batch that does
    not start the input (the `line` column); Ray and the like leave it at 1."""

    def __init__(self, text_field: str = "text", title_field: str | None = "title",
                 id_field: str | None = "id", *, config: CleanConfig | None = None,
                 time_limit: float | None = None) -> None:
        self.text_field, self.title_field, self.id_field = text_field, title_field, id_field
        self.config, self.time_limit = config, time_limit

    def __call__(self, batch: Any, first_line: int = 1) -> Any:
        kind = type(batch).__module__.split(".")[0]
        columns = batch.to_pydict() if kind == "pyarrow" else (
            {name: batch[name].tolist() for name in batch.columns} if kind == "pandas"
            else batch)
        out = self.clean_columns(columns, first_line)
        if kind == "pyarrow":
            import pyarrow as pa

            return pa.Table.from_pydict(out, schema=output_schema())
        if kind == "pandas":
            import pandas as pd

            return pd.DataFrame(out, columns=list(OUTPUT_COLUMNS)).astype(PANDAS_TYPES)
        return out

    def each(self, batches: Iterable[Any]) -> Iterator[Any]:
        """Every batch cleaned, lazily: Spark's `df.mapInPandas(cleaner.each,
        schema=ddl_schema())`, or any stream of batches."""
        for batch in batches:
            yield self(batch)

    def clean_columns(self, columns: Mapping[str, Sequence[Any]],
                      first_line: int = 1) -> dict[str, list[Any]]:
        """The output columns for input columns given as lists (or arrays)."""
        texts = list(columns[self.text_field]) if self.text_field in columns else []
        titles = self._column(columns, self.title_field, len(texts))
        ids = self._column(columns, self.id_field, len(texts))
        rows = [clean_row(text, title, ident, line=first_line + n, config=self.config,
                          time_limit=self.time_limit)
                for n, (text, title, ident) in enumerate(zip(texts, titles, ids, strict=True))]
        return {name: [row[name] for row in rows] for name in OUTPUT_COLUMNS}

    @staticmethod
    def _column(columns: Mapping[str, Sequence[Any]], name: str | None,
                length: int) -> list[Any]:
        if name is None or name not in columns:
            return [None] * length
        return list(columns[name])
