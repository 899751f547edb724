"""Issue 17 item 5 end to end, in a real headless Chromium at phone size (390×844) against
`python main.py demo`: the admin signs in through the demo's WeCom OAuth, opens a vehicle,
gets a bad value back beside its field, then saves the vehicle; the list shows it, and
the 权力清单 page reads from the same rules.

Screenshots go to $E2E_SCREENSHOTS (default: the test's temp folder)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Demo
from tests.e2e.test_demo_browser import WAIT_MS, shots  # noqa: F401 - fixture


def test_admin_edits_a_vehicle_at_phone_size(browser: Any, demo: Demo, shots: Path) -> None:  # noqa: F811
    browser.clear_cookies()
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_default_timeout(WAIT_MS)
    page.goto(demo.base + "/admin/vehicles")
    page.click('button[data-userid="admin"]')  # the demo's OAuth: "您是？"
    page.wait_for_url(re.compile(r"/admin/vehicles$"))
    row = page.locator('tr[data-key="沪A12345"]')
    assert "7座" in row.inner_text()
    row.locator("a.button").click()
    page.wait_for_url(re.compile(r"/admin/vehicles/"))
    assert page.locator('input[name="seats"]').input_value() == "7"

    # A bad value: the form comes back with the problem beside the field, nothing saved.
    page.fill('input[name="seats"]', "0")
    page.click('button[type="submit"]')
    page.wait_for_selector("#e-seats")
    assert page.locator("#e-seats").inner_text() == "座位数请填写1到99之间的整数。"
    assert page.locator('input[name="seats"]').input_value() == "0"
    page.screenshot(path=str(shots / "admin-1-vehicle-bad.png"), full_page=True)

    # Fixed: saved, back at the list with what changed.
    page.fill('input[name="seats"]', "6")
    page.fill('input[name="model"]', "别克GL8 商务版")
    page.click('button[type="submit"]')
    page.wait_for_url(re.compile(r"/admin/vehicles\?ok="))
    notice = page.locator(".notice.ok").inner_text()
    assert "已保存车辆 沪A12345" in notice and "座位数 7 → 6" in notice
    assert "6座" in page.locator('tr[data-key="沪A12345"]').inner_text()
    assert "别克GL8 商务版" in page.locator('tr[data-key="沪A12345"]').inner_text()
    # One card per vehicle at this width: nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "admin-2-vehicles-saved.png"), full_page=True)

    page.goto(demo.base + "/m/services")
    assert "第2步 车辆管理" in page.locator('section[data-service="vehicle_booking"]').inner_text()
    page.screenshot(path=str(shots / "admin-3-services.png"), full_page=True)
    page.close()
    browser.clear_cookies()  # the next browser test starts signed out
