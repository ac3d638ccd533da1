"""What the sync and async clients share: requests built, answers read, retries decided.

No input or output happens here, so the two clients differ only in how they send and wait.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .models import CleanResult, ErrorDetail, ItemError, from_json
from .retry import RETRY_STATUSES, Retry, parse_retry_after

Article = str | Mapping[str, Any]
"""What `clean_many` takes: the text alone, or a CleanRequest object (`text`, and any of
`title`, `id`, `options`, `diff`, `index`)."""

Outcome = CleanResult | ItemError

NDJSON = {"Content-Type": "application/x-ndjson", "Accept": "application/x-ndjson"}

#: Statuses that say the client, not the article, is wrong: every article would get the
#: same, so `clean_many` raises instead of answering each with it.
CLIENT_FAULTS = frozenset({401, 403, 404, 405})


class NewscleanError(Exception):
    """Every error this client raises."""


class ServiceError(NewscleanError):
    """The service answered with an error (after any retries); in the Scrapy pipeline's
    library mode, the library refused the article (`status` 0, `code` its error class)."""

    def __init__(self, error: ErrorDetail) -> None:
        super().__init__(f"{error.status} {error.code}: {error.message}")
        self.error = error


class ServiceUnreachable(NewscleanError):
    """No answer from the service, after every retry."""


def request_payload(text: str, *, title: str | None, id: str | int | None,
                    options: Mapping[str, Any] | None, diff: bool,
                    index: Mapping[str, Any] | None) -> dict[str, Any]:
    payload: dict[str, Any] = {"text": text, "diff": diff}
    for name, value in (("title", title), ("id", id), ("options", options), ("index", index)):
        if value is not None:
            payload[name] = dict(value) if isinstance(value, Mapping) else value
    return payload


def article_payload(article: Article, diff: bool) -> dict[str, Any]:
    if isinstance(article, str):
        return {"text": article, "diff": diff}
    if not isinstance(article, Mapping):
        raise TypeError(f"an article is a str or a mapping with 'text', not {type(article)}")
    return {"diff": diff, **article}


def error_of(response: httpx.Response) -> ErrorDetail:
    """The error a response carries; a proxy's page that is not the service's JSON too."""
    try:
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            return from_json(ErrorDetail, body["error"])
    except (ValueError, TypeError):
        pass
    return ErrorDetail(status=response.status_code, code="http_error",
                       message=response.text[:200] or response.reason_phrase)


def retry_after_of(response: httpx.Response, error: ErrorDetail) -> float | None:
    header = parse_retry_after(response.headers.get("Retry-After"))
    return header if header is not None else error.retry_after


@dataclass
class Attempts:
    """The tries of one request: each failure asks how long to wait, or raises."""

    retry: Retry
    rng: random.Random
    retries: int = 0

    def status_wait(self, response: httpx.Response) -> tuple[ErrorDetail, float | None]:
        """The error of a failed response, and the wait before sending again (None: don't)."""
        error = error_of(response)
        wait = None
        if response.status_code in RETRY_STATUSES:
            wait = self.retry.wait(self.retries, retry_after_of(response, error), self.rng)
            if wait is not None:
                self.retries += 1
        return error, wait

    def after_status(self, response: httpx.Response) -> float:
        error, wait = self.status_wait(response)
        if wait is None:
            raise ServiceError(error)
        return wait

    def after_transport(self, exc: httpx.TransportError) -> float:
        wait = self.retry.wait(self.retries, None, self.rng)
        if wait is None:
            raise ServiceUnreachable(f"no answer after {self.retries + 1} tries: {exc!r}") from exc
        self.retries += 1
        return wait

    def after_items(self, retry_after: float | None) -> float | None:
        """Some articles are to be sent again (after `retry_after`, or a backoff);
        None: no tries left."""
        wait = self.retry.wait(self.retries, retry_after, self.rng)
        if wait is not None:
            self.retries += 1
        return wait


class Batch:
    """Articles sent together to /clean/batch, answered one NDJSON line each, in order.

    Articles are keyed by their position in the caller's iterable. After a stream that
    broke, or items that answered 'send again' (a `retry_after` in their error), only those
    without a final answer are sent again, so every article is answered exactly once."""

    def __init__(self, payloads: dict[int, dict[str, Any]]) -> None:
        self.payloads = payloads
        self.outcomes: dict[int, Outcome] = {}
        self.pending = sorted(payloads)
        self.retry_after: float | None = None
        self._sent: list[int] = []
        self._answered = 0
        self._again: list[int] = []

    def body(self) -> bytes:
        """The NDJSON of the articles still waiting; starts an attempt."""
        self._sent, self._answered, self._again, self.retry_after = self.pending, 0, [], None
        return b"".join(json.dumps(self.payloads[i], ensure_ascii=False).encode() + b"\n"
                        for i in self._sent)

    def accept(self, line: str) -> None:
        """One line of the answer: the outcome of the next article sent."""
        if not line.strip():
            return
        if self._answered == len(self._sent):
            raise NewscleanError("the service answered more lines than articles were sent")
        position = self._sent[self._answered]
        data = json.loads(line)
        if "error" in data:
            error = from_json(ErrorDetail, data["error"])
            self.outcomes[position] = self.item_error(position, error)
            if error.retry_after is not None:
                self._again.append(position)
                self.retry_after = max(self.retry_after or 0.0, float(error.retry_after))
        else:
            self.outcomes[position] = from_json(CleanResult, data)
        self._answered += 1

    def end_attempt(self) -> None:
        """Still pending: the articles not answered, and those answered 'send again'."""
        self.pending = sorted(self._sent[self._answered:] + self._again)

    def item_error(self, position: int, error: ErrorDetail) -> ItemError:
        return ItemError(position, error, self.payloads[position].get("id"))

    def fail_pending(self, error: ErrorDetail, *, keep_answered: bool = False) -> None:
        """Give up: every pending article gets `error` (or keeps its own, `keep_answered`)."""
        for position in self.pending:
            if not (keep_answered and position in self.outcomes):
                self.outcomes[position] = self.item_error(position, error)
        self.pending = []

    def split(self) -> tuple[Batch, Batch]:
        """The pending articles in two halves, for a body over the service's limit."""
        half = len(self.pending) // 2
        return (Batch({i: self.payloads[i] for i in self.pending[:half]}),
                Batch({i: self.payloads[i] for i in self.pending[half:]}))


class Split:
    """The batch's body is over the service's limit: send its halves on their own."""


SPLIT = Split()


def after_batch_attempt(batch: Batch, attempts: Attempts, response: httpx.Response | None,
                        exc: httpx.TransportError | None) -> float | Split | None:
    """What to do after one try of `batch`: wait this long and send the rest, split it,
    or nothing (None: every article has its outcome). Raises when the service cannot be
    reached, or says the client itself is wrong (a key, a URL)."""
    batch.end_attempt()
    if exc is not None:
        return attempts.after_transport(exc) if batch.pending else None
    assert response is not None
    if response.status_code == 200:
        if not batch.pending:
            return None
        # Items that answered 'send again', or a stream that ended short.
        wait = attempts.after_items(batch.retry_after)
        if wait is None:
            batch.fail_pending(ErrorDetail(
                status=502, code="incomplete_answer", retry_after=0,
                message="the service's answer ended before this article's line"),
                keep_answered=True)
        return wait
    if response.status_code in CLIENT_FAULTS:
        raise ServiceError(error_of(response))
    if response.status_code == 413 and len(batch.pending) > 1:
        return SPLIT
    error, wait = attempts.status_wait(response)
    if wait is None:
        batch.fail_pending(error)
    return wait


class Batcher:
    """Articles gathered into Batches of `batch_size`, positions counted from 0."""

    def __init__(self, batch_size: int, diff: bool) -> None:
        if batch_size < 1:
            raise ValueError("batch_size is at least 1")
        self.batch_size, self.diff = batch_size, diff
        self._position = 0
        self._chunk: dict[int, dict[str, Any]] = {}

    def add(self, article: Article) -> Batch | None:
        """Take one article; a full Batch when this one completes it."""
        self._chunk[self._position] = article_payload(article, self.diff)
        self._position += 1
        return self.rest() if len(self._chunk) == self.batch_size else None

    def rest(self) -> Batch | None:
        """The articles taken since the last Batch, if any."""
        chunk, self._chunk = self._chunk, {}
        return Batch(chunk) if chunk else None


def batches(articles: Iterable[Article], batch_size: int, diff: bool) -> Iterator[Batch]:
    batcher = Batcher(batch_size, diff)
    for article in articles:
        if batch := batcher.add(article):
            yield batch
    if batch := batcher.rest():
        yield batch


def in_order(outcomes: dict[int, Outcome]) -> list[Outcome]:
    return [outcomes[position] for position in sorted(outcomes)]
