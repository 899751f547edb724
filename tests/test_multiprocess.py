"""Two `python main.py serve` processes sharing one PostgreSQL and one Redis, behind an
imaginary load balancer that sends each delivery to either (issue 7, item 1).

- One message and WeCom's two retries of it, each to another process: handled once.
- Ten users booking the same window at once through both processes (the dialogue's two
  messages on different processes): no more bookings than vehicles, no overlapping hold,
  every notification delivered exactly once, one `gettoken` for both processes.

Runs once (PostgreSQL and Redis are what it is about), not once per database backend.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
import redis.asyncio as aioredis
import yaml

from handlers.inbox import WAITING
from tests.bot.wecomsim import WeComSim
from tests.conftest import (
    BASE_POSTGRES_URL,
    TEST_AES_KEY,
    TEST_AGENT_ID,
    TEST_CORP_ID,
    TEST_TOKEN,
)
from tests.fakewecom import FakeWeCom, SentMessage
from tests.servers import SECRET, free_port, serve_env

ROOT = Path(__file__).resolve().parent.parent
ORG = ROOT / "tests" / "models" / "org_good.yaml"
REDIS_URL = "redis://127.0.0.1:6379/13"
BOOKERS = [f"mp{i:02d}" for i in range(10)]
SENTENCE = "明天上午9点到11点用车去市政府，2人，事由：送文件"
IN_SERVICE_VEHICLES = 2  # org_good.yaml: two in service (7 and 5 seats), one out of service


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test (the servers migrate it), dropped after."""
    name = f"test_mp_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    base = BASE_POSTGRES_URL.rsplit("/", 1)[0]

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(BASE_POSTGRES_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield f"{base}/{name}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    prefix = f"test:mp:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = aioredis.from_url(REDIS_URL)
    try:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeCom]:
    wecom = FakeWeCom(corp_id=TEST_CORP_ID, secret=SECRET, agent_id=TEST_AGENT_ID)
    await wecom.start()
    try:
        yield wecom
    finally:
        await wecom.stop()


@pytest.fixture
def sim() -> WeComSim:
    return WeComSim(TEST_TOKEN, TEST_AES_KEY, TEST_CORP_ID, TEST_AGENT_ID)


@dataclass
class Server:
    proc: asyncio.subprocess.Process
    url: str
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


