"""救助与认定 and 家庭成员 in 我的医保: the resident's own identities, applications, recognitions,
grants and filings; the household masked, with each member's status in the year that matters."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from enrollment.models import Enrollment, Resident
from enrollment.services import death_record, refund_approve, refund_request
from tests.my_insurance.overview.test_home import text_of
from tests.my_insurance.signing_in import resident_client

pytestmark = pytest.mark.django_db


def test_her_identity_applications_recognition_grant_and_filing_are_shown(full_demo, wang_client):
    text = text_of(wang_client.get(reverse("my_insurance:assistance")))
    assert "低保对象：有效" in text and "民政（张民低〔2021〕15号）" in text and "2021年1月1日起，未定截止日期" in text
    assert "公示中" in text and "已受理，待乡镇审核" in text and "批准金额3200.00元" in text
    # Her own recognised disease may be shown to her.
    assert "高血压（高危）：已认定" in text
    assert "2022年度2003.75元：待审批" in text
    assert "转诊转院，北京市" in text


def test_the_filings_are_linked_to_the_filings_page_of_my_insurance(full_demo, wang_client):
    html = wang_client.get(reverse("my_insurance:assistance")).content.decode()
    assert f'href="{reverse("my_insurance:filings")}"' in html


def test_someone_with_nothing_is_told_so_and_sees_nothing_of_others(full_demo):
    sun = Resident.objects.get(name="孙丽")  # 公园街道: no identity, application or filing
    text = text_of(resident_client(sun).get(reverse("my_insurance:assistance")))
    assert "没有困难群众身份记录" in text and "没有依申请救助记录" in text and "没有门诊慢特病认定记录" in text
    assert "没有异地就医备案" in text
    for hers in ("低保对象", "高血压", "2003.75", "北京市", "张民低"):
        assert hers not in text


def test_the_household_shows_each_member_masked_with_their_status(on_2022_window, wang, wang_client):
    # On 2021-10-15 the year that matters is 2022, being collected: 刘桂英 enrolled and has not paid.
    response = wang_client.get(reverse("my_insurance:household"))
    text = text_of(response)
    assert "本户成员4人，2022年度参保情况" in text
    assert "王*兰（本人）身份证号370303********1223年龄段60周岁及以上2022年度已参保，已缴费" in text
    assert "刘*英身份证号370303********0225年龄段18至59周岁2022年度已参保，还没有缴费" in text
    assert "张*雨" in text and "未满18周岁" in text
    for member in Resident.objects.filter(household=wang.household).exclude(pk=wang.pk):
        assert member.name not in text and member.id_number not in text
    # Her own full name and number are not shown either.
    assert "王秀兰" not in text and "370303195203151223" not in text


def test_a_member_who_died_or_never_enrolled_is_shown_so(on_2022_window, wang, wang_client, clerk_chezhan):
    child = Resident.objects.get(name="张小雨")
    death_record(resident=child, date_of_death=date(2021, 10, 1), clerk=clerk_chezhan, today=on_2022_window)
    refund = refund_request(enrollment=Enrollment.objects.get(resident__name="张建国", year=2022), reason="duplicate",
                            clerk=clerk_chezhan)
    refund_approve(refund=refund, approver=User.objects.get(username="officer"))
    text = text_of(wang_client.get(reverse("my_insurance:household")))
    assert "张*雨身份证号370303********0248年龄段未满18周岁2022年度已去世" in text
    assert "张*国身份证号370303********0119年龄段18至59周岁2022年度未参保" in text


def test_a_resident_of_another_household_sees_only_their_own(full_demo):
    sun = Resident.objects.get(name="孙丽")
    text = text_of(resident_client(sun).get(reverse("my_insurance:household")))
    assert "孙*（本人）" in text
    assert "王*兰" not in text and "张*国" not in text
