"""A limit on the processor time of one `clean` call, kept cooperatively.

`clean(..., time_limit=s)` runs its steps inside `limited(s)`; the steps call `check`
between units of work (a round of decisions, a block compared, a search for the longest
match inside an alignment, a thousand lines split), each of them short (an alignment's
search is bounded, `cleaning.align`), and `check` raises `TimeLimitExceeded` once the
calling thread has used more than `s` seconds of processor time since the call began.
Processor time, not wall-clock time, so that the answer depends on the article, not on
how busy the machine is: an article past its limit is past it on every try (a caller
need not retry it). The limit lives in a context variable, set on entry and reset on
exit, so that it belongs to the one call that set it: concurrent calls in other threads
each see their own, and no state outlives a call.

    >>> with limited(0.0):
    ...     check()
    Traceback (most recent call last):
    ...
    cleaning.errors.TimeLimitExceeded: cleaning used more than 0 s of processor time ...
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from cleaning.errors import TimeLimitExceeded

#: Cheap units of work (a line split, a block fingerprinted) done between two checks in a
#: loop of them: a check reads the thread's CPU clock, a system call of ~0.3 µs, and a
#: thousand such units take a millisecond or so, far below any limit worth setting.
CHEAP_UNITS_PER_CHECK = 1024

#: (thread CPU time at which the call is over, the limit in seconds), or None: no limit.
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("newsclean_deadline",
                                                              default=None)


@contextmanager
def limited(seconds: float | None) -> Iterator[None]:
    """Let `check` raise once this thread has spent `seconds` of processor time in the
    block (None: no limit)."""
    if seconds is None:
        yield
        return
    token = _DEADLINE.set((time.thread_time() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check() -> None:
    """Raise `TimeLimitExceeded` if the running `clean` call is past its limit."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.thread_time() >= deadline[0]:
        raise TimeLimitExceeded(
            f"cleaning used more than {deadline[1]:g} s of processor time and was stopped; "
            "the same article takes as long on every try: send it in parts, or allow it "
            "more time", deadline[1])
