"""`newsclean backfill --url URL`: the backfill's articles cleaned by a running service.

The records are sent through `newsclean_client` (`Client.clean_many`: batches over
/clean/batch, retried, answered in order), and each answer becomes the row the local
backfill writes (`cleaning.batch.fill_row`), so the output, the progress and the resume are
the same whichever cleans. A record without text is answered here, as locally, and never
sent.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from typing import Any

from cleaning.batch import clean_row, fill_row
from cleaning.config import CLEAN_DEFAULTS, CleanConfig
from newsclean.backfill import CHUNK_RECORDS, Fields, Record

#: Articles per request to /clean/batch: the client's own default, well under the
#: service's batch and body limits for news articles.
REMOTE_BATCH = 50


class ClientMissing(RuntimeError):
    """`--url` needs the client distribution, which is not installed."""


def options_of(config: CleanConfig | None) -> dict[str, Any] | None:
    """The options to send for `config`: those that differ from the defaults."""
    if config is None:
        return None
    changed = {f.name: getattr(config, f.name) for f in dataclass_fields(config)
               if getattr(config, f.name) != getattr(CLEAN_DEFAULTS, f.name)}
    return changed or None


def remote_results(work: Iterator[tuple[int, list[Record]]], fields: Fields,
                   config: CleanConfig | None, url: str, concurrency: int,
                   client_options: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """Rows of the records of `work`, cleaned by the service at `url`, in order, in lists
    of about `CHUNK_RECORDS`. Raises `newsclean_client.NewscleanError` when the service
    cannot be reached or refuses the client (what was yielded before is written)."""
    try:
        from newsclean_client import Client, ItemError
    except ImportError:
        raise ClientMissing("--url sends the articles through the client, which is not "
                            "installed: pip install newsclean-client") from None
    options = options_of(config)
    # Each record in order: (its row without the cleaning, the record, whether it is sent).
    waiting: deque[tuple[dict[str, Any], Record, bool]] = deque()

    def articles() -> Iterator[dict[str, Any]]:
        for first, records in work:
            for line, record in enumerate(records, first):
                if isinstance(record, str):
                    row = clean_row(None, line=line)
                    row["error"] = record
                    waiting.append((row, record, False))
                    continue
                text = record.get(fields.text)
                title = record.get(fields.title) if fields.title else None
                ident = record.get(fields.id) if fields.id else None
                row = clean_row(None, None, ident, line=line)  # the error row, if unsent
                if not isinstance(text, str):
                    waiting.append((row, record, False))
                    continue
                waiting.append((row, record, True))
                article: dict[str, Any] = {"text": text}
                if isinstance(title, str):
                    article["title"] = title
                if options:
                    article["options"] = options
                yield article

    rows: list[dict[str, Any]] = []

    def settle_unsent() -> None:
        while waiting and not waiting[0][2]:
            row, record, _ = waiting.popleft()
            if isinstance(record, dict):
                row.update(fields.kept(record))
            rows.append(row)

    with Client(url, **client_options) as client:
        for outcome in client.clean_many(articles(), batch_size=REMOTE_BATCH,
                                         concurrency=concurrency):
            settle_unsent()
            row, record, _ = waiting.popleft()
            if isinstance(outcome, ItemError):
                row["error"] = f"{outcome.error.code}: {outcome.error.message}"
            else:
                fill_row(row, outcome)
                row["error"] = None
            assert isinstance(record, dict)
            row.update(fields.kept(record))
            rows.append(row)
            if len(rows) >= CHUNK_RECORDS:
                yield rows
                rows = []
        settle_unsent()
    if rows:
        yield rows
