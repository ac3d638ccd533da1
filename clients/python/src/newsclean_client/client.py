"""The clients: `Client` (threads) and `AsyncClient` (asyncio), pooled and retrying."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx

from . import __version__
from .core import (
    NDJSON,
    SPLIT,
    Article,
    Attempts,
    Batch,
    Batcher,
    Outcome,
    ServiceError,
    ServiceUnreachable,
    after_batch_attempt,
    batches,
    error_of,
    in_order,
    request_payload,
)
from .models import CleanResult, from_json
from .retry import Retry

JSON = {"Content-Type": "application/json"}
#: Where the service is when neither the caller nor NEWSCLEAN_URL says.
DEFAULT_URL = "http://127.0.0.1:8000"


def _base_url(base_url: str | None) -> str:
    """The caller's URL, else NEWSCLEAN_URL, else `DEFAULT_URL`."""
    return base_url or os.environ.get("NEWSCLEAN_URL") or DEFAULT_URL


def _api_key(api_key: str | None) -> str | None:
    """The caller's key, else NEWSCLEAN_API_KEY (none when neither is set)."""
    return api_key if api_key is not None else os.environ.get("NEWSCLEAN_API_KEY") or None


def _headers(api_key: str | None, headers: Mapping[str, str] | None) -> dict[str, str]:
    out = {"User-Agent": f"newsclean-client/{__version__}"}
    if api_key:
        out["Authorization"] = f"Bearer {api_key}"
    out.update(headers or {})
    return out


def _clean_body(text: str, title: str | None, id: str | int | None,
                options: Mapping[str, Any] | None, diff: bool,
                index: Mapping[str, Any] | None) -> bytes:
    payload = request_payload(text, title=title, id=id, options=options, diff=diff,
                              index=index)
    return json.dumps(payload, ensure_ascii=False).encode()


class _Base:
    def __init__(self, retries: int | Retry, seed: int | None) -> None:
        self.retry = Retry.of(retries)
        self._rng = random.Random(seed)

    def _attempts(self) -> Attempts:
        return Attempts(self.retry, self._rng)


class Client(_Base):
    """A pooled, retrying client for one newsclean service.

    `timeout` bounds each HTTP request, in seconds (an httpx.Timeout for finer control);
    `retries` is how many times a request is sent again after a connection error or a
    retryable status (408, 429, 502, 503, 504), or a `Retry` policy. Use it as a context
    manager, or call `close()`. It may be shared by threads.

    `base_url` and `api_key` not given are read from NEWSCLEAN_URL and NEWSCLEAN_API_KEY
    (as httpx-based SDKs read theirs); without them, the service is at `DEFAULT_URL` and
    sent no key. Answers come gzip-compressed (httpx asks for it and decodes them).
    """

    def __init__(self, base_url: str | None = None, *,
                 timeout: float | httpx.Timeout = 60.0, retries: int | Retry = 4,
                 api_key: str | None = None, headers: Mapping[str, str] | None = None,
                 seed: int | None = None, **httpx_options: Any) -> None:
        super().__init__(retries, seed)
        self._http = httpx.Client(base_url=_base_url(base_url), timeout=timeout,
                                  headers=_headers(_api_key(api_key), headers), **httpx_options)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def health(self) -> dict[str, Any]:
        """GET /healthz: ``{"status": "ok"}`` from a live service. Raises ServiceError
        for an error answer, ServiceUnreachable when none comes (no retries: a health
        check answers now)."""
        return self._get("/healthz")  # type: ignore[no-any-return]

    def version(self) -> dict[str, str]:
        """GET /version: the versions of the service and of what it runs on."""
        return self._get("/version")  # type: ignore[no-any-return]

    def _get(self, path: str) -> Any:
        try:
            response = self._http.get(path)
        except httpx.TransportError as exc:
            raise ServiceUnreachable(f"no answer from {self._http.base_url}: {exc!r}") from exc
        return _json_or_raise(response)

    def clean(self, text: str, *, title: str | None = None, id: str | int | None = None,
              options: Mapping[str, Any] | None = None, diff: bool = False,
              index: Mapping[str, Any] | None = None) -> CleanResult:
        """Clean one article. Raises ServiceError for an error answer (after retries of
        the retryable ones), ServiceUnreachable when no answer comes."""
        body = _clean_body(text, title, id, options, diff, index)
        attempts = self._attempts()
        while True:
            try:
                response = self._http.post("/clean", content=body, headers=JSON)
            except httpx.TransportError as exc:
                wait = attempts.after_transport(exc)
            else:
                if response.status_code == 200:
                    return from_json(CleanResult, response.json())
                wait = attempts.after_status(response)
            time.sleep(wait)

    def clean_many(self, articles: Iterable[Article], *, batch_size: int = 50,
                   concurrency: int = 2, diff: bool = False) -> Iterator[Outcome]:
        """Clean many articles through /clean/batch, `concurrency` batches at a time.

        Yields one CleanResult or ItemError per article, in input order; an article the
        service refuses is an ItemError, never an exception. Raises ServiceUnreachable
        when the service cannot be reached after every retry (everything yielded before
        is final: resume after it), ServiceError when it says the client is wrong (401,
        404). `articles` is read lazily, `concurrency` batches ahead."""
        if concurrency < 1:
            raise ValueError("concurrency is at least 1")
        with ThreadPoolExecutor(concurrency, thread_name_prefix="newsclean") as pool:
            inflight: deque[Future[dict[int, Outcome]]] = deque()
            try:
                for batch in batches(articles, batch_size, diff):
                    inflight.append(pool.submit(self._send_batch, batch))
                    if len(inflight) >= concurrency:
                        yield from in_order(inflight.popleft().result())
                while inflight:
                    yield from in_order(inflight.popleft().result())
            finally:
                for future in inflight:
                    future.cancel()

    def _send_batch(self, batch: Batch) -> dict[int, Outcome]:
        attempts = self._attempts()
        while batch.pending:
            response, error = None, None
            try:
                with self._http.stream("POST", "/clean/batch", content=batch.body(),
                                       headers=NDJSON) as response:
                    if response.status_code == 200:
                        for line in response.iter_lines():
                            batch.accept(line)
                    else:
                        response.read()
            except httpx.TransportError as exc:
                error = exc
            step = after_batch_attempt(batch, attempts, response, error)
            if step is SPLIT:
                first, second = batch.split()
                return batch.outcomes | self._send_batch(first) | self._send_batch(second)
            if isinstance(step, float):
                time.sleep(step)
        return batch.outcomes


