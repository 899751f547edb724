"""What a status question ("我的申请到哪了") needs to know first, in one statement: whether
the user has live requests, how many requests wait for their decision, and whether any
of their live requests is a part of a bundle (issue 16: the status question read these
in three statements, and each waiting request in two more, mostly to find nothing).

The requests themselves, with their people and steps, are read only when there are
some (`open_requests_of`, `open_bundles_of`): the rows this says exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import connections

from models.requests import LIVE, RequestStatus
from models.sql import in_dialect

WAITING_CAP = 20  # as `pending_for`'s default limit: "另有 N 件等您审批" counts at most so many


@dataclass(frozen=True, slots=True)
class Overview:
    live: bool  # the user has a live request (LIVE statuses)
    waiting: int  # requests whose current step waits for the user, at most WAITING_CAP
    bundled: bool  # one of the user's live requests is a part of a bundle


# Three arms of one row each (their order does not matter: each says what it is).
# A request's current step is its lowest-numbered undecided one (`current_step`): a step
# waits for its approver when no step before it in the same request is undecided.
_OVERVIEW = (
    "SELECT 'l' AS k, count(*) AS n FROM (SELECT 1 FROM request r JOIN \"user\" u ON u.id = r.applicant_id "
    "WHERE u.userid = ?1 AND r.status IN ({live}) LIMIT 1) l "
    "UNION ALL "
    "SELECT 'b', count(*) FROM (SELECT 1 FROM request r JOIN \"user\" u ON u.id = r.applicant_id "
    "WHERE u.userid = ?1 AND r.status IN ({live}) AND r.bundle_id IS NOT NULL LIMIT 1) b "
    "UNION ALL "
    "SELECT 'w', count(*) FROM (SELECT 1 FROM approval_step s JOIN \"user\" u ON u.id = s.approver_id "
    "JOIN request r ON r.id = s.request_id "
    "WHERE u.userid = ?1 AND s.decision IS NULL AND r.status = ?2 AND NOT EXISTS ("
    "SELECT 1 FROM approval_step e WHERE e.request_id = s.request_id AND e.decision IS NULL "
    "AND e.seq < s.seq) LIMIT ?3) w")
_LIVE = sorted(str(s) for s in LIVE)
_SQL = _OVERVIEW.format(live=", ".join(f"?{i}" for i in range(4, 4 + len(_LIVE))))


async def overview_of(userid: str) -> Overview:
    """The user's `Overview`, in one statement."""
    conn = connections.get("default")
    rows = await conn.execute_query_dict(in_dialect(conn, _SQL), [
        userid, str(RequestStatus.PENDING), WAITING_CAP, *_LIVE])
    n = {str(r["k"]): int(r["n"]) for r in rows}
    return Overview(live=n["l"] > 0, waiting=n["w"], bundled=n["b"] > 0)
