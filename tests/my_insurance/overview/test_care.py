"""看病报销 in 我的医保: a year's settlements and manual claims with what each layer paid, the
year's totals, and what is left of the year's deductibles and caps."""

import re

import pytest
from django.db.models import Sum
from django.urls import reverse

from assistance.models import Settlement
from enrollment.models import Resident
from portal.network.models import Region
from tests.factories import staff_user
from tests.my_insurance.overview.test_home import flat, text_of
from tests.my_insurance.signing_in import resident_client
from treatment.claims.models import Claim
from treatment.claims.services import claim_step

pytestmark = pytest.mark.django_db


def standing_of(response, name: str) -> str:
    """The text of one deductible or limit of the year, e.g. "医疗救助年度限额还能支付…"."""
    for row in response.content.decode().split('<li class="standing-row">')[1:]:
        text = flat(row.split("</li>")[0])
        if text.startswith(name):
            return text
    raise AssertionError(f"no row {name}")


def totals_section(response) -> str:
    html = response.content.decode()
    return flat(html[html.index('id="totals-heading"'):html.index("</section>", html.index('id="totals-heading"'))])


def test_the_years_totals_are_the_sums_of_its_settlements(in_2022, full_demo, wang, wang_client):
    response = wang_client.get(reverse("my_insurance:care"))
    assert response.context["year"] == 2022  # the year in force today
    sums = Settlement.objects.filter(person_digest=wang.id_digest, year=2022).aggregate(
        total=Sum("total"), basic=Sum("basic"), catastrophic=Sum("catastrophic"), assistance=Sum("assistance"),
        personal=Sum("personal"))
    totals = response.context["care"].totals
    assert (totals.total, totals.basic, totals.catastrophic, totals.assistance, totals.personal) == (
        sums["total"], sums["basic"], sums["catastrophic"], sums["assistance"], sums["personal"])
    # 160000 + 180; 90000 + 50; 34125; 18112.50; 17762.50 + 130, and reimbursed 90050 + 34125 + 18112.50.
    shown = totals_section(response)
    for text in ("医疗总费用160180.00元", "基本医保90050.00元", "大病保险34125.00元", "医疗救助18112.50元",
                 "个人负担17892.50元", "共报销142287.50元"):
        assert text in shown


def test_each_settlement_is_shown_in_date_order_with_what_each_layer_paid(in_2022, full_demo, wang_client):
    text = text_of(wang_client.get(reverse("my_insurance:care")))
    stay, visit = text.index("2022年3月18日就医结算"), text.index("2022年6月2日就医结算")
    assert stay < visit
    assert "住院，淄博市中心医院。医院已直接结算" in text[stay:visit]
    assert "医疗总费用160000.00元" in text[stay:visit] and "个人负担17762.50元" in text[stay:visit]


def test_the_standing_after_her_settlements_is_what_the_demo_policy_gives(in_2022, full_demo, wang_client):
    response = wang_client.get(reverse("my_insurance:care"), {"year": "2022"})
    assert "按成年居民、低保对象的待遇政策" in text_of(response)
    # Basic: 200000 − 90000. Assistance (低保: no deductible, 70%, cap 30000): the burdens after
    # catastrophic, 150000 − 90000 − 34125 = 25875 and 150 − 50 = 100, earn 25975 × 70% = 18182.50;
    # 30000 − 18182.50 = 11817.50. Catastrophic for 低保 has no cap.
    assert "还能支付110000.00元（年度200000.00元，已用90000.00元）" in standing_of(response, "基本医保年度封顶线")
    assert "还能支付11817.50元（年度30000.00元，已用18182.50元）" in standing_of(response, "医疗救助年度限额")
    assert "不设年度封顶线（已用34125.00元）" in standing_of(response, "大病保险年度封顶线")
    assert "已达到起付线50.00元" in standing_of(response, "普通门诊统筹年度起付线")
    assert "还差500.00元达到起付线" in standing_of(response, "门诊慢特病年度起付线")


