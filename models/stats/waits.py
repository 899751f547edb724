"""How long things waited, per local day, as histograms (issue 16, item 4): medians and
90th percentiles do not add up by day, so the rollup keeps, per (day, department, metric,
key), the waits in fixed buckets of geometric width, each with its count, how many were
over the metric's limit, and its smallest and largest value. A range's histogram is the
buckets summed over its days; a percentile reads it (`quantile`).

    step    key "type|seq|role"   minutes from the wait's beginning (the request's creation
                                  for step 1, the step before's decision after) to the
                                  step's decision; on the local day of the decision
    assign  key "repair"          a repair's report → its first assignment; on the day of
                                  the report (repairs are counted by when reported)
    finish  key "repair"          report → completion; the same

The error bound: bucket i holds the values in [GAMMA^i, GAMMA^(i+1)) minutes (all below
MIN_MINUTES in one), and a rank inside a bucket is read by interpolating between the
bucket's smallest and largest value; so a percentile is off by less than GAMMA − 1 = 2 %
of its value (or MIN_MINUTES, a second, nearer zero), and exact wherever the ranks it
needs are a bucket's first or last value (every bucket of one or two values: the counts
of a department's small day). Counts, the over-limit counts and the maximum are exact.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from tortoise import fields
from tortoise.models import Model

from models.org import RequestType
from models.stats.daily import ALL, by_spans
from models.stats.scope import (
    ASSIGN_LIMIT,
    FINISH_LIMIT,
    STEP_LIMIT,
    fetch_rows,
    local_midnight,
    minutes,
    moment,
)

GAMMA = 1.02  # a bucket's upper edge over its lower edge
MIN_MINUTES = 1 / 60  # waits shorter than a second share the lowest bucket
_LOWEST = math.floor(math.log(MIN_MINUTES) / math.log(GAMMA)) - 1
LIMITS = {"step": minutes(STEP_LIMIT), "assign": minutes(ASSIGN_LIMIT),
          "finish": minutes(FINISH_LIMIT)}
REPAIR_KEY = "repair"
# (day, department, metric, key, bucket, n, over, low, top)
WaitRow = tuple[date, int, str, str, int, int, int, float, float]


class StatsWait(Model):
    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    department_id = fields.IntField()  # 0: the whole bureau
    metric = fields.CharField(max_length=8)
    key = fields.CharField(max_length=64)
    bucket = fields.IntField()
    n = fields.IntField(default=0)
    late = fields.IntField(default=0)  # of them over the metric's limit
    low = fields.FloatField(default=0.0)  # the smallest wait in the bucket, minutes
    top = fields.FloatField(default=0.0)  # the largest

    class Meta:
        table = "stats_wait"
        unique_together = (("department_id", "metric", "day", "key", "bucket"),)
        # The histograms' sums from the index alone (as stats_day's, models/stats/rollup.py)
        indexes = (("department_id", "metric", "day", "key", "bucket", "n", "late", "low", "top"),)


_NEGATIVE = -1_000_000  # below it, the buckets of negative waits (data from elsewhere)


def bucket_of(value: float) -> int:
    """Buckets in the values' order: [GAMMA^i, GAMMA^(i+1)) is i; (−MIN, MIN) one; the
    negative ones mirrored below."""
    if abs(value) < MIN_MINUTES:
        return _LOWEST
    i = math.floor(math.log(abs(value)) / math.log(GAMMA))
    return i if value > 0 else _NEGATIVE - i


@dataclass(frozen=True, slots=True)
class Histogram:
    """A range's waits of one key: (bucket, n, over, low, top) in bucket order."""

    buckets: tuple[tuple[int, int, int, float, float], ...]

    @property
    def count(self) -> int:
        return sum(b[1] for b in self.buckets)

    @property
    def over(self) -> int:
        return sum(b[2] for b in self.buckets)

    @property
    def max(self) -> float | None:
        return self.buckets[-1][4] if self.buckets else None

    def _at(self, rank: int) -> float:
        before = 0
        for _, n, _, low, top in self.buckets:
            if rank < before + n:
                j = rank - before
                return low if n == 1 else low + (top - low) * j / (n - 1)
            before += n
        return self.buckets[-1][4]

    def quantile(self, q: float) -> float | None:
        """As models.stats.scope.percentile over the values (linear between closest
        ranks), each rank read from its bucket."""
        total = self.count
        if not total:
            return None
        pos = (total - 1) * q
        lo, hi = math.floor(pos), math.ceil(pos)
        a = self._at(lo)
        return a if hi == lo else a + (self._at(hi) - a) * (pos - lo)


