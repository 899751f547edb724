"""Help and the fallback: what the assistant can do (the services, then what the
speaker's roles add: approving, driving, dispatching, repairing), and a friendly line when a message
is not understood (never an exception, never a guess)."""

from __future__ import annotations

from handlers.base import Ctx, Handler, Inbound, Reply, Router
from handlers.registry import services
from models.org import Role
from nlp.types import Intent, Parse

router = Router("help")

HELP_INTRO = "您好，我是机关事务服务助手，可以帮您："
# then each service's own line (handlers/services/: `help_line`), in registration order
HELP_COMMON = (
    "📋 查进度：如“我的申请”“#1024到哪了”\n"
    "❌ 取消：如“取消#1024”“把明天去虹桥机场的车取消了”\n"
    "⭐ 评价：修好或用车结束后，回复如“5分，很及时”\n"
    "📅 日历：说“我的日历”，把用车和预约订阅到手机日历"
)
HELP_END = "直接用一句话告诉我您要办的事即可。"
# What each role does besides the services everyone has, with examples.
ROLE_HELP = (
    ((Role.DEPT_HEAD, Role.FLEET_MANAGER, Role.FACILITY_ADMIN, Role.ASSET_MANAGER, Role.ADMIN),
     "✅ 审批：“待我审批”看待办；“同意1024”；“驳回1024，理由：时间冲突”"),
    ((Role.FLEET_MANAGER,),
     "🚙 车辆：“车况”看各车状态、里程、保养和保险；“沪A12345 送修 原因 到12月10日”；"
     "“沪A12345 恢复使用”；“沪A12345 保养完成 里程 45000”；“沪A12345 交强险 至2027年12月31日”；“#1024 改派沪A67890”"),
    ((Role.DRIVER,),
     "🚘 出车：“我的任务”“明天有什么任务”看行程；“收到 #1024”确认；"
     "“出发 #1024 里程 12345”；“到达 #1024 里程 12410 过路费 20 停车费 15 油费 200”"),
    ((Role.REPAIR_DISPATCHER,),
     "📌 派工：“待派工”看待派的报修；“#1024 派给钱力”（只有一件待派时说“派给钱力”即可）"),
    ((Role.REPAIR_WORKER,),
     "🛠 维修：“我的任务”看工单；“接单 #1024”；“#1024 待料 缺压缩机”；"
     "“修好了 #1024 更换了电容”；现场照片直接发给我，会附到进行中的工单"),
    ((Role.ASSET_MANAGER,),
     "🗄️ 资产：“待发放”看审批通过待办的；“发放#1024”（调剂、处置说“办结#1024”）；"
     "“在库查询”“笔记本还有几台”看库存"),
)
ONE_OPEN = "只有一件进行中时，编号可以不说。"
POWERS = "📜 权力清单（每项服务由谁审批、时限多长）：{url}"
POWERS_PATH = "/m/services"

NOT_UNDERSTOOD = "抱歉，这句我没太明白。您可以说“帮助”看看我能办什么，例如“明天上午9点用车去市政府”。"


def help_text() -> str:
    """What everyone can do: each registered service with its example, then status and cancel."""
    return "\n".join([HELP_INTRO, *(f"{s.icon} {s.help_line}" for s in services()), HELP_COMMON])


@router.intent(Intent.HELP)
async def show_help(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """The user asks what the assistant can do: list the services with one example each."""
    name = ctx.user.name or ctx.user.user_id
    lines = [f"{name}，{help_text()}"]
    lines += [text for roles, text in ROLE_HELP if ctx.user.roles & set(roles)]
    if ctx.user.roles & {Role.DRIVER, Role.REPAIR_WORKER, Role.REPAIR_DISPATCHER}:
        lines.append(ONE_OPEN)
    url = ctx.links.page_url(POWERS_PATH)
    if url:
        lines.append(POWERS.format(url=url))
    lines.append(HELP_END)
    return Reply("\n".join(lines))


class FallbackRouter(Router):
    """Takes every intent no router before it took; must stay last."""

    def resolve(self, intent: Intent) -> Handler | None:
        return fallback


async def fallback(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """Not understood: a friendly line and the help hint."""
    return Reply(NOT_UNDERSTOOD)


fallback_router = FallbackRouter("fallback")
