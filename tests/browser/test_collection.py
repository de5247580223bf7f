"""The officer's 参保缴费进度 in a real browser, at desktop and phone width: the charts drawn
from the page's data under the Content Security Policy, their tables beside them, and the way
down from the city to a village and its 未参保名单."""

from datetime import date

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_logins import enter_code, sign_in, watch_policy

pytestmark = pytest.mark.django_db(transaction=True)


def drawn(page, canvas_id: str) -> bool:
    """Chart.js made a chart on the canvas, and the canvas is on screen with a size."""
    return page.evaluate(
        """(id) => {
            const canvas = document.getElementById(id);
            const box = canvas.getBoundingClientRect();
            return !!(window.Chart && Chart.getChart(canvas)) && box.width > 100 && box.height > 100;
        }""",
        canvas_id,
    )


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
def test_the_officer_sees_the_city_charts_and_drills_down_to_a_village(page_at, live_server, demo, monkeypatch,
                                                                       viewport_name):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2021, 10, 15))  # 2022 being collected
    page = page_at(viewport_name)
    refused = watch_policy(page)
    sign_in(page, live_server, "officer")
    enter_code(page)
    page.get_by_role("link", name="参保缴费进度").click()
    page.wait_for_url("**/station/progress/")
    assert "2022 年度参保缴费进度 · 淄博市" in page.locator("h1").inner_text()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('curve-chart'))")
    assert drawn(page, "regions-chart") and drawn(page, "curve-chart")
    assert page.locator("table.progress-table tbody tr").count() == 8  # the city's counties and districts
    assert "张店区" in page.locator("table.progress-table").inner_text()
    screenshot(page, f"progress-city-{viewport_name}")
    assert axe_violations(page) == []

    page.get_by_role("link", name="张店区", exact=True).click()
    page.get_by_role("link", name="车站街道", exact=True).click()
    assert "车站街道" in page.locator("h1").inner_text()
    row = page.locator("table.progress-table tbody tr", has_text="西二路社区")
    assert "低于目标" in row.inner_text()  # nobody of 西二路社区 has enrolled for 2022
    page.get_by_role("link", name="西二路社区", exact=True).click()
    assert "西二路社区" in page.locator("h1").inner_text()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('regions-chart'))")
    screenshot(page, f"progress-village-{viewport_name}")
    assert axe_violations(page) == []

    page.get_by_role("link", name="西二路社区未参保名单").click()
    assert "2022 年度未参保名单 · 西二路社区" in page.locator("h1").inner_text()
    listed = page.locator("table").inner_text()
    assert "赵伟" in listed and "上年度参保" in listed and "********" in listed
    screenshot(page, f"uninsured-village-{viewport_name}")
    assert axe_violations(page) == []
    assert refused == []


def test_without_javascript_the_tables_are_the_page(browser, live_server, demo, officer, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2021, 10, 15))
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server, "officer")
    enter_code(page)
    page.goto(f"{live_server.url}/station/progress/?region=370303001000")
    assert not page.locator("#regions-chart").is_visible() and not page.locator("#curve-chart").is_visible()
    assert page.locator("table.progress-table").is_visible()
    assert "西二路社区" in page.locator("table.progress-table").inner_text()
    context.close()