def merge(cells: Iterable[tuple[str, int, int, int, float, float]]) -> dict[str, Histogram]:
    """(key, bucket, n, over, low, top) cells, any order and repeats → a histogram a key."""
    acc: dict[str, dict[int, list[float]]] = {}
    for key, b, n, over, low, top in cells:
        cell = acc.setdefault(key, {}).get(b)
        if cell is None:
            acc[key][b] = [n, over, low, top]
        else:
            cell[0] += n
            cell[1] += over
            cell[2] = min(cell[2], low)
            cell[3] = max(cell[3], top)
    return {key: Histogram(tuple((b, int(c[0]), int(c[1]), c[2], c[3])
                                 for b, c in sorted(by.items())))
            for key, by in acc.items()}


# ---------------------------------------------------------------------------------------
# A day's waits from the requests


async def compute_waits(days: Sequence[date], tz: tzinfo) -> list[WaitRow]:
    """The histogram rows of `days` (any order, repeats allowed), from the requests."""
    return await by_spans(days, tz, _compute_span)


async def _compute_span(first: date, after: date, tz: tzinfo) -> list[WaitRow]:
    days = [first + timedelta(days=i) for i in range((after - first).days)]
    since, until = local_midnight(first, tz), local_midnight(after, tz)
    edges = [local_midnight(d, tz) for d in days] + [until]
    acc: dict[tuple[int, int, str, str, int], list[float]] = {}

    def add(at: datetime, dept: int, metric: str, key: str, value: float) -> None:
        i = bisect_right(edges, at) - 1
        b = bucket_of(value)
        over = int(value > LIMITS[metric])
        for d in (dept, ALL):
            cell = acc.get((i, d, metric, key, b))
            if cell is None:
                acc[(i, d, metric, key, b)] = [1, over, value, value]
            else:
                cell[0] += 1
                cell[1] += over
                cell[2] = min(cell[2], value)
                cell[3] = max(cell[3], value)

    # Each step decided in the span with the moment its wait began — the request's
    # creation or the step before's decision (steps are decided in order, so that is the
    # latest earlier one) — and none when the step before is undecided (cannot be, from
    # this app; data from elsewhere is skipped). Index approval_step(decided_at).
    for r in await fetch_rows(
        "SELECT r.type AS t, s.seq AS seq, s.role AS role, s.decided_at AS decided_at, "
        "r.created_at AS created_at, p.decided_at AS prev, r.department_id_at AS d "
        "FROM approval_step s JOIN request r ON r.id = s.request_id "
        "LEFT JOIN approval_step p ON p.request_id = s.request_id AND p.seq = s.seq - 1 "
        "WHERE s.decided_at >= ? AND s.decided_at < ? AND (s.seq = 1 OR p.decided_at IS NOT NULL)",
        [since, until]):
        decided, began = moment(r["decided_at"]), moment(r["created_at"])
        if r["prev"] is not None:
            began = max(began, moment(r["prev"]))
        add(decided, int(r["d"]), "step", f"{r['t']}|{r['seq']}|{r['role']}",
            minutes(decided - began))
    # Repairs reported in the span: report (the 'create' record, else the creation) →
    # first 'assign' and first 'completed' (index audit_log(request_id, action)).
    def earliest(action: str) -> str:
        return ("(SELECT MIN(a.at) FROM audit_log a "  # noqa: S608
                f"WHERE a.request_id = r.id AND a.action = '{action}')")

    for r in await fetch_rows(
        f"SELECT r.created_at AS created_at, r.department_id_at AS d, {earliest('create')} AS c, "  # noqa: S608
        f"{earliest('assign')} AS a, {earliest('completed')} AS f FROM request r "
        "WHERE r.created_at >= ? AND r.created_at < ? AND r.type = ?",
        [since, until, str(RequestType.REPAIR_REQUEST)]):
        created = moment(r["created_at"])
        began = created if r["c"] is None else moment(r["c"])
        if r["a"] is not None:
            add(created, int(r["d"]), "assign", REPAIR_KEY, minutes(moment(r["a"]) - began))
        if r["f"] is not None:
            add(created, int(r["d"]), "finish", REPAIR_KEY, minutes(moment(r["f"]) - began))
    return [(days[i], d, metric, key, b, int(v[0]), int(v[1]), float(v[2]), float(v[3]))
            for (i, d, metric, key, b), v in acc.items()]
