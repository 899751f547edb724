"""One round of the chaos scenario of issue 12, for tests/test_chaos.py and
bench/bench_chaos.py.

Two `python main.py serve` processes on one PostgreSQL and one Redis, the WeCom stand-in
(tests/fakewecom.py) for the API, and this module playing WeCom's callbacks:

1. `USERS` staff each open a repair draft ("3号楼5xx室空调不制冷" → "请确认报修…");
2. they all send 确认 at once to process A, which is SIGKILLed `kill_after` seconds
   into the burst;
3. as WeCom does, every callback that got no 200 is delivered again — to B, then (a
   third try) to A restarted — and nothing else is;
4. once every applicant has their answer, Redis loses every key of the service (as a
   Redis restarted empty) and every 确认 is delivered again to both processes;
5. counted are the requests per applicant, the messages to each applicant and to the
   repair dispatcher naming each request.

(Redis emptied during the burst would take the open drafts with it — they live in
Redis — and the 确认 would find nothing to confirm: the inbox cannot bring those back.)

Lost: an applicant without a request, or never told its number. Doubled: a second
request, or the number told twice (to the applicant or to the dispatcher).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg
import redis.asyncio as aioredis
import yaml

from tests.bot.wecomsim import WeComSim
from tests.conftest import BASE_POSTGRES_URL, TEST_AES_KEY, TEST_AGENT_ID, TEST_CORP_ID, TEST_TOKEN
from tests.fakewecom import FakeWeCom
from tests.servers import SECRET, free_port, serve_env

ROOT = Path(__file__).resolve().parent.parent
ORG = ROOT / "tests" / "models" / "org_good.yaml"
USERS = [f"cx{i:02d}" for i in range(24)]
DISPATCHER_ID = "sunwei"  # org_good.yaml's repair dispatcher: told of every repair
NUMBER = re.compile(r"#(\d+)")


@dataclass
class Round:
    messages: int = 0  # 确认 callbacks in the burst
    acked_by_a: int = 0  # answered 200 by A before it died
    redelivered: int = 0  # callbacks WeCom had to send again
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    dispatcher_asked: dict[int, int] = field(default_factory=dict)  # request no → messages
    recover_seconds: float = 0.0  # from the kill until all are answered and the dispatcher told
    told_from_audit: int = 0  # applicants whose 确认 had committed on the dead process
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.lost and not self.doubled and all(
            n == 1 for n in self.dispatcher_asked.values())


@dataclass
class _Server:
    proc: asyncio.subprocess.Process
    url: str
    log: Path


class Chaos:
    """The services of one round; `async with Chaos(...) as c: await c.run()`."""

    def __init__(self, workdir: Path, redis_url: str, *, kill_after: float | None = None,
                 flush_redis: bool = True, seed: int | None = None) -> None:
        self.workdir = workdir
        self.redis_url = redis_url
        self.rng = random.Random(seed)
        self.kill_after = kill_after if kill_after is not None else self.rng.uniform(0.03, 0.15)
        self.flush_redis = flush_redis
        self.prefix = f"test:chaos:{uuid.uuid4().hex[:10]}:"
        self.db_name = f"test_chaos_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.db_url = f"{BASE_POSTGRES_URL.rsplit('/', 1)[0]}/{self.db_name}"
        self.fake = FakeWeCom(corp_id=TEST_CORP_ID, secret=SECRET, agent_id=TEST_AGENT_ID)
        self.sim = WeComSim(TEST_TOKEN, TEST_AES_KEY, TEST_CORP_ID, TEST_AGENT_ID)
        self.servers: list[_Server] = []

    async def __aenter__(self) -> Chaos:
        await self._admin(f'CREATE DATABASE "{self.db_name}"')
        await self.fake.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for server in self.servers:
            await self.stop(server)
        await self.fake.stop()
        await self.empty_redis()
        await self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(BASE_POSTGRES_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    # -- processes ------------------------------------------------------------------------

    def env(self, port: int) -> dict[str, str]:
        return serve_env(self.db_url, self.redis_url, self.fake.base_url, self.prefix, port, self.workdir)

    async def seed(self) -> None:
        org = yaml.safe_load(ORG.read_text(encoding="utf-8"))
        org["users"] += [{"userid": u, "name": f"混沌{u}", "department": 11, "roles": ["staff"]}
                         for u in USERS]
        path = self.workdir / "org.yaml"
        path.write_text(yaml.safe_dump(org, allow_unicode=True), encoding="utf-8")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "main.py", "seed", str(path), cwd=ROOT, env=self.env(free_port()),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(proc.communicate(), 120)
        if proc.returncode != 0:
            raise RuntimeError(out.decode(errors="replace"))

    async def start(self, name: str) -> _Server:
        port = free_port()
        log = self.workdir / f"serve-{name}.log"
        with log.open("ab") as sink:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "main.py", "serve", cwd=ROOT, env=self.env(port),
                stdout=sink, stderr=asyncio.subprocess.STDOUT)
        server = _Server(proc, f"http://127.0.0.1:{port}", log)
        self.servers.append(server)
        return server

    async def healthy(self, session: aiohttp.ClientSession, server: _Server, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if server.proc.returncode is not None:
                raise RuntimeError(f"serve exited: {server.log.read_text(errors='replace')[-3000:]}")
            try:
                async with session.get(server.url + "/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError(f"serve not healthy: {server.log.read_text(errors='replace')[-3000:]}")

    async def stop(self, server: _Server) -> int | None:
        if server.proc.returncode is None:
            server.proc.send_signal(signal.SIGTERM)
            try:
                return await asyncio.wait_for(server.proc.wait(), 20)
            except TimeoutError:
                server.proc.kill()
                await server.proc.wait()
                return None
        return server.proc.returncode

    async def empty_redis(self) -> None:
        client = aioredis.from_url(self.redis_url)
        try:
            keys = [k async for k in client.scan_iter(match=f"{self.prefix}*")]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()

    # -- WeCom's side ---------------------------------------------------------------------

    async def deliver(self, session: aiohttp.ClientSession, server: _Server, xml: str) -> int | None:
        """One try of a callback: its status, or None when no answer came (WeCom retries)."""
        query, body = self.sim.post(xml)
        try:
            async with session.post(server.url + "/wecom/callback", params=query,
                                    data=body.encode()) as resp:
                await resp.read()
                return resp.status
        except (aiohttp.ClientError, TimeoutError):
            return None

    def texts_to(self, user: str) -> list[str]:
        return [m.text for m in self.fake.sent if m.touser == user]

    async def wait(self, what: str, predicate: object, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not predicate():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            await asyncio.sleep(0.05)

    # -- the round ------------------------------------------------------------------------

    async def run(self) -> Round:
        result = Round(messages=len(USERS))
        await self.seed()
        timeout = aiohttp.ClientTimeout(total=5)  # WeCom's limit
        async with aiohttp.ClientSession(timeout=timeout) as session:
            a, b = await self.start("a"), await self.start("b")
            await asyncio.gather(self.healthy(session, a), self.healthy(session, b))
            for i, user in enumerate(USERS):
                sentence = f"3号楼5{i:02d}室空调不制冷"
                assert await self.deliver(session, (a, b)[i % 2], self.sim.text(user, sentence)) == 200
            await self.wait("every draft's read-back", lambda: all(
                any("请确认报修" in t for t in self.texts_to(u)) for u in USERS), 30)

            confirms = {u: self.sim.text(u, "确认", msg_id=f"{70000 + i}") for i, u in enumerate(USERS)}
            burst = [asyncio.create_task(self.deliver(session, a, xml)) for xml in confirms.values()]
            await asyncio.sleep(self.kill_after)
            a.proc.send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
            statuses = await asyncio.gather(*burst)
            await a.proc.wait()
            result.acked_by_a = sum(s == 200 for s in statuses)
            missing = [u for u, s in zip(USERS, statuses, strict=True) if s != 200]
            result.redelivered = len(missing)
            # WeCom's second try: to the other process.
            again = await asyncio.gather(*(self.deliver(session, b, confirms[u]) for u in missing))
            still = [u for u, s in zip(missing, again, strict=True) if s != 200]
            a2 = await self.start("a-restarted")
            await self.healthy(session, a2)
            # The third try of what was still not acknowledged, to A restarted (also a replay
            # of one that was: a duplicate).
            for user in still + USERS[:1]:
                await self.deliver(session, a2, confirms[user])

            def answered(user: str) -> bool:
                return any(NUMBER.search(t) and ("已提交报修" in t or "已处理" in t)
                           for t in self.texts_to(user))

            try:
                await self.wait("every applicant's answer", lambda: all(map(answered, USERS)), 60)
            except TimeoutError as exc:
                result.notes.append(str(exc))
            try:  # the dispatcher told of each request (a dead process's outbox leases end too)
                numbers = await self._numbers()
                await self.wait("the dispatcher told of every request", lambda: all(
                    any(f"#{no}" in t for t in self.texts_to(DISPATCHER_ID)) for no in numbers), 30)
            except TimeoutError as exc:
                result.notes.append(str(exc))
            result.recover_seconds = time.monotonic() - killed_at
            await asyncio.sleep(0.5)  # anything doubled late would arrive now
            if self.flush_redis:
                # Redis restarted empty (every key of the service gone), then every 确认
                # delivered again to both processes: all duplicates still.
                await self.empty_redis()
                for server in (b, a2):
                    await asyncio.gather(*(self.deliver(session, server, xml) for xml in confirms.values()))
                await asyncio.sleep(1.0)
            await self._count(result)
            for server in (b, a2):
                code = await self.stop(server)
                if code != 0:
                    result.notes.append(f"{server.log.name} exited {code}")
        return result

    async def _requests(self) -> dict[str, list[int]]:
        """Each applicant's request numbers."""
        conn = await asyncpg.connect(self.db_url)
        try:
            rows = await conn.fetch(
                'SELECT r.id + 1000 AS no, u.userid FROM request r JOIN "user" u ON u.id = r.applicant_id')
        finally:
            await conn.close()
        numbers: dict[str, list[int]] = {}
        for row in rows:
            numbers.setdefault(row["userid"], []).append(int(row["no"]))
        return numbers

    async def _numbers(self) -> list[int]:
        return [no for nos in (await self._requests()).values() for no in nos]

    async def _count(self, result: Round) -> None:
        numbers = await self._requests()
        result.lost, result.doubled, result.told_from_audit = [], [], 0
        for user in USERS:
            mine = numbers.get(user, [])
            told = [t for t in self.texts_to(user) if NUMBER.search(t)]
            if not mine or not told:
                result.lost.append(user)
            if len(mine) > 1 or len(told) > 1:
                result.doubled.append(user)
            result.told_from_audit += any(t.startswith("您刚才的消息已处理") for t in told)
        to_dispatcher = self.texts_to(DISPATCHER_ID)
        result.dispatcher_asked = {no: sum(f"#{no}" in t for t in to_dispatcher)
                                   for nos in numbers.values() for no in nos}
