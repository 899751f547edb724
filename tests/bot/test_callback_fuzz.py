"""Whatever arrives at the callback, the answer is never a 5xx and nothing bad is dispatched."""

from __future__ import annotations

import time

from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.conftest import Recorder
from tests.bot.wecomsim import WeComSim

URL = "/wecom/callback"
FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,  # writes no .hypothesis/ directory
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

param_values = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"[0-9a-f]{40}", fullmatch=True),
    st.integers(min_value=-(10**12), max_value=10**13).map(str),
    st.just(str(int(time.time()))),
)
queries = st.dictionaries(
    st.sampled_from(["msg_signature", "timestamp", "nonce", "echostr", "other"]), param_values, max_size=5
)
xml_like = st.builds(
    lambda tags, texts: "<xml>" + "".join(f"<{t}>{x}</{t}>" for t, x in zip(tags, texts, strict=False)) + "</xml>",
    st.lists(st.sampled_from(["Encrypt", "ToUserName", "AgentID", "MsgType", "x"]), max_size=4),
    st.lists(st.text(max_size=40), max_size=4),
)
bodies = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=512).map(lambda s: s.encode("utf-8", "surrogatepass")),
    xml_like.map(str.encode),
)


@FUZZ
@given(query=queries, body=bodies)
async def test_random_posts_never_5xx(client: TestClient, recorder: Recorder, query: dict[str, str], body: bytes) -> None:
    resp = await client.post(URL, params=query, data=body)
    assert resp.status < 500
    assert recorder.inbound == []


@FUZZ
@given(query=queries)
async def test_random_verifications_never_5xx(client: TestClient, query: dict[str, str]) -> None:
    resp = await client.get(URL, params=query)
    assert resp.status < 500


@FUZZ
@given(
    inner=st.one_of(st.text(max_size=300), xml_like),
    flip=st.integers(min_value=0, max_value=400),
)
async def test_signed_random_inner_xml_never_5xx(
    client: TestClient, sim: WeComSim, recorder: Recorder, inner: str, flip: int
) -> None:
    """Properly encrypted and signed, but the decrypted content is anything (or the
    ciphertext is damaged after signing)."""
    query, body = sim.post(inner)
    if flip and flip < len(body):
        body = body[:flip] + ("A" if body[flip] != "A" else "B") + body[flip + 1 :]
    resp = await client.post(URL, params=query, data=body.encode())
    assert resp.status < 500
