"""A clock the test moves by hand, for code that takes a `clock` (the outbox worker,
the Redis breaker, the limiters): leases and retry times pass at once, not on the wall."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """`clock()` is the aware UTC time the test set; `advance(seconds)` moves it on.
    `FakeClock.monotonic()` gives the same clock as seconds, for `time.monotonic` users."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start if start is not None else datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def monotonic(self) -> float:
        return self.now.timestamp()
