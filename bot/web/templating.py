"""Every HTML page is a Jinja2 template in `bot/web/templates/`, rendered through
aiohttp-jinja2 with autoescape on (a value is escaped unless a template says otherwise),
and files the pages load (ECharts, the style sheet) are served from `bot/web/static/`
at `/static/` — vendored, because a bureau's intranet is offline."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
NO_STORE = {"Cache-Control": "no-store"}


# The pages' environment: autoescape on for every template, a missing value an error
# (not an empty string), blocks without stray blank lines.
# (autoescape is written out at each call, where a linter can see it.)
OPTIONS: dict[str, Any] = {
    "undefined": jinja2.StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
}


def environment() -> jinja2.Environment:
    """The same environment outside an app (the template tests compile every file)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              **OPTIONS)


def setup_templates(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                               **OPTIONS)
    static = app.router.add_static("/static/", STATIC, name="static", append_version=True)
    # `?v=<hash of the file>`: a browser never keeps last version's script or style.
    env.globals["static"] = lambda name: str(static.url_for(filename=name))


def render(name: str, request: web.Request, context: Mapping[str, Any], *,
           status: int = 200) -> web.Response:
    """A page that is never cached (each shows one user's data)."""
    response = aiohttp_jinja2.render_template(name, request, dict(context), status=status)
    response.headers.update(NO_STORE)
    return response
