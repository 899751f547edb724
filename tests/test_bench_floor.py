"""`ref-floor` (bench/echo_reference.py --store): the least the contract asks of any app on
this stack, measured beside the reference. It must do that least for real, or the bench's
"what the goal leaves" is wrong: a message is on disk before its 200, WeCom's retry of it
is stored and echoed once, its echo reaches the API, and its row is then marked done."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bench.common import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN
from bench.echo_reference import make_app
from tests.bot.wecomsim import WeComSim, message_xml
from tests.fakewecom import FakeWeCom


def _rows(path: Path) -> list[tuple[str, str, str, int]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT msg_id, userid, content, done FROM inbox ORDER BY msg_id").fetchall()


async def test_floor_stores_before_200_once_and_marks_done(tmp_path: Path) -> None:
    fake = FakeWeCom(corp_id=CORP_ID, secret=SECRET, agent_id=AGENT_ID)
    await fake.start()
    store = tmp_path / "floor.sqlite3"
    app = make_app(TOKEN, AES_KEY, CORP_ID, AGENT_ID, SECRET, fake.base_url, empty=True, store=str(store))
    sim = WeComSim(TOKEN, AES_KEY, CORP_ID, AGENT_ID)
    try:
        async with TestClient(TestServer(app)) as client:
            fake.delay = 0.3  # the echo is still on its way when the 200 comes
            query, body = sim.post(message_xml("text", "floor01", CORP_ID, AGENT_ID, {"Content": "明天用车"},
                                               msg_id="7001"))
            resp = await client.post("/wecom/callback", params=query, data=body.encode())
            assert resp.status == 200
            assert _rows(store) == [("7001", "floor01", "明天用车", 0)]  # on disk, not yet echoed
            again = await client.post("/wecom/callback", params=query, data=body.encode())  # WeCom's retry
            assert again.status == 200
            sent = await fake.wait_sent(1)
            assert [(m.touser, m.text) for m in sent] == [("floor01", "明天用车")]
            for _ in range(100):
                if _rows(store)[0][3]:
                    break
                await asyncio.sleep(0.02)
            assert _rows(store) == [("7001", "floor01", "明天用车", 1)]
            await asyncio.sleep(0.4)
            assert len(fake.sent) == 1  # the retry was answered, not echoed again

            # A bad signature changes nothing.
            bad = dict(query, msg_signature="0" * 40)
            refused = await client.post("/wecom/callback", params=bad, data=body.encode())
            assert refused.status == 403
            assert len(_rows(store)) == 1

            # Stopped while an echo is on its way: it is sent, and its row marked at the close.
            query, body = sim.post(message_xml("text", "floor02", CORP_ID, AGENT_ID, {"Content": "报修"},
                                               msg_id="7002"))
            assert (await client.post("/wecom/callback", params=query, data=body.encode())).status == 200
            assert _rows(store)[1] == ("7002", "floor02", "报修", 0)
        assert [m.touser for m in fake.sent] == ["floor01", "floor02"]
        assert _rows(store) == [("7001", "floor01", "明天用车", 1), ("7002", "floor02", "报修", 1)]
    finally:
        await fake.stop()
