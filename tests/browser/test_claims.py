"""A manual claim (零星报销) in a real browser, from recording to payment: a clerk of 车站街道
records 张建国's emergency stay in 北京市 on the station's form, another clerk of the township
pre-reviews it, an officer of 张店区 reviews it, and the city's officer exports the payment list
and records the payment. The expected amount, (20000 − 700) × (60% − 20%) = 7720.00, is shown at
every step."""

import io
from datetime import date

import openpyxl
import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_logins import enter_code, sign_in, watch_policy

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = "370303196804020119"  # 张建国, 华光路社区, 车站街道
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
AMOUNT = "7720.00"


def expected_amount_shown(page) -> None:
    assert page.locator(".claim-reimbursed").inner_text() == AMOUNT
    assert "(20000.00 − 700.00) × 40% = 7720.00 元" in page.locator(".claim-lines").inner_text()


def test_a_claim_goes_from_the_station_form_to_payment_with_its_amount_at_every_step(
        page_at, live_server, demo, demo_policies, clerk_chezhan, monkeypatch, settings, tmp_path):
    from django.utils import timezone

    from assistance.demo import SECOND_OFFICER
    from portal.accounts.roles import CLERK
    from portal.network.demo import demo_staff_give
    from treatment.claims.models import Claim

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2022, 12, 31))
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    demo_staff_give("clerk_chezhan_2", "周", "初审", CLERK, "370303001000")
    demo_staff_give(*SECOND_OFFICER)

    # The township's clerk records the claim.
    page = page_at("desktop")
    refused = watch_policy(page)
    sign_in(page, live_server, "clerk_chezhan", next_url="/station/treatment/claims/new/")
    page.wait_for_url("**/station/treatment/claims/new/")
    page.get_by_label("申请人身份证号").fill(ZHANG)
    page.get_by_label("待遇年度").fill("2022")
    page.get_by_label("未能直接结算的原因").select_option(label="异地急诊抢救，未能直接结算")
    page.locator("#id_visits-0-kind").select_option(label="住院")
    page.locator("#id_visits-0-visited_on").fill("2022-07-05")
    page.locator("#id_visits-0-left_on").fill("2022-07-19")
    page.locator("#id_visits-0-invoice_number").fill("11002211000012345678")
    page.locator("#id_visits-0-hospital").fill("北京大学人民医院")
    page.locator("#id_visits-0-level").select_option(label="三级")
    page.locator("#visit-1").get_by_label("异地（统筹区外）").check()
    page.locator("#id_visits-0-treatment_city").fill("北京市")
    page.locator("#id_visits-0-total").fill("22000.00")
    page.locator("#id_visits-0-policy_range").fill("20000.00")
    page.get_by_label("报销材料（可选）").set_input_files(
        files=[{"name": "发票和费用清单.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    screenshot(page, "claim-form-desktop")
    assert axe_violations(page) == []
    page.get_by_role("button", name="提交并核算").click()
    page.wait_for_url("**/station/treatment/claims/*/")
    claim = Claim.objects.get()
    claim_url = f"{live_server.url}/station/treatment/claims/{claim.pk}/"
    assert f"核算应报销 {AMOUNT} 元" in page.locator(".alert-success").inner_text()
    expected_amount_shown(page)
    assert "发票和费用清单.pdf" in page.locator("main").inner_text()
    assert "须由其他工作人员办理" in page.locator("main").inner_text()  # not the recorder's to pre-review
    screenshot(page, "claim-recorded-desktop")
    assert axe_violations(page) == []

    # Another clerk of 车站街道 pre-reviews it.
    page = page_at("phone")
    refused += watch_policy(page)
    sign_in(page, live_server, "clerk_chezhan_2", next_url=f"/station/treatment/claims/{claim.pk}/")
    page.wait_for_url(f"**/claims/{claim.pk}/")
    expected_amount_shown(page)
    page.get_by_label("填写初审意见（必填）").fill("发票原件、费用清单、出院小结齐全，急诊属实。")
    page.get_by_role("button", name="乡镇初审通过").click()
    page.wait_for_url(f"**/claims/{claim.pk}/")
    assert page.locator(".claim-status").inner_text() == "乡镇初审通过，待县级复审"
    expected_amount_shown(page)
    screenshot(page, "claim-prereviewed-phone")
    assert axe_violations(page) == []

    # An officer of 张店区 reviews it, from the admin's page of the claim.
    page = page_at("desktop")
    refused += watch_policy(page)
    sign_in(page, live_server, "officer_county")
    enter_code(page)
    page.goto(f"{live_server.url}/admin/treatment/claim/{claim.pk}/change/")
    assert "370303********0119" in page.locator("#content").inner_text()
    page.get_by_role("link", name="到复审页面办理（复审通过、退回、不予报销、登记支付）").click()
    page.wait_for_url(f"**/claims/{claim.pk}/")
    expected_amount_shown(page)
    page.get_by_role("button", name="县级复审通过").click()
    page.wait_for_url(f"**/claims/{claim.pk}/")
    assert page.locator(".claim-status").inner_text() == "复审通过，待支付"
    expected_amount_shown(page)
    assert "上一步由您本人办理" in page.locator("main").inner_text()
    screenshot(page, "claim-approved-desktop")

    # The city's officer exports the payment list, then records the fund's payment.
    page = page_at("desktop")
    refused += watch_policy(page)
    sign_in(page, live_server, "officer")
    enter_code(page)
    page.goto(f"{live_server.url}/station/treatment/claims/")
    assert claim.number in page.locator("table").inner_text()  # waiting for the city's officer
    with page.expect_download() as download:
        page.get_by_role("link", name="导出待支付名单（Excel）").click()
    rows = list(openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active.iter_rows(
        values_only=True))
    assert rows[1][:5] == (claim.number, "370303********0119", "张建国", None, 7720)
    # The clock dated the approval today; the payment on 31 December 2022 comes after it.
    from tests.treatment.claims.conftest import steps_dated

    steps_dated(claim, date(2022, 12, 30))
    page.goto(claim_url)
    expected_amount_shown(page)
    page.get_by_label("支付凭证号（必填）").fill("ZF-2022-1231-01")
    page.get_by_role("button", name="登记已支付").click()
    page.wait_for_url(f"**/claims/{claim.pk}/")
    main = page.locator("main").inner_text()
    assert page.locator(".claim-status").inner_text() == "已支付"
    assert f"{AMOUNT} 元，2022年12月31日，凭证号 ZF-2022-1231-01" in main
    expected_amount_shown(page)
    screenshot(page, "claim-paid-desktop")
    assert axe_violations(page) == []
    assert refused == []
