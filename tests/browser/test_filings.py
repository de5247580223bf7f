"""A 异地就医备案 in a real browser: a clerk files a referral on the station's form, prints the
proof with its verification QR, and the person finds the filing on the public lookup."""

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_logins import sign_in, watch_policy

pytestmark = pytest.mark.django_db(transaction=True)

WANG = ("王秀兰", "370303195203151223")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_clerk_files_a_referral_prints_it_and_the_lookup_shows_it(page_at, live_server, demo, clerk_chezhan,
                                                                    settings, tmp_path):
    from django.utils import timezone

    from treatment.filings.models import Filing

    settings.PRIVATE_STORAGE_ROOT = tmp_path
    today = timezone.localdate()
    page = page_at("desktop")
    refused = watch_policy(page)
    sign_in(page, live_server, "clerk_chezhan", next_url="/station/treatment/filings/new/")
    page.wait_for_url("**/station/treatment/filings/new/")
    page.get_by_label("参保人身份证号").fill(WANG[1])
    page.get_by_label("备案类型").select_option(label="转诊转院")
    page.get_by_label("就医省份").select_option("北京市")
    page.get_by_label("就医城市").fill("北京市")
    page.get_by_label("开始日期").fill(today.isoformat())
    page.get_by_label("转出医院").fill("淄博市中心医院")
    page.get_by_label("就医医院").fill("北京大学人民医院")
    page.get_by_label("转诊单编号").fill("ZB-2022-0315")
    page.get_by_label("备案材料（可选）").set_input_files(
        files=[{"name": "转诊转院单.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    assert "各类备案要填什么、带什么" in page.locator("main").inner_text()
    screenshot(page, "filing-form-desktop")
    assert axe_violations(page) == []

    page.get_by_role("button", name="办理备案").click()
    page.wait_for_url("**/station/treatment/filings/*/")
    filing = Filing.objects.get(resident__name="王秀兰")
    detail = page.locator("main").inner_text()
    assert f"编号 {filing.number}" in detail and "北京市" in detail and "转诊转院单.pdf" in detail
    assert filing.valid_until is not None and (filing.valid_until - today).days >= 180

    page.get_by_role("link", name="打印备案凭证").click()
    page.wait_for_url(f"**/station/treatment/filings/{filing.pk}/print/")
    proof = page.locator(".receipt")
    text = proof.inner_text()
    assert "异地就医备案凭证" in text and filing.number in text and "王*兰" in text and "370303********1223" in text
    assert "王秀兰" not in text and WANG[1] not in text
    assert f"{today.year}年{today.month}月{today.day}日至" in text
    assert proof.locator(".receipt-qr svg").is_visible()
    screenshot(page, "filing-print-desktop")
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/verify/filing/{filing.verification_code}/")
    assert "备案有效" in page.locator("main").inner_text()

    page.goto(f"{live_server.url}/lookup/")
    page.locator("#id_name").fill(WANG[0])
    page.locator("#id_id_number").fill(WANG[1])
    with page.expect_navigation():
        page.get_by_role("button", name="查询", exact=True).click()
    section = page.locator(".lookup-section", has_text="异地就医备案")
    assert "转诊转院：北京市" in section.inner_text() and "有效" in section.inner_text()
    screenshot(page, "filing-lookup-desktop")
    assert refused == []
