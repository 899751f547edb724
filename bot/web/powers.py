"""权力清单 (issue 17 item 6): `GET /m/services` — every service, who approves it at each
step, the time limits and the reminders, for everyone signed in (WeCom OAuth, as /m/).
Worked out on each visit from what is in force (handlers/transparency.py)."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bot.keys import SETTINGS
from bot.web.pages import page_ctx
from bot.web.templating import render
from handlers.transparency import power_list, working_hours

PATH = "/m/services"


async def services(request: web.Request) -> web.Response:
    """The list, from the rules, the role holders and the limits in force."""
    await page_ctx(request)
    limit = timedelta(hours=request.app[SETTINGS].approval_reminder_hours)
    return render("m/services.html", request, {
        "services": await power_list(limit), "working_hours": working_hours(),
    })


def setup_powers(app: web.Application) -> None:
    app.router.add_get(PATH, services)
