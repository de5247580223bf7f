"""What a walk-through as each user found, seen in a real browser: the home page's collection
notice, notices of other places marked, a receipt with the point and the amount in capitals,
an application showing only the steps the clerk may take, the export page in Chinese."""

import uuid
from datetime import date

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_logins import enter_code, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_2022_window(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2021, 10, 15))


def test_a_resident_sees_the_open_collection_first_and_which_notices_are_from_elsewhere(
        page_at, live_server, demo, on_2022_window):
    page = page_at("phone")
    page.goto(live_server.url + "/")
    notice = page.locator(".home-notice")
    assert "淄博市 2022 年度居民医保正在集中缴费" in notice.inner_text() and "缴费截止 2021年12月31日" in notice.inner_text()
    assert notice.bounding_box()["y"] < page.locator(".service-tile").first.bounding_box()["y"]
    screenshot(page, "walkthrough-home-phone")
    assert axe_violations(page) == []
    page.goto(live_server.url + "/notices/")
    jiaozuo = page.locator(".notice-item", has_text="焦作")
    assert "外地文件，仅供参考" in jiaozuo.inner_text()


def test_a_clerk_prints_a_receipt_with_the_point_and_the_amount_in_capitals(page_at, live_server, demo, clerk_chezhan,
                                                                           on_2022_window):
    from enrollment.models import Enrollment
    from enrollment.services import payment_record

    enrollment = Enrollment.objects.get(resident__name="刘桂英", year=2022)
    payment = payment_record(enrollment=enrollment, amount=enrollment.payable, method="cash", token=uuid.uuid4(),
                             clerk=clerk_chezhan)
    page = page_at("desktop")
    sign_in(page, live_server, "clerk_chezhan", next_url=f"/station/payments/{payment.pk}/receipt/")
    page.wait_for_url(f"**/station/payments/{payment.pk}/receipt/")
    receipt = page.locator(".receipt").inner_text()
    assert "人民币（大写）肆佰壹拾元整" in receipt.replace(" ", "")
    assert "车站街道医保工作站" in receipt
    screenshot(page, "walkthrough-receipt-desktop")


def test_a_clerk_is_offered_only_the_steps_they_may_take(page_at, live_server, demo, clerk_chezhan):
    from enrollment.models import Resident
    from tests.assistance.case_helpers import submit

    application = submit(Resident.objects.get(name="王秀兰"), clerk_chezhan)
    page = page_at("phone")
    sign_in(page, live_server, "clerk_chezhan", next_url=f"/station/assistance/applications/{application.pk}/")
    page.wait_for_url(f"**/applications/{application.pk}/")
    assert page.get_by_role("button", name="乡镇审核通过").count() == 0
    assert "须由其他工作人员办理" in page.locator("main").inner_text()
    screenshot(page, "walkthrough-application-phone")


def test_an_officer_chooses_export_fields_by_their_chinese_names(page_at, live_server, demo, officer):
    page = page_at("desktop")
    sign_in(page, live_server, "officer")
    enter_code(page)
    page.goto(f"{live_server.url}/admin/enrollment/contributionstandard/export/")
    assert page.get_by_label("成年居民个人缴费").count() == 1
    assert "Contribution Adult" not in page.locator("#content").inner_text()
