"""Redis's wire protocol (RESP2) over one asyncio connection, for `RedisBatches`' pipelines.

redis-py spends ~230 µs of CPU on one command and ~320 µs on a pipeline of three here
(its connection pool, retry wrapper, response callbacks and per-command bookkeeping),
against ~55 and ~90 µs for the same bytes written here and read back by hiredis, the
parser redis-py itself uses. On the callback's hot path (dedup, session open and close)
that difference is most of what Redis costs, so the pipelines skip redis-py; everything
else (scripts' registration, PING, the token cache) still goes through it.

- Commands are packed here (arguments: bytes, str as UTF-8, int, float); replies are
  parsed by `hiredis.Reader` and come back as Redis gives them: bytes, int, None, lists;
  `b"OK"`, not redis-py's `True`. An error reply is that command's result, as a
  `ResponseError` (`NoScriptError` for NOSCRIPT), never raised for the pipeline.
- Replies come in order, so several pipelines may be under way on the one connection;
  a caller that stops waiting (timeout, cancel) leaves its place in the queue and its
  replies are read and dropped.
- The connection opens on first use, from the redis-py client's own settings (TCP, TLS
  or a Unix socket; AUTH with username or password; SELECT of the database). When it
  fails or is closed every caller under way gets `ConnectionError`, and the next
  pipeline opens a new one.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import hiredis
from redis.asyncio.connection import SSLConnection, UnixDomainSocketConnection
from redis.exceptions import AuthenticationError, NoScriptError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError

Command = tuple[Any, ...]  # a Redis command and its arguments: ("SET", key, value, "NX")


def _reply_error(message: str) -> ResponseError:
    if message.startswith("NOSCRIPT"):
        return NoScriptError(message)
    return ResponseError(message)


def pack(commands: Sequence[Command]) -> bytes:
    """Commands as RESP arrays of bulk strings, ready to write."""
    parts: list[bytes] = []
    add = parts.append
    for command in commands:
        add(b"*%d\r\n" % len(command))
        for arg in command:
            if isinstance(arg, bytes):
                value = arg
            elif isinstance(arg, str):
                value = arg.encode()
            elif isinstance(arg, int) and not isinstance(arg, bool):
                value = b"%d" % arg
            elif isinstance(arg, float):
                value = repr(arg).encode()
            else:
                raise TypeError(f"a Redis argument must be bytes, str, int or float, not {type(arg).__name__}")
            add(b"$%d\r\n" % len(value))
            add(value)
            add(b"\r\n")
    return b"".join(parts)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and how to connect: what redis-py's connection pool was configured with."""

    host: str = "127.0.0.1"
    port: int = 6379
    path: str | None = None  # a Unix socket instead of host and port
    db: int = 0
    username: str | None = None
    password: str | None = None
    tls: ssl.SSLContext | None = None
    connect_timeout: float = 5.0

    @classmethod
    def of(cls, client: Any) -> Endpoint:
        """The endpoint of a `redis.asyncio.Redis` client (its pool's settings)."""
        pool = client.connection_pool
        kw = pool.connection_kwargs
        common = dict(db=int(kw.get("db") or 0), username=kw.get("username"), password=kw.get("password"),
                      connect_timeout=float(kw.get("socket_connect_timeout") or 5.0))
        if issubclass(pool.connection_class, UnixDomainSocketConnection):
            return cls(path=kw["path"], **common)
        tls = _tls_context(kw) if issubclass(pool.connection_class, SSLConnection) else None
        return cls(host=kw.get("host") or "127.0.0.1", port=int(kw.get("port") or 6379), tls=tls, **common)


_CERT_REQS = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}


def _tls_context(kw: dict[str, Any]) -> ssl.SSLContext:
    """TLS as redis-py sets it up from `rediss://…?ssl_cert_reqs=…&ssl_ca_certs=…`: the
    certificate and the host name checked unless the URL says otherwise."""
    context = ssl.create_default_context(cafile=kw.get("ssl_ca_certs"), capath=kw.get("ssl_ca_path"))
    reqs = kw.get("ssl_cert_reqs", "required")
    if isinstance(reqs, str):
        if reqs.lower() not in _CERT_REQS:
            raise ValueError(f"REDIS_URL: ssl_cert_reqs must be none, optional or required, not {reqs!r}")
        reqs = _CERT_REQS[reqs.lower()]
    context.check_hostname = bool(kw.get("ssl_check_hostname", True)) and reqs != ssl.CERT_NONE
    context.verify_mode = reqs
    if kw.get("ssl_certfile"):
        context.load_cert_chain(kw["ssl_certfile"], kw.get("ssl_keyfile"), kw.get("ssl_password"))
    return context


