"""Bounded, growing waits between attempts of an idempotent request."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

Sleeper = Callable[[float], None]

TRANSIENT_STATUSES = frozenset({502, 503, 504})


def real_sleep(seconds: float) -> None:
    time.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all; waits double from ``base_delay`` up to ``max_delay``.

    The defaults give up after about 15 s of a 503 storm: long enough to ride out a
    load-balancer hiccup, short enough that a real outage is reported while the user waits.
    """

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 8.0

    def delays(self) -> list[float]:
        """The waits before attempt 2, 3 ... ``attempts``."""
        return [min(self.base_delay * 2**i, self.max_delay) for i in range(self.attempts - 1)]
