"""The page templates (bot/web/templates/): every one compiles in the pages' environment,
none switches escaping off, and a hostile value comes out escaped through the macros the
forms use."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.web.pages import FormView
from bot.web.templating import TEMPLATES, environment

NAMES = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))
HOSTILE = '"><script>alert(1)</script>'


def test_the_pages_have_templates() -> None:
    for name in ["m/home.html", "m/detail.html", "m/vehicle.html", "approve/show.html",
                 "approve/result.html", "demo/chat.html", "demo/oauth.html"]:
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_template_compiles_and_keeps_escaping_on(name: str) -> None:
    environment().get_template(name)
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert not re.search(r"\|\s*safe\b|autoescape\s+false|Markup", source), name


def test_form_fields_escape_the_users_values() -> None:
    macros: Any = environment().get_template("m/macros.html").module  # its macros, by name
    values = {"purpose": HOSTILE, "description": "</textarea>" + HOSTILE, "place": HOSTILE}
    form = FormView(values, bad="purpose", message="", csrf="t", today="2026-11-27")
    html = str(macros.field("事由", "purpose", form, attrs={"maxlength": 100, "required": True}))
    assert html == ('<div class="bad"><label for="f-purpose">事由</label><input id="f-purpose" '
                    'type="text" name="purpose" value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'
                    ' maxlength="100" required></div>')
    html = str(macros.field("故障描述", "description", form, kind="textarea"))
    assert "<script>" not in html and "</textarea>" not in html.removesuffix("</textarea></div>")
    html = str(macros.select("场地", "place", form, [(HOSTILE, HOSTILE)], "请选择"))
    assert "<script>" not in html and 'value="&#34;&gt;&lt;script' in html and " selected" in html
