"""Issues 6 and 13 end to end, in a real headless Chromium against `python main.py demo`:

    张三 (staff) books a car in /dev/chat ──► 李处 (dept head) taps 同意 on the pushed card
    (a real encrypted template_card_event) ──► 王科 (fleet manager) opens the card's link:
    approve page ──► demo OAuth ──► form submit ──► 张三 sees the confirmation ──► the
    admin signs in to /dashboard, whose charts count the new request.

    张三 reports a repair ──► 孙伟 dispatches ──► 钱力 finishes ──► 张三 taps 5分 on the
    rating card, asks 我的日历 ──► /m/requests/N shows the timeline ──► /m/ the feed ──►
    the dashboard the worker's rating.

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
    say(page, "明天上午10点到12点用车去市政府，2人，事由：送文件")
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


def test_repair_rated_on_its_card_then_timeline_feed_and_dashboard(browser: Any, demo: Demo,
                                                                   shots: Path) -> None:
    """Issue 13 items 4–6: 张三 reports, 孙伟 dispatches, 钱力 finishes; 张三 taps 5分 on
    the rating card, asks for 我的日历; the request's page shows the whole timeline, /m/
    the feed, the dashboard the worker's rating — all in Chinese."""
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.set_default_timeout(WAIT_MS)
    page.goto(demo.base + "/dev/chat")
    page.select_option('[data-testid="who"]', "zhangsan")
    say(page, "6号楼201室灯管一闪一闪的")
    bot_text(page, "请确认报修")
    say(page, "确认")
    submitted = bot_text(page, r"已提交报修 #\d+")
    no = re.search(r"#(\d+)", submitted).group(1)  # type: ignore[union-attr]
    assert "查看详情" in submitted  # the reply links the request's page
    link = page.locator(".row:not(.me) .bubble a", has_text="查看详情").last
    assert str(link.get_attribute("href")).endswith(f"/m/requests/{no}")
    page.select_option('[data-testid="who"]', "sunwei")
    say(page, f"#{no} 派给钱力")
    bot_text(page, rf"已将 #{no} 派给钱力")
    page.select_option('[data-testid="who"]', "qianli")
    say(page, f"接单 #{no}")
    bot_text(page, rf"#{no} 已标记为维修中")
    say(page, f"修好了 #{no} 更换了镇流器")
    bot_text(page, rf"辛苦了！#{no}")

    # The rating card: five buttons; a tap records 5 and greys the card out.
    page.select_option('[data-testid="who"]', "zhangsan")
    card = page.locator('.row[data-kind="template_card"] .card').filter(has_text=f"请为维修打分 #{no}").last
    card.wait_for()
    assert card.locator("button[data-key^='rate:']").count() == 5
    page.screenshot(path=str(shots / "7-rating-card.png"))
    card.locator(f'button[data-key="rate:{no}:5"]').click()
    card.locator('[data-testid="card-result"]').wait_for()
    assert card.locator('[data-testid="card-result"]').inner_text().strip() == "已评5分"
    bot_text(page, rf"谢谢您的评价！#{no} 报修评为 5 分")
    say(page, "我的日历")
    feed = bot_text(page, "日历订阅地址")
    assert "/calendar/user/zhangsan.ics?sig=" in feed and "添加已订阅的日历" in feed
    page.screenshot(path=str(shots / "8-my-calendar.png"))

    # The request's page: the whole timeline, who and when.
    browser.clear_cookies()
    page.goto(f"{demo.base}/m/requests/{no}")
    page.click('button[data-userid="zhangsan"]')
    page.wait_for_url(re.compile(rf"/m/requests/{no}$"))
    timeline = page.locator('[data-testid="timeline"]').inner_text()
    for step in ("张三提交申请", "孙伟派工给钱力", "钱力开始维修", "钱力修好：更换了镇流器", "张三评价 5 分"):
        assert step in timeline, timeline
    assert "维修人员：钱力" in page.content() and "评价：5分" in page.content()
    page.screenshot(path=str(shots / "9-request-timeline.png"), full_page=True)
    page.goto(demo.base + "/m/")
    assert "/calendar/user/zhangsan.ics?sig=" in page.locator('[data-testid="feed"]').inner_text()
    page.screenshot(path=str(shots / "10-home-feed.png"), full_page=True)

    # The dashboard: ratings per worker, the room feeds; errors in Chinese.
    browser.clear_cookies()
    page.set_viewport_size({"width": 1000, "height": 860})
    page.goto(demo.base + "/dashboard")
    page.click('button[data-userid="admin"]')
    page.wait_for_url(re.compile(r"/dashboard"))
    ratings = page.locator("#t-worker_ratings").inner_text()
    assert "钱力" in ratings and "平均分" in ratings
    assert page.locator('[data-testid="room-feed"]').count() > 0
    page.locator("#ratings").screenshot(path=str(shots / "11-dashboard-ratings.png"))
    page.goto(demo.base + "/dashboard/x.csv")
    assert "没有名为「x」的表" in page.content()
    page.close()


