"""How much work a worker process takes on: one article cleaned at a time, a bounded
queue behind it, and past that an answer at once instead of a wait.

Cleaning is CPU work in Python, and a process's threads share one interpreter lock: two
articles cleaned at once in one process take as long as the two one after the other, and
each waits longer. So each article is cleaned holding the process's one cleaning slot;
the worker's event loop stays free for what costs no CPU worth counting (``/healthz``,
reading the next request, writing an answer). Under the event loop the article is
cleaned in the process's one cleaning thread (`CleaningSlot.run`), so that the loop goes
on meanwhile: its turns at the interpreter lock come every few milliseconds. Up to
`max_waiting` requests wait for the slot, each for at most `max_wait` seconds; a
request beyond either is refused with `Overloaded` (503 with ``Retry-After``), which a
client may retry, rather than queued until it times out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from service.reading import under_event_loop

T = TypeVar("T")


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
        self._thread: Any = None  # gevent's pool of one OS thread, made when first needed

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the slot in this block, or raise `Overloaded`. First come, first served:
        a request takes a free slot only when none is waiting for it (else the one that
        just finished, its client sending the next article at once, would take it again
        and again, and the others wait until their `max_wait`)."""
        if self.waiting or not self._slot.acquire(blocking=False):
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

    def run(self, work: Callable[[], T], spend: Callable[[float], None]) -> T:
        """Hold the slot and run `work` in the process's cleaning thread (under the event
        loop; else in this thread), and return what it returns (or raise `Overloaded`, or
        what it raises). `spend` is then told the processor seconds it took, which are
        its own alone: the thread runs nothing else meanwhile."""
        spent = 0.0

        def timed() -> tuple[Any, Exception | None]:
            # What `work` raises comes back as a value: gevent's pool would print it as
            # an error of its own before handing it on.
            nonlocal spent
            started = time.thread_time()
            try:
                return work(), None
            except Exception as exc:
                return None, exc
            finally:
                spent = time.thread_time() - started

        with self.held():
            try:
                if not under_event_loop():
                    result, error = timed()
                else:
                    if self._thread is None:
                        from gevent.threadpool import ThreadPool

                        self._thread = ThreadPool(1)
                    result, error = self._thread.apply(timed)
            finally:
                spend(spent)
        if error is not None:
            raise error
        return result  # type: ignore[no-any-return]