async def wait_healthy(session: aiohttp.ClientSession, server: Server, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.proc.returncode is not None:
            pytest.fail(f"serve exited with {server.proc.returncode}:\n{server.tail()}")
        try:
            async with session.get(server.url + "/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    pytest.fail(f"serve not healthy after {seconds} s:\n{server.tail()}")


async def stop(server: Server) -> int | None:
    """SIGTERM and the exit code (None: it had to be killed)."""
    if server.proc.returncode is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(server.proc.wait(), 20)
        except TimeoutError:
            server.proc.kill()
            await server.proc.wait()
            return None
    return server.proc.returncode


@pytest.fixture
async def servers(
    database: str, fake: FakeWeCom, redis_prefix: str, tmp_path: Path
) -> AsyncIterator[list[Server]]:
    """Seed the organisation (org_good.yaml plus ten staff in 办公室), then two servers."""
    org = yaml.safe_load(ORG.read_text(encoding="utf-8"))
    org["users"] += [{"userid": u, "name": f"多进程{u}", "department": 11, "roles": ["staff"]}
                     for u in BOOKERS]
    seed = tmp_path / "org.yaml"
    seed.write_text(yaml.safe_dump(org, allow_unicode=True), encoding="utf-8")
    ports = [free_port(), free_port()]
    env = serve_env(database, REDIS_URL, fake.base_url, redis_prefix, ports[0], tmp_path)
    done = await asyncio.create_subprocess_exec(
        sys.executable, "main.py", "seed", str(seed), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(done.communicate(), 120)
    assert done.returncode == 0, out.decode(errors="replace")

    started: list[Server] = []
    try:
        for i, port in enumerate(ports):
            log = tmp_path / f"serve{i}.log"
            with log.open("wb") as sink:
                proc = await asyncio.create_subprocess_exec(
                    sys.executable, "main.py", "serve", cwd=ROOT,
                    env=serve_env(database, REDIS_URL, fake.base_url, redis_prefix, port, tmp_path),
                    stdout=sink, stderr=asyncio.subprocess.STDOUT,
                )
            started.append(Server(proc, f"http://127.0.0.1:{port}", log))
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as session:
            for server in started:
                await wait_healthy(session, server)
        yield started
        codes = [await stop(server) for server in started]
        assert codes == [0, 0], "\n".join(s.tail() for s in started)
    finally:
        for server in started:
            await stop(server)


async def deliver(session: aiohttp.ClientSession, server: Server, query: dict[str, str], body: str) -> int:
    """One POST as WeCom makes it; the callback must answer empty."""
    async with session.post(server.url + "/wecom/callback", params=query, data=body.encode()) as resp:
        assert await resp.text() == ""
        return resp.status


async def wait_for(predicate: Callable[[], Any], what: str, seconds: float = 20.0) -> None:
    """Poll `predicate` (sync or async) until true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def texts_to(fake: FakeWeCom, user: str) -> list[str]:
    """The user's answers, without the inbox's "正在处理，请稍候" (a message that waited over
    `WAIT_TELL_AFTER` on a loaded machine: a notice before its answer, not the answer)."""
    return [m.text for m in fake.sent
            if m.touser == user and m.msgtype in ("text", "markdown") and m.text != WAITING]


async def test_two_processes_share_dedup_dialogues_outbox_and_token(
    servers: list[Server], fake: FakeWeCom, sim: WeComSim, database: str
) -> None:
    a, b = servers
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        # --- one message and WeCom's two retries, each to another process ---------------
        xml = sim.text("wuli", "帮助")
        query, body = sim.post(xml)
        statuses = [await deliver(session, server, query, body) for server in (a, b, a)]
        assert statuses == [200, 200, 200]
        await wait_for(lambda: len(texts_to(fake, "wuli")) >= 1, "the help reply")
        # A marker through each process: a process answers one user's messages in the
        # order it accepted them, so once both markers are answered any second handling
        # of the retried message would have been sent already.
        for server in (a, b):
            assert await deliver(session, server, *sim.post(sim.text("wuli", "我的申请"))) == 200
        await wait_for(lambda: len(texts_to(fake, "wuli")) >= 3, "both markers' replies")
        replies = texts_to(fake, "wuli")
        assert len(replies) == 3, replies
        assert sum("公务用车" in t for t in replies) == 1, replies

        # --- ten users book the same window at once through both processes -------------
        async def ask(i: int, user: str) -> None:
            server = servers[i % 2]
            assert await deliver(session, server, *sim.post(sim.text(user, SENTENCE))) == 200

        await asyncio.gather(*(ask(i, u) for i, u in enumerate(BOOKERS)))
        await wait_for(lambda: all(any("请确认用车申请" in t for t in texts_to(fake, u))
                                   for u in BOOKERS), "every booker's summary")

        async def confirm(i: int, user: str, turn: int) -> None:
            server = servers[(i + turn) % 2]  # not the process that asked before
            assert await deliver(session, server, *sim.post(sim.text(user, "确认"))) == 200

        async def confirm_all(users: list[str], turn: int) -> None:
            before = {u: len(texts_to(fake, u)) for u in users}
            await asyncio.gather(*(confirm(BOOKERS.index(u), u, turn) for u in users))
            await wait_for(lambda: all(len(texts_to(fake, u)) > before[u] for u in users),
                           "every answer to 确认")

        def submitted() -> list[str]:
            return [u for u in BOOKERS if any(t.startswith("已提交") for t in texts_to(fake, u))]

        # Every summary proposed the same (smallest) vehicle: one confirmation gets it, the
        # others are told it went meanwhile and are offered the other vehicle.
        await confirm_all(BOOKERS, 1)
        first = submitted()
        assert len(first) == 1, {u: texts_to(fake, u)[-1] for u in BOOKERS}
        losers = [u for u in BOOKERS if u not in first]
        for user in losers:
            assert texts_to(fake, user)[-1].startswith("刚才那辆车已被别人订走了"), texts_to(fake, user)
        # They all confirm that one at once: one gets it, nothing is left for the rest.
        await confirm_all(losers, 2)
        assert len(submitted()) == IN_SERVICE_VEHICLES, {u: texts_to(fake, u)[-1] for u in BOOKERS}
        for user in set(losers) - set(submitted()):
            assert "没有能坐2人的空闲车辆" in texts_to(fake, user)[-1], texts_to(fake, user)

    conn = await asyncpg.connect(database)
    try:
        requests = await conn.fetch("SELECT id, applicant_id FROM request")
        assert len(requests) == IN_SERVICE_VEHICLES
        overlaps = await conn.fetchval(
            """SELECT count(*) FROM hold a JOIN hold b ON a.resource = b.resource AND a.id < b.id
               WHERE a.active AND b.active AND a.start < b."end" AND b.start < a."end" """
        )
        assert overlaps == 0
        holds = await conn.fetchval("SELECT count(*) FROM hold WHERE active")
        assert holds == 2 * IN_SERVICE_VEHICLES  # a vehicle and its driver each

        # Every notification (outbox row) delivered, and exactly once at WeCom.
        async def delivered() -> bool:
            sql = "SELECT count(*) FROM outbox_message WHERE status <> 'sent'"
            return int(await conn.fetchval(sql)) == 0

        await wait_for(delivered, "every outbox row sent")
        rows = await conn.fetch("SELECT user_id, kind, content FROM outbox_message")
    finally:
        await conn.close()
    assert len(rows) >= IN_SERVICE_VEHICLES  # at least the first approver of each booking

    def same(row: asyncpg.Record, msg: SentMessage) -> bool:
        return (msg.touser == row["user_id"] and msg.msgtype == row["kind"]
                and msg.content == json.loads(row["content"]))

    for row in rows:
        assert sum(same(row, m) for m in fake.sent) == 1, row
    assert fake.dropped_duplicates == []
    assert fake.dropped_rate_limited == []
    # Both processes sent messages with one access token, fetched once.
    assert fake.token_calls == 1
