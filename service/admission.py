"""How much work a worker process takes on: one article cleaned at a time, a bounded
queue behind it, and past that an answer at once instead of a wait.

Cleaning is CPU work in Python, and a process's threads share one interpreter lock: two
articles cleaned at once in one process take as long as the two one after the other, and
each waits longer. So each article is cleaned holding the process's one cleaning slot;
the other threads stay free for what costs no CPU worth counting (``/healthz``, reading
the next request, writing an answer). Up to `max_waiting` requests wait for the slot,
each for at most `max_wait` seconds; a request beyond either is refused with
`Overloaded` (503 with ``Retry-After``), which a client may retry, rather than queued
until it times out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Overloaded(Exception):
    """The worker has more articles waiting than it takes on; try again later."""


class CleaningSlot:
    """The one article a process cleans at a time, and the bounded queue for it."""

    def __init__(self, max_waiting: int, max_wait: float) -> None:
        self.max_waiting = max_waiting
        self.max_wait = max_wait
        self._slot = threading.Lock()
        self._count = threading.Lock()  # guards `waiting`
        self.waiting = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the slot in this block, or raise `Overloaded`."""
        if not self._slot.acquire(blocking=False):
            with self._count:
                if self.waiting >= self.max_waiting:
                    raise Overloaded(f"{self.waiting} requests are already waiting")
                self.waiting += 1
            try:
                got = self._slot.acquire(timeout=self.max_wait)
            finally:
                with self._count:
                    self.waiting -= 1
            if not got:
                raise Overloaded(f"no article could start within {self.max_wait:g} s")
        try:
            yield
        finally:
            self._slot.release()
