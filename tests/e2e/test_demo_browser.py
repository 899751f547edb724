"""Issue 6 end to end, in a real headless Chromium against `python main.py demo`:

    张三 (staff) books a car in /dev/chat ──► 李处 (dept head) taps 同意 on the pushed card
    (a real encrypted template_card_event) ──► 王科 (fleet manager) opens the card's link:
    approve page ──► demo OAuth ──► form submit ──► 张三 sees the confirmation ──► the
    admin signs in to /dashboard, whose charts count the new request.

Screenshots go to $E2E_SCREENSHOTS (default: the test's temp folder).
"""

from __future__ import annotations

import csv
import io
import os
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, Demo

WAIT_MS = 15_000


def services_count(demo: Demo, service: str = "用车") -> int:
    """The dashboard's "requests per service" total for `service`, via its CSV."""
    req = urllib.request.Request(demo.base + "/dashboard/services.csv",  # noqa: S310
                                 headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 - our own server
        rows = list(csv.reader(io.StringIO(r.read().decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    total = header.index("合计")
    return next((int(row[total]) for row in body if row[0] == service), 0)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pick(page: Any, role: str, userid: str) -> None:
    """Tap the simulator's role button and wait until the phone is that person's."""
    from playwright.sync_api import expect

    page.click(f'#roles button[data-role="{role}"]')
    expect(page.locator('[data-testid="who"]')).to_have_value(userid)
    expect(page.locator('#roles button.on')).to_have_attribute("data-user", userid)


def say(page: Any, text: str) -> None:
    page.fill('[data-testid="input"]', text)
    page.press('[data-testid="input"]', "Enter")


def bot_text(page: Any, pattern: str) -> str:
    """The text of the assistant's bubble matching `pattern`, once it arrives."""
    bubble = page.locator(".row:not(.me) .bubble").filter(has_text=re.compile(pattern)).last
    bubble.wait_for(timeout=WAIT_MS)
    return str(bubble.inner_text())


def test_book_approve_twice_confirmed_and_counted(browser: Any, demo: Demo, shots: Path) -> None:
    before = services_count(demo)
    page = browser.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(demo.base + "/dev/chat")

    # 张三 books a car: a summary to confirm, then the request number.
    pick(page, "staff", "zhangsan")
    say(page, "明天上午10点到12点用车去市政府，2人")
    bot_text(page, "确认")
    say(page, "确认")
    submitted = bot_text(page, r"已提交 #\d+")
    no = re.search(r"#(\d+)", submitted).group(1)  # type: ignore[union-attr]
    page.screenshot(path=str(shots / "1-staff-booked.png"))

    # 李处 taps 同意 on the card pushed to him; the card greys out with the result.
    pick(page, "dept_head", "lichu")
    card = page.locator('.row[data-kind="template_card"] .card').filter(has_text=f"#{no}").last
    card.locator('button[data-key^="approve:"]').click()
    card.locator('[data-testid="card-result"]').wait_for()
    assert "同意" in card.locator('[data-testid="card-result"]').inner_text()
    bot_text(page, rf"已同意 #{no}")
    page.screenshot(path=str(shots / "2-dept-head-card.png"))

    # 王科 opens the card's link: the approve page, through the demo's WeCom OAuth.
    pick(page, "fleet_manager", "wangke")
    card = page.locator('.row[data-kind="template_card"] .card').filter(has_text=f"#{no}").last
    with browser.expect_page() as opened:
        card.locator("a.jump").first.click()
    approve = opened.value
    approve.set_default_timeout(WAIT_MS)
    approve.wait_for_load_state()
    assert "/dev/oauth/authorize" in approve.url
    approve.screenshot(path=str(shots / "3-oauth-who-are-you.png"))
    approve.click('button.primary[data-userid="wangke"]')  # the simulator's person
    approve.wait_for_url(re.compile(r"/approve/"))
    assert f"#{no}" in approve.locator("h1").inner_text()
    approve.click('button[name="action"][value="approve"]')
    approve.wait_for_load_state()
    assert "已同意" in approve.content()
    approve.screenshot(path=str(shots / "4-fleet-manager-approve-page.png"), full_page=True)
    approve.close()

    # 张三 sees the confirmation.
    pick(page, "staff", "zhangsan")
    confirmed = bot_text(page, rf"#{no} 已批准")
    assert "车辆" in confirmed
    page.screenshot(path=str(shots / "5-staff-confirmed.png"))

    # The admin signs in (demo OAuth) and the dashboard draws its charts, counting it.
    browser.clear_cookies()
    page.goto(demo.base + "/dashboard")
    page.click('button[data-userid="admin"]')
    page.wait_for_url(re.compile(r"/dashboard"))
    # ECharts (vendored) draws each chart that has data as SVG from the page's JSON.
    page.wait_for_function("document.querySelectorAll('.chart[data-chart] svg').length >= 4")
    page.screenshot(path=str(shots / "6-dashboard.png"), full_page=True)
    assert "各业务申请量" in page.content()
    assert services_count(demo) == before + 1


def test_asset_form_on_a_phone(browser: Any, demo: Demo, shots: Path) -> None:
    """Issue 17 item 1: the /m/ asset form at 390×844 — more than the stock is refused on
    the form with the fields kept, two laptops are then reserved and the request made."""
    browser.clear_cookies()
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_default_timeout(WAIT_MS)
    page.goto(demo.base + "/m/new/asset")
    page.click('button[data-userid="zhangsan"]')  # the demo's WeCom OAuth: 您是？
    page.wait_for_url(re.compile(r"/m/new/asset"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.select_option("#f-kind", "requisition")
    page.select_option("#f-category", "笔记本电脑")
    page.fill("#f-quantity", "50")
    page.fill("#f-location", "3号楼502室")
    page.click('button[type="submit"]')
    notice = page.locator(".notice").first
    notice.wait_for()
    assert re.search(r"笔记本电脑目前在库只有\d+件", notice.inner_text())
    assert "回复" not in notice.inner_text()  # chat wording stays in chat
    assert page.input_value("#f-location") == "3号楼502室"
    page.screenshot(path=str(shots / "7-asset-form-refused.png"), full_page=True)
    page.fill("#f-quantity", "2")
    page.click('button[type="submit"]')
    done = page.locator("main").filter(has_text="已提交资产领用")
    done.wait_for()
    assert re.search(r"已为您预留 A-2024-0101-\d{3}、A-2024-0101-\d{3}", done.inner_text())
    page.screenshot(path=str(shots / "8-asset-form-submitted.png"), full_page=True)
    page.close()
