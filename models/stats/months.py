"""Month rows of the dashboard's rollup (models/stats/rollup.py): a year's page would sum
a year of day rows (hundreds of thousands), so each past month's day rows are also kept
summed, in the same tables, under the metric prefixed with MONTH ("Mreq", "Mstep") on the
month's first day, with a sentinel row (metric MONTH, key "") saying the month is built.

A refresh that finds nothing dirty sums one past month that is not summed (it takes
seconds at a large bureau's size: never in a busy refresh's transaction); a refresh that
recomputes a day of a summed month removes its sentinel, so the month is read by day
until summed again. A read takes a month's rows only when the month is wholly inside the
range, summed and has no dirty day, and the day rows for the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from models.sql import in_dialect
from models.stats.scope import fetch_rows, is_pg

MONTH = "M"
_DAY_TABLE = ("stats_day", "n, c, total", "SUM(n), SUM(c), SUM(total)", "")
_WAIT_TABLE = ("stats_wait", "bucket, n, late, low, top",
               "bucket, SUM(n), SUM(late), MIN(low), MAX(top)", ", bucket")


def first_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_of(days: Iterable[date]) -> set[date]:
    return {first_of(d) for d in days}


def whole_months(first: date, after: date) -> list[date]:
    """The months that lie wholly inside [first, after)."""
    out, m = [], first_of(first)
    if m < first:
        m = next_month(m)
    while next_month(m) <= after:
        out.append(m)
        m = next_month(m)
    return out


async def built_months(first: date, after: date) -> set[date]:
    rows = await fetch_rows(
        "SELECT day FROM stats_day WHERE department_id = 0 AND metric = ? AND \"key\" = '' "
        "AND day >= ? AND day < ?", [MONTH, first, after])
    return {date.fromisoformat(r["day"][:10]) if isinstance(r["day"], str) else r["day"]
            for r in rows}


def plan(first: date, after: date, dirty: Sequence[date], built: set[date]
         ) -> tuple[list[date], list[tuple[date, date]]]:
    """(the months to read as month rows, the spans [a, b) to read as day rows)."""
    dirty_months = months_of(dirty)
    months = [m for m in whole_months(first, after) if m in built and m not in dirty_months]
    spans: list[tuple[date, date]] = []
    cursor = first
    for m in months:
        if cursor < m:
            spans.append((cursor, m))
        cursor = next_month(m)
    if cursor < after:
        spans.append((cursor, after))
    return months, spans


async def build(conn: Any, months: Iterable[date]) -> None:
    """Each month's rows of both tables summed again from its day rows, and its sentinel;
    inside the caller's transaction."""
    cast = "?::date" if is_pg(conn) else "?"
    for m in sorted(set(months)):
        after = next_month(m)
        for table, columns, sums, by in (_DAY_TABLE, _WAIT_TABLE):
            await conn.execute_query(in_dialect(
                conn, f"DELETE FROM {table} WHERE day = ? AND metric LIKE 'M%'"), [m])  # noqa: S608
            await conn.execute_query(in_dialect(
                conn, f'INSERT INTO {table} (day, department_id, metric, "key", {columns}) '  # noqa: S608
                f"SELECT {cast}, department_id, '{MONTH}' || metric, \"key\", {sums} FROM {table} "
                "WHERE day >= ? AND day < ? AND metric NOT LIKE 'M%' "
                f'GROUP BY department_id, metric, "key"{by}'), [m, m, after])
        await conn.execute_query(in_dialect(
            conn, 'INSERT INTO stats_day (day, department_id, metric, "key", n, c, total) '
            "VALUES (?, 0, ?, '', 1, 0, 0)"), [m, MONTH])


async def forget(conn: Any, months: Iterable[date]) -> None:
    """The months' sums no longer hold (a day of theirs is recomputed): their sentinels go."""
    wanted = sorted(set(months))
    if wanted:
        days = ", ".join("?" * len(wanted))
        await conn.execute_query(in_dialect(
            conn, "DELETE FROM stats_day WHERE department_id = 0 AND metric = ? "  # noqa: S608
            f"AND \"key\" = '' AND day IN ({days})"), [MONTH, *wanted])
