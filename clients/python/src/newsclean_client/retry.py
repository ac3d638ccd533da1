"""When to send a request again, and how long to wait first."""

from __future__ import annotations

import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from time import time

#: Statuses after which the same request may succeed: the service's own (408 slow request,
#: 503 overloaded or index down, see its error table) and what a proxy or load balancer in
#: front of it answers for a busy or restarting backend (429, 502, 504). Cleaning is
#: idempotent, and so is an index add, so a request that did reach the service may be sent
#: again. Never 400, 401, 404, 405, 413, 415 or 422: the same request gets the same answer.
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})


@dataclass(frozen=True)
class Retry:
    """Retries with exponential backoff and jitter, honouring `Retry-After`.

    `attempts` counts every try, the first included. The n-th wait without a `Retry-After`
    is drawn between half and all of `backoff * 2**n` (capped at `max_backoff`), so clients
    that failed together do not come back together. With a `Retry-After`, the wait is that
    long plus up to a tenth of `backoff`; one above `max_retry_after` is not waited for.
    """

    attempts: int = 5
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts counts the first try too: at least 1")
        if self.backoff < 0 or self.max_backoff < 0 or self.max_retry_after < 0:
            raise ValueError("waits are not negative")

    @classmethod
    def of(cls, retries: int | Retry) -> Retry:
        """`retries` as a policy: a number of retries after the first try, or a policy."""
        return retries if isinstance(retries, Retry) else cls(attempts=retries + 1)

    def wait(self, retry: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds to wait before retry number `retry` (from 0); None: give up."""
        if retry + 1 >= self.attempts:
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            return retry_after + rng.uniform(0, self.backoff / 10)
        ceiling = min(self.max_backoff, self.backoff * 2**retry)
        return rng.uniform(ceiling / 2, ceiling)


def parse_retry_after(value: str | None) -> float | None:
    """A `Retry-After` header (seconds, or an HTTP date) in seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time())
