"""Filing and cancelling online in a real browser at phone width, in the standard and the large
display (大字版): the page never scrolls sideways, axe-core finds nothing serious, and nothing is
refused by the Content Security Policy."""

import re

import pytest
from django.conf import settings

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_logins import watch_policy
from tests.my_insurance.signing_in import resident_client

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 375


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large"])
def test_a_resident_files_and_cancels_on_a_phone(page_at, live_server, demo, large):
    from enrollment.models import Resident
    from treatment.filings.models import Filing

    wang = Resident.objects.get(name="王秀兰")
    page = page_at("phone", large=large)
    session = resident_client(wang).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    refused = watch_policy(page)
    mode = "large" if large else "standard"

    page.goto(f"{live_server.url}/my/filings/")
    page.get_by_role("link", name="网上办理异地就医备案").click()
    page.wait_for_url("**/my/filings/new/")
    page.get_by_label("其他临时外出就医").check()
    page.get_by_label("就医省份").select_option("四川省")
    page.get_by_label("就医城市").fill("成都市")
    assert fits_the_phone(page) and axe_violations(page) == []
    screenshot(page, f"my-filing-form-{mode}")
    page.get_by_role("button", name="提交备案").click()
    page.wait_for_url("**/my/filings/")
    filing = Filing.objects.get(resident=wang, filed_online=True)
    listed = page.locator("main").inner_text()
    assert f"编号 {filing.number}" in listed and "其他临时外出就医 · 四川省成都市" in listed
    assert fits_the_phone(page) and axe_violations(page) == []
    screenshot(page, f"my-filings-{mode}")

    page.get_by_role("link", name=re.compile(rf"^撤销\s*备案 {filing.number}$")).click()
    page.wait_for_url(f"**/my/filings/{filing.pk}/cancel/")
    assert fits_the_phone(page) and axe_violations(page) == []
    page.get_by_role("button", name="确认撤销备案").click()
    page.wait_for_url("**/my/filings/")
    assert f"备案 {filing.number} 已撤销" in page.locator("main").inner_text()
    filing.refresh_from_db()
    assert filing.status == Filing.Status.CANCELLED and filing.cancelled_online
    assert refused == []
