"""帮助 in chat links to the 权力清单 page where the channel has pages."""

from __future__ import annotations

import re

from tests.handlers.conftest import Talk


async def test_help_links_to_it(linked_talk: Talk, talk: Talk) -> None:
    reply = await linked_talk.say("zhangsan", "帮助")
    assert re.search(r"📜 权力清单（每项服务由谁审批、时限多长）：http\S+/m/services", reply)
    # A channel without pages (the terminal) has no link to give.
    assert "权力清单" not in await talk.say("zhangsan", "帮助")
