"""Help and the fallback: what the assistant can do, and a friendly line when a message
is not understood (never an exception, never a guess)."""

from __future__ import annotations

from handlers.base import Ctx, Handler, Inbound, Reply, Router
from nlp.types import Intent, Parse

router = Router("help")

HELP_TEXT = (
    "您好，我是机关事务服务助手，可以帮您：\n"
    "🚗 公务用车：如“明天下午两点用车去虹桥机场，3人”\n"
    "🔧 报修：如“3号楼502室空调不制冷”\n"
    "🏢 预约场地：如“下周一上午9点到11点订301会议室，10人”\n"
    "✅ 审批：如“同意1024”“驳回1024，理由：时间冲突”\n"
    "📋 查进度：如“我的申请”“#1024到哪了”\n"
    "❌ 取消：如“取消#1024”\n"
    "直接用一句话告诉我您要办的事即可。"
)

NOT_UNDERSTOOD = "抱歉，这句我没太明白。您可以说“帮助”看看我能办什么，例如“明天上午9点用车去市政府”。"


@router.intent(Intent.HELP)
async def show_help(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """The user asks what the assistant can do: list the services with one example each."""
    name = ctx.user.name or ctx.user.user_id
    return Reply(f"{name}，{HELP_TEXT}")


class FallbackRouter(Router):
    """Takes every intent no router before it took; must stay last."""

    def resolve(self, intent: Intent) -> Handler | None:
        return fallback


async def fallback(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """Not understood: a friendly line and the help hint."""
    return Reply(NOT_UNDERSTOOD)


fallback_router = FallbackRouter("fallback")