def test_the_approvers_view(browser: Any, demo: Demo, shots: Path) -> None:
    """Issue 13 item 1: the 事由 asked for and shown; the chain on each card; 驳回 on a card
    asks for the reason (算了 undoes it); a decision typed in chat updates the card in
    place, title included; the applicant reads the reason."""
    from playwright.sync_api import expect

    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_default_timeout(WAIT_MS)
    page.goto(demo.base + "/dev/chat")

    pick(page, "staff", "zhangsan")
    say(page, "后天下午3点到4点用车去区档案馆，2人")
    bot_text(page, "用车事由")
    say(page, "查阅档案")
    # (patterns that only this test's bubbles match: the phone shows the test before's too)
    summary = bot_text(page, "请确认用车申请[\\s\\S]*区档案馆")
    assert "\n人数：2人\n事由：查阅档案\n" in summary
    say(page, "确认")
    submitted = bot_text(page, r"已提交 #\d+：用车 .*区档案馆")
    no = re.search(r"#(\d+)", submitted).group(1)  # type: ignore[union-attr]

    # 李处: the card shows the purpose and the chain; 驳回 asks for a reason first.
    pick(page, "dept_head", "lichu")
    card = page.locator('.row[data-kind="template_card"] .card').filter(has_text=f"#{no}").last
    assert "查阅档案" in card.inner_text()
    assert "部门负责人 李处 审批中" in card.locator('[data-testid="card-chain"]').inner_text()
    card.locator('button[data-key^="reject:"]').click()
    bot_text(page, rf"要驳回 #{no}，请回复驳回理由")
    page.screenshot(path=str(shots / "7-reject-asks-reason.png"))
    say(page, "算了")
    bot_text(page, rf"#{no} 没有驳回，仍等您审批")
    assert card.locator('[data-testid="card-result"]').count() == 0
    expect(card.locator('button[data-key^="approve:"]')).to_be_enabled()  # live again
    # decided in chat: the card is replaced in place
    say(page, f"同意 #{no}")
    bot_text(page, rf"已同意 #{no}，已转王科审批")
    card.locator('[data-testid="card-result"]').wait_for()
    assert card.locator('[data-testid="card-result"]').inner_text() == "已同意"
    assert f"用车申请 #{no} 已同意（李处）" in card.inner_text()
    page.screenshot(path=str(shots / "8-card-updated-from-chat.png"))

    # 王科: the card says who approved when; his 驳回 takes its reason.
    pick(page, "fleet_manager", "wangke")
    card = page.locator('.row[data-kind="template_card"] .card').filter(has_text=f"#{no}").last
    chain = card.locator('[data-testid="card-chain"]').inner_text()
    assert re.search(r"部门负责人 李处 已同意 \d\d-\d\d \d\d:\d\d", chain)
    assert "车辆管理 王科 审批中" in chain
    card.locator('button[data-key^="reject:"]').click()
    bot_text(page, rf"要驳回 #{no}")
    say(page, "当天车辆检修，请改期")
    bot_text(page, rf"已驳回 #{no}（理由：当天车辆检修，请改期）")
    card.locator('[data-testid="card-result"]').wait_for()
    assert f"用车申请 #{no} 已驳回（王科）" in card.inner_text()
    page.screenshot(path=str(shots / "9-rejected-with-reason.png"))

    pick(page, "staff", "zhangsan")
    told = bot_text(page, "未获通过")
    assert "理由：当天车辆检修，请改期" in told
    page.screenshot(path=str(shots / "10-applicant-reads-reason.png"))
