"""The officer's path through a new year in a real browser: start 2028 from 2027, change the
personal contribution, see what changes, publish, and find the new amount on the premium page."""

from datetime import date

import pytest

from portal.standards.demo import demo_years_forward
from tests.browser.conftest import screenshot
from tests.browser.test_logins import enter_code, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_starts_2028_from_2027_changes_it_and_publishes(page_at, live_server, demo, demo_policies,
                                                                    monkeypatch):
    from django.utils import timezone

    from enrollment.models import ContributionStandard

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2027, 10, 1))  # 2028 being collected

    demo_years_forward(date(2026, 12, 7))  # the demo's years up to 2027, as load_demo makes them today
    source = ContributionStandard.objects.published().get(year=2027)
    page = page_at("desktop")
    sign_in(page, live_server, "officer")
    enter_code(page)

    page.goto(f"{live_server.url}/admin/enrollment/contributionstandard/{source.pk}/change/")
    page.get_by_role("link", name="以此为基础新建下一年度").click()
    assert page.get_by_label("新年度").input_value() == "2028"
    assert page.get_by_label("个人缴费标准：集中缴费期开始").input_value() == "2027-09-01"
    screenshot(page, "start-year-desktop")
    page.get_by_role("button", name="新建下一年度草稿").click()
    assert "已新建 2028 年度草稿" in page.locator("ul.messagelist").inner_text()

    draft = ContributionStandard.objects.get(year=2028)
    page.goto(f"{live_server.url}/admin/enrollment/contributionstandard/{draft.pk}/change/")
    page.get_by_label("成年居民个人缴费").fill("430.00")
    page.get_by_label("发布原因").fill("按 2028 年度文件")
    page.get_by_role("button", name="保存并发布").click()
    page.wait_for_url("**/publish/**")
    table = page.locator("#content table").inner_text()
    assert "成年居民个人缴费" in table and "410.00" in table and "430.00" in table
    screenshot(page, "publish-differences-desktop")
    page.get_by_role("button", name="确认发布").click()
    assert "2028 年度（第 1 版，已发布）" in page.locator("ul.messagelist").inner_text()

    page.goto(f"{live_server.url}/premium/?region=370303001001&year=2028&category=adult")
    assert "430.00" in page.locator("main").inner_text()