def test_a_claim_under_review_is_shown_as_expected_and_counts_once_approved(in_2022, full_demo, clerk_chezhan):
    zhang = Resident.objects.get(name="张建国")
    client = resident_client(zhang)
    claim = Claim.objects.get(resident=zhang, year=2022)
    response = client.get(reverse("my_insurance:care"))
    text = text_of(response)
    entry = text[text.index(f"零星报销{claim.number}"):]
    assert "住院，北京大学人民医院。已受理，待乡镇初审" in entry
    assert "下面是按政策预计的金额，审核未完成，不是最终结果" in entry and "基本医保11720.00元" in entry
    # Not in the year's totals (his April settlement only), said apart as not final.
    assert "医疗总费用320.00元" in totals_section(response)
    assert "另有审核中的零星报销：医疗总费用36000.00元，预计报销13688.00元" in totals_section(response)
    assert "还能支付200000.00元" in standing_of(response, "基本医保年度封顶线")

    officer = staff_user(role="officer", scope=Region.objects.get(code="370303000000"), username="officer_care_test")
    claim_step(claim_id=claim.pk, action="prereview", actor=clerk_chezhan, today=in_2022, notes="材料齐全。")
    claim_step(claim_id=claim.pk, action="approve", actor=officer, today=in_2022)
    response = client.get(reverse("my_insurance:care"))
    entry = text_of(response)[text_of(response).index(f"零星报销{claim.number}"):]
    assert "复审通过，待支付" in entry and "审核未完成" not in entry
    assert "医疗总费用36320.00元" in totals_section(response) and "另有审核中" not in totals_section(response)
    # (30000 − 700) × (60% − 20% outside without a filing) = 11720.00 of the basic cap now used.
    assert "还能支付188280.00元（年度200000.00元，已用11720.00元）" in standing_of(response, "基本医保年度封顶线")


def test_a_year_without_an_enrollment_is_said_and_the_year_in_force_shown(in_2022, wang_client):
    for asked in ("1999", "abc", "２０２２"):
        response = wang_client.get(reverse("my_insurance:care"), {"year": asked})
        assert response.status_code == 200
        assert f"没有“{asked}”年度的参保记录。下面是2022年度的情况" in text_of(response)
    response = wang_client.get(reverse("my_insurance:care"), {"year": "2021"})
    assert "看病报销（2021年度）" in text_of(response) and "没有“" not in text_of(response)
    assert "2021年度还没有就医结算或零星报销记录" in text_of(response)


def test_the_year_links_mark_the_year_shown(in_2022, wang_client):
    html = wang_client.get(reverse("my_insurance:care"), {"year": "2021"}).content.decode()
    assert re.findall(r'href="\?year=(\d+)" aria-current="page"', html) == ["2021"]
    assert 'href="?year=2022"' in html


def test_someone_else_never_sees_her_care(in_2022, full_demo):
    sun = Resident.objects.get(name="孙丽")  # 公园街道, another township
    text = text_of(resident_client(sun).get(reverse("my_insurance:care"), {"year": "2022"}))
    assert "2022年度还没有就医结算或零星报销记录" in text
    for hers in ("淄博市中心医院", "160000.00", "北京大学人民医院", "再救助："):
        assert hers not in text


def test_a_cancelled_year_shows_its_records_but_no_standing(in_2022, full_demo, wang, wang_client, clerk_chezhan):
    from django.contrib.auth.models import User

    from enrollment.models import Enrollment
    from enrollment.services import refund_approve, refund_request

    refund = refund_request(enrollment=Enrollment.objects.get(resident=wang, year=2022), reason="duplicate",
                            clerk=clerk_chezhan)
    refund_approve(refund=refund, approver=User.objects.get(username="officer"))
    text = text_of(wang_client.get(reverse("my_insurance:care"), {"year": "2022"}))
    assert "2022年度没有有效的参保登记，不计算待遇余额。" in text
    assert "2022年3月18日就医结算" in text