class AsyncClient(_Base):
    """`Client` for asyncio: the same methods, awaited; `clean_many` is an async iterator
    and takes an iterable or an async iterable."""

    def __init__(self, base_url: str | None = None, *,
                 timeout: float | httpx.Timeout = 60.0, retries: int | Retry = 4,
                 api_key: str | None = None, headers: Mapping[str, str] | None = None,
                 seed: int | None = None, **httpx_options: Any) -> None:
        super().__init__(retries, seed)
        self._http = httpx.AsyncClient(base_url=_base_url(base_url), timeout=timeout,
                                       headers=_headers(_api_key(api_key), headers),
                                       **httpx_options)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def health(self) -> dict[str, Any]:
        """See `Client.health`."""
        return await self._get("/healthz")  # type: ignore[no-any-return]

    async def version(self) -> dict[str, str]:
        """See `Client.version`."""
        return await self._get("/version")  # type: ignore[no-any-return]

    async def _get(self, path: str) -> Any:
        try:
            response = await self._http.get(path)
        except httpx.TransportError as exc:
            raise ServiceUnreachable(f"no answer from {self._http.base_url}: {exc!r}") from exc
        return _json_or_raise(response)

    async def clean(self, text: str, *, title: str | None = None,
                    id: str | int | None = None, options: Mapping[str, Any] | None = None,
                    diff: bool = False, index: Mapping[str, Any] | None = None) -> CleanResult:
        """See `Client.clean`."""
        body = _clean_body(text, title, id, options, diff, index)
        attempts = self._attempts()
        while True:
            try:
                response = await self._http.post("/clean", content=body, headers=JSON)
            except httpx.TransportError as exc:
                wait = attempts.after_transport(exc)
            else:
                if response.status_code == 200:
                    return from_json(CleanResult, response.json())
                wait = attempts.after_status(response)
            await asyncio.sleep(wait)

    async def clean_many(self, articles: Iterable[Article] | AsyncIterable[Article], *,
                         batch_size: int = 50, concurrency: int = 2,
                         diff: bool = False) -> AsyncIterator[Outcome]:
        """See `Client.clean_many`."""
        if concurrency < 1:
            raise ValueError("concurrency is at least 1")
        inflight: deque[asyncio.Task[dict[int, Outcome]]] = deque()
        try:
            async for batch in _async_batches(articles, batch_size, diff):
                inflight.append(asyncio.create_task(self._send_batch(batch)))
                if len(inflight) >= concurrency:
                    for outcome in in_order(await inflight.popleft()):
                        yield outcome
            while inflight:
                for outcome in in_order(await inflight.popleft()):
                    yield outcome
        finally:
            for task in inflight:
                task.cancel()

    async def _send_batch(self, batch: Batch) -> dict[int, Outcome]:
        attempts = self._attempts()
        while batch.pending:
            response, error = None, None
            try:
                async with self._http.stream("POST", "/clean/batch", content=batch.body(),
                                             headers=NDJSON) as response:
                    if response.status_code == 200:
                        async for line in response.aiter_lines():
                            batch.accept(line)
                    else:
                        await response.aread()
            except httpx.TransportError as exc:
                error = exc
            step = after_batch_attempt(batch, attempts, response, error)
            if step is SPLIT:
                first, second = batch.split()
                return (batch.outcomes | await self._send_batch(first)
                        | await self._send_batch(second))
            if isinstance(step, float):
                await asyncio.sleep(step)
        return batch.outcomes


def _json_or_raise(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise ServiceError(error_of(response))
    return response.json()


async def _async_batches(articles: Iterable[Article] | AsyncIterable[Article],
                         batch_size: int, diff: bool) -> AsyncIterator[Batch]:
    if not isinstance(articles, AsyncIterable):
        for batch in batches(articles, batch_size, diff):
            yield batch
        return
    batcher = Batcher(batch_size, diff)
    async for article in articles:
        if full := batcher.add(article):
            yield full
    if rest := batcher.rest():
        yield rest
