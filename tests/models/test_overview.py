"""The status question's overview (models/overview.py) against the reads it stands in for:
`open_requests_of`, `pending_for` and `open_bundles_of`, for every user of the test
organisation as requests are made, decided, bundled and cancelled (both databases)."""

from __future__ import annotations

from datetime import datetime

from models.bundles import new_bundle, open_bundles_of
from models.decisions import cancel, decide
from models.org import User
from models.overview import WAITING_CAP, Overview, overview_of
from models.requests import Decision, Request, open_requests_of, pending_for
from tests.models.test_requests import CHAT, at, book_room, book_vehicle, org, report_repair

__all__ = ["org"]  # the fixture


async def expected(userid: str) -> Overview:
    return Overview(live=bool(await open_requests_of(userid)),
                    waiting=min(len(await pending_for(userid)), WAITING_CAP),
                    bundled=bool(await open_bundles_of(userid)))


async def same_for_everyone() -> None:
    for userid in await User.all().values_list("userid", flat=True):
        assert await overview_of(str(userid)) == await expected(str(userid)), userid


async def test_the_overview_says_what_the_three_reads_say(org: str, now: datetime) -> None:
    assert await overview_of("zhangsan") == Overview(live=False, waiting=0, bundled=False)
    assert await overview_of("nobody-here") == Overview(live=False, waiting=0, bundled=False)
    r1 = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    r2 = await book_room("xiaoliu", at(28, 10), at(28, 12), room="aud-1")
    r3 = await book_vehicle("xiaoliu", at(29, 10), at(29, 12))
    await report_repair("wuli", now)
    assert await overview_of("zhangsan") == Overview(live=True, waiting=0, bundled=False)
    assert await overview_of("lichu") == Overview(live=False, waiting=1, bundled=False)
    assert (await overview_of("wangke")).waiting == 0  # the second step: not his turn yet
    await same_for_everyone()
    await decide(r1.no, "lichu", Decision.APPROVE, now, CHAT)
    assert (await overview_of("wangke")).waiting == 1 and (await overview_of("lichu")).waiting == 0
    await same_for_everyone()
    bundle = await new_bundle("xiaoliu", "开会", now)
    await Request.filter(id__in=[r2.id, r3.id]).update(bundle_id=bundle.id)
    assert (await overview_of("xiaoliu")).bundled
    await same_for_everyone()
    await cancel(r3.no, "xiaoliu", now, CHAT)
    await cancel(r2.no, "xiaoliu", now, CHAT)
    assert await overview_of("xiaoliu") == Overview(live=False, waiting=0, bundled=False)
    await same_for_everyone()
