"""bot/resp.py: RESP pipelines on one connection of our own, set up as the redis-py client
is (TCP, Unix socket, TLS; password or ACL user; database), against real redis-servers."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import shutil
import socket
import ssl
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
import uvloop
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from redis.exceptions import AuthenticationError, NoScriptError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.resp import Endpoint, RespConnection, pack
from tests.bot.conftest import drop_keys
from tests.conftest import REDIS_URL


def test_pack_is_resp_arrays_of_bulk_strings() -> None:
    assert pack([("SET", "k", "值", "PX", 30), ("GET", b"k")]) == (
        b"*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\xe5\x80\xbc\r\n$2\r\nPX\r\n$2\r\n30\r\n"
        b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
    )
    assert pack([("INCRBYFLOAT", "k", 0.5)]) == b"*3\r\n$11\r\nINCRBYFLOAT\r\n$1\r\nk\r\n$3\r\n0.5\r\n"


@pytest.mark.parametrize("bad", [None, True, 1j, ["a"]])
def test_pack_refuses_what_redis_py_refuses(bad: object) -> None:
    with pytest.raises(TypeError):
        pack([("SET", "k", bad)])


async def test_replies_come_back_to_their_callers_in_order(
    redis_client: aioredis.Redis, redis_prefix: str
) -> None:
    conn = RespConnection(Endpoint.of(redis_client))
    key = f"{redis_prefix}n"
    try:
        # Many pipelines under way at once on the one connection, one with an error reply.
        results = await asyncio.gather(
            *(conn.pipeline([("INCR", key), ("GET", key)]) for _ in range(50)),
            conn.pipeline([("HGET", key, "f")]),  # wrong type: that command's reply only
        )
        counts = [r[0] for r in results[:50]]
        assert counts == list(range(1, 51))
        assert [r[1] for r in results[:50]] == [str(n).encode() for n in range(1, 51)]
        assert isinstance(results[50][0], ResponseError)
        (missing,) = await conn.pipeline([("EVALSHA", "0" * 40, 0)])
        assert isinstance(missing, NoScriptError)
    finally:
        conn.close()
        await drop_keys(redis_client, redis_prefix)


async def test_a_caller_that_stops_waiting_does_not_shift_the_replies(
    redis_client: aioredis.Redis, redis_prefix: str
) -> None:
    conn = RespConnection(Endpoint.of(redis_client))
    try:
        await conn.pipeline([("PING",)])
        # BLPOP holds its reply for 0.3 s; its caller gives up after 0.05 s.
        slow = asyncio.create_task(conn.pipeline([("BLPOP", f"{redis_prefix}none", "0.3")]))
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await slow
        assert await conn.pipeline([("ECHO", "after")]) == [b"after"]
    finally:
        conn.close()


def test_on_uvloop_as_serve_runs() -> None:
    async def scenario() -> list[object]:
        client = aioredis.from_url(REDIS_URL)
        conn = RespConnection(Endpoint.of(client))
        try:
            return await conn.pipeline([("PING",), ("ECHO", "uv")])
        finally:
            conn.close()
            await client.aclose()

    assert uvloop.run(scenario()) == [b"PONG", b"uv"]


async def test_the_database_and_a_lost_connection(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    conn = RespConnection(Endpoint.of(redis_client))  # redis://…/15
    key = f"{redis_prefix}where"
    try:
        await conn.pipeline([("SET", key, "here")])
        assert await redis_client.get(key) == b"here"  # SELECT 15 was sent
        (conn_id,) = await conn.pipeline([("CLIENT", "ID")])
        under_way = asyncio.create_task(conn.pipeline([("BLPOP", f"{redis_prefix}none", "2")]))
        await asyncio.sleep(0.05)
        await redis_client.execute_command("CLIENT", "KILL", "ID", conn_id)
        with pytest.raises(RedisConnectionError):
            await under_way
        assert await conn.pipeline([("GET", key)]) == [b"here"]  # a new connection
        (new_id,) = await conn.pipeline([("CLIENT", "ID")])
        assert new_id != conn_id
    finally:
        conn.close()
        await drop_keys(redis_client, redis_prefix)


async def test_nothing_listening_is_a_connection_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    conn = RespConnection(Endpoint(port=port, connect_timeout=0.5))
    with pytest.raises(OSError):
        await conn.pipeline([("PING",)])


async def test_a_garbled_reply_closes_the_connection() -> None:
    async def garble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.write(b"?this is not RESP\r\n")
        await writer.drain()
        await asyncio.sleep(1)
        writer.close()

    server = await asyncio.start_server(garble, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    conn = RespConnection(Endpoint(port=port))
    try:
        with pytest.raises(RedisConnectionError, match="protocol"):
            await conn.pipeline([("PING",)])
    finally:
        conn.close()
        server.close()


async def test_acl_user_and_password(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    user, password = f"resp-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    good = aioredis.from_url(f"redis://{user}:{password}@127.0.0.1:6379/15")
    bad = aioredis.from_url(f"redis://{user}:wrong@127.0.0.1:6379/15")
    conn = RespConnection(Endpoint.of(good))
    await redis_client.execute_command("ACL", "SETUSER", user, "on", f">{password}", "~*", "+@all")
    try:
        (whoami,) = await conn.pipeline([("ACL", "WHOAMI")])
        assert whoami == user.encode()
        with pytest.raises(AuthenticationError):
            await RespConnection(Endpoint.of(bad)).pipeline([("PING",)])
    finally:
        conn.close()
        await good.aclose()
        await bad.aclose()
        await redis_client.execute_command("ACL", "DELUSER", user)


def test_tls_settings_as_redis_py_reads_them() -> None:
    checked = Endpoint.of(aioredis.from_url("rediss://redis.example:6380/1")).tls
    assert checked is not None and checked.check_hostname and checked.verify_mode == ssl.CERT_REQUIRED
    loose = Endpoint.of(aioredis.from_url("rediss://redis.example:6380/1?ssl_cert_reqs=none")).tls
    assert loose is not None and not loose.check_hostname and loose.verify_mode == ssl.CERT_NONE
    with pytest.raises(ValueError, match="ssl_cert_reqs"):
        Endpoint.of(aioredis.from_url("rediss://redis.example:6380/1?ssl_cert_reqs=sometimes"))


# --- a redis-server of our own: a Unix socket, TLS --------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _self_signed(dir_: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = dir_ / "redis.crt", dir_ / "redis.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[Path, int, Path]]:
    """A redis-server of our own: (its Unix socket, its TLS port, its certificate)."""
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (it runs the service's Redis too)"
    cert, key = _self_signed(tmp_path)
    sock, tls_port = tmp_path / "redis.sock", _free_port()
    proc = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(sock), "--tls-port", str(tls_port),
         "--tls-cert-file", str(cert), "--tls-key-file", str(key), "--tls-auth-clients", "no",
         "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sock.exists(), "redis-server did not start"
        yield sock, tls_port, cert
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
async def clients(own_redis: tuple[Path, int, Path]) -> AsyncIterator[dict[str, aioredis.Redis]]:
    sock, tls_port, cert = own_redis
    made = {
        "unix": aioredis.from_url(f"unix://{sock}?db=2"),
        "tls": aioredis.from_url(f"rediss://127.0.0.1:{tls_port}/3?ssl_cert_reqs=required&ssl_ca_certs={cert}"),
    }
    yield made
    for client in made.values():
        await client.aclose()


@pytest.mark.parametrize("kind", ["unix", "tls"])
async def test_unix_socket_and_tls_as_redis_py_connects(clients: dict[str, aioredis.Redis], kind: str) -> None:
    client = clients[kind]
    conn = RespConnection(Endpoint.of(client))
    try:
        assert await conn.pipeline([("SET", "k", kind), ("GET", "k")]) == [b"OK", kind.encode()]
        assert await client.get("k") == kind.encode()  # the same database as redis-py's
    finally:
        conn.close()


async def test_tls_checks_the_certificate(own_redis: tuple[Path, int, Path]) -> None:
    _, tls_port, _ = own_redis
    untrusted = aioredis.from_url(f"rediss://127.0.0.1:{tls_port}/0")  # the system's CAs only
    try:
        with pytest.raises(OSError):  # ssl.SSLCertVerificationError
            await RespConnection(Endpoint.of(untrusted)).pipeline([("PING",)])
    finally:
        await untrusted.aclose()