@dataclass(slots=True)
class _Waiter:
    expected: int
    future: asyncio.Future[list[Any]]
    replies: list[Any]


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.reader = hiredis.Reader(replyError=_reply_error)
        self.waiters: deque[_Waiter] = deque()
        self.transport: asyncio.Transport | None = None
        self.lost: BaseException | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        waiters = self.waiters
        try:
            while waiters:
                waiter = waiters[0]
                replies = waiter.replies
                while len(replies) < waiter.expected:
                    reply = self.reader.gets()
                    if reply is False:  # the rest has not arrived yet
                        return
                    replies.append(reply)
                waiters.popleft()
                if not waiter.future.done():  # done: its caller stopped waiting
                    waiter.future.set_result(replies)
            if self.reader.gets() is not False:  # a reply nobody asked for
                raise hiredis.ProtocolError("unexpected reply")
        except hiredis.ProtocolError as exc:
            self._fail(RedisConnectionError(f"redis protocol error: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._fail(RedisConnectionError("redis connection lost" + (f": {exc}" if exc else "")))

    def _fail(self, error: BaseException) -> None:
        if self.lost is None:
            self.lost = error
        while self.waiters:
            future = self.waiters.popleft().future
            if not future.done():
                future.set_exception(error)
        if self.transport is not None:
            self.transport.abort()

    def send(self, commands: Sequence[Command]) -> asyncio.Future[list[Any]]:
        if self.lost is not None or self.transport is None or self.transport.is_closing():
            raise RedisConnectionError("redis connection closed")
        data = pack(commands)
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self.waiters.append(_Waiter(len(commands), future, []))
        self.transport.write(data)
        return future


class RespConnection:
    """One connection to Redis for pipelines; opened on first use and again after a failure."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._protocol: _Protocol | None = None
        self._opening: asyncio.Future[_Protocol] | None = None

    async def pipeline(self, commands: Sequence[Command]) -> list[Any]:
        """The replies to `commands`, sent together; an error reply is its command's result."""
        protocol = self._protocol
        if protocol is None or protocol.lost is not None:
            protocol = await self._open()
        return await protocol.send(commands)

    def close(self) -> None:
        """Close the connection (callers under way get `ConnectionError`); the next
        pipeline opens a new one."""
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            protocol._fail(RedisConnectionError("redis connection closed"))

    async def _open(self) -> _Protocol:
        """One opening at a time: callers arriving meanwhile wait for it."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._connect())
            self._opening.add_done_callback(self._opened)
        return await asyncio.shield(self._opening)

    def _opened(self, opening: asyncio.Future[_Protocol]) -> None:
        self._opening = None
        if not opening.cancelled() and opening.exception() is None:
            self._protocol = opening.result()

    async def _connect(self) -> _Protocol:
        ep = self.endpoint
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(ep.connect_timeout):
            if ep.path is not None:
                _, protocol = await loop.create_unix_connection(_Protocol, ep.path)
            else:
                _, protocol = await loop.create_connection(
                    _Protocol, ep.host, ep.port, ssl=ep.tls,
                    server_hostname=ep.host if ep.tls is not None else None)
            setup: list[Command] = []
            if ep.password is not None or ep.username is not None:
                setup.append(("AUTH", ep.username, ep.password or "") if ep.username else ("AUTH", ep.password))
            if ep.db:
                setup.append(("SELECT", ep.db))
            if setup:
                try:
                    replies = await protocol.send(setup)
                except BaseException:
                    protocol._fail(RedisConnectionError("redis connection setup interrupted"))
                    raise
                for command, reply in zip(setup, replies, strict=True):
                    if isinstance(reply, Exception):
                        protocol._fail(RedisConnectionError("redis connection setup failed"))
                        raise AuthenticationError(str(reply)) if command[0] == "AUTH" else reply
        return protocol
