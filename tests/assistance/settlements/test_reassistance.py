"""Re-assistance (再救助) from the year's settlements, by the benefit policy's rule (DESIGN.md
sections 6.5 and 7: threshold 5,000, 70%, cap 20,000 for all five categories)."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from assistance.models import ReassistanceGrant
from assistance.settlements.imports import SettlementRow, settlements_import
from assistance.settlements.rules import HeldSettlement, SettlementAmounts, reassistance_as_held, reassistance_for
from assistance.settlements.services import (
    PaymentConfirmation,
    reassistance_approve,
    reassistance_compute,
    reassistance_mark_paid,
    reassistance_payments_confirm,
)
from benefits.demo import demo_policy_2022
from benefits.rules import Visit, estimate
from portal.shared.vocabulary import AssistanceCategory, Category
from tests.assistance.case_helpers import WANG, region, set_category

D = Decimal
RULE = demo_policy_2022().reassistance
LOW = AssistanceCategory.MINIMUM_LIVING
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _year(*burdens: str, kind: str = "inpatient") -> list[SettlementAmounts]:
    # A settlement whose burden after the three layers is exactly ``burden``.
    return [SettlementAmounts(kind, D(b) + D("1000.00"), D("1000.00"), D("0.00"), D("0.00")) for b in burdens]


@pytest.mark.parametrize(("burdens", "base", "amount"), [
    (["4000.00"], "4000.00", "0.00"),  # below the 5,000 threshold
    (["5000.00"], "5000.00", "0.00"),  # at it
    (["8000.00", "4000.00"], "12000.00", "4900.00"),  # (12000 − 5000) × 70%
    (["7862.50"], "7862.50", "2003.75"),  # the demo: (7862.50 − 5000) × 70%
    (["40000.00"], "40000.00", "20000.00"),  # 24,500 capped at 20,000
    (["5000.01"], "5000.01", "0.01"),  # 0.007 rounds half up to 0.01
])
def test_hand_worked_amounts(burdens, base, amount):
    result = reassistance_for(RULE, assistance=LOW, settlements=_year(*burdens))
    assert (result.base, result.amount) == (D(base), D(amount))


def test_maternity_takes_no_part_as_in_the_engine():
    settlements = _year("8000.00") + _year("3000.00", kind="maternity")
    assert reassistance_for(RULE, assistance=LOW, settlements=settlements).base == D("8000.00")


def test_no_category_or_a_category_the_rule_leaves_out_has_no_right():
    assert reassistance_for(RULE, assistance=None, settlements=_year("9000.00")) is None
    narrow = type(RULE)(categories=frozenset({AssistanceCategory.EXTREME_POVERTY}), threshold=RULE.threshold,
                        rate=RULE.rate, cap=RULE.cap)
    assert reassistance_for(narrow, assistance=LOW, settlements=_year("9000.00")) is None
    assert reassistance_for(None, assistance=LOW, settlements=_year("9000.00")) is None


@pytest.mark.parametrize("category", list(AssistanceCategory))
def test_the_same_amount_as_the_benefit_engine_for_the_same_visits(category):
    visits = [Visit("inpatient", D("160000.00"), D("150000.00"), level=3),
              Visit("chronic", D("9000.00"), D("8000.00")),
              Visit("outpatient", D("400.00"), D("300.00"))]
    result = estimate(demo_policy_2022(), category=Category.ADULT, assistance=category, visits=visits)
    settlements = [SettlementAmounts(v.visit.kind.value, v.visit.policy_range, v.basic, v.catastrophic, v.assistance)
                   for v in result.visits]
    assert reassistance_for(RULE, assistance=category, settlements=settlements).amount == result.totals.reassistance


# -- Computing, approving and exporting -------------------------------------------------------

TODAY = date(2022, 12, 31)


def _settle(burden: str, day: str = "2022-03-01"):
    policy_range = str(D(burden) + D("10000.00"))
    row = SettlementRow(2, (WANG, day, "淄博市中心医院", "住院", policy_range, policy_range, "10000.00", "0", "0", burden))
    assert settlements_import(rows=[row], user=None, today=TODAY, dry_run=False).errors == []


@pytest.mark.django_db
def test_computed_from_the_settlements_by_the_published_policy(demo, demo_policies, wang):
    set_category(wang, "minimum_living")
    _settle("8000.00")
    _settle("4000.00", day="2022-05-01")
    report = reassistance_compute(year=2022, city=region("370300000000"))
    grant = ReassistanceGrant.objects.get()
    assert report.computed == 1
    assert (grant.base, grant.amount, grant.status, grant.assistance_category) == (
        D("12000.00"), D("4900.00"), "computed", "minimum_living")


@pytest.mark.django_db
def test_a_year_is_computed_by_that_years_policy(demo, demo_policies, wang):
    set_category(wang, "minimum_living")
    _settle("8000.00", day="2021-06-01")
    reassistance_compute(year=2021, city=region("370300000000"))
    grant = ReassistanceGrant.objects.get()
    assert (grant.policy.year, grant.policy.two_diseases_rate, grant.amount) == (2021, D("0.50"), D("2100.00"))


@pytest.mark.django_db
def test_only_the_visits_made_while_holding_a_category_count(demo, demo_policies, wang):
    # 低保 from 1 May 2022: the stay of March (8,000) counts for nothing, the one of June does.
    set_category(wang, "minimum_living", valid_from=date(2022, 5, 1))
    _settle("8000.00", day="2022-03-01")
    _settle("9000.00", day="2022-06-01")
    reassistance_compute(year=2022, city=region("370300000000"))
    grant = ReassistanceGrant.objects.get()
    assert (grant.base, grant.amount, grant.assistance_category) == (D("9000.00"), D("2800.00"), "minimum_living")


@pytest.mark.django_db
def test_a_category_from_a_later_year_gives_no_right_for_this_one(demo, demo_policies, wang):
    # Today 王秀兰 is 特困 (from 2026); in 2022 she held nothing.
    set_category(wang, "extreme_poverty", valid_from=date(2026, 1, 1))
    _settle("8000.00")
    assert reassistance_compute(year=2022, city=region("370300000000")).not_eligible == 1
    assert not ReassistanceGrant.objects.exists()


@pytest.mark.django_db
def test_a_revoked_identity_counts_up_to_the_day_before_its_revocation(demo, demo_policies, wang, officer):
    from assistance.identities.services import identity_revoke
    from assistance.models import AssistanceIdentity

    set_category(wang, "minimum_living", valid_from=date(2022, 1, 1))
    revoked = identity_revoke(identity=AssistanceIdentity.objects.get(id_digest=wang.id_digest), officer=officer,
                              reason="民政部门通知已退出低保", on=date(2022, 6, 1))
    AssistanceIdentity.objects.filter(pk=revoked.pk).update(revoked_at=datetime(2022, 6, 1, 9, tzinfo=SHANGHAI))
    _settle("8000.00", day="2022-05-31")  # the last day held: counts
    _settle("9000.00", day="2022-06-01")  # the day of the revocation: does not
    reassistance_compute(year=2022, city=region("370300000000"))
    assert ReassistanceGrant.objects.get().base == D("8000.00")


@pytest.mark.parametrize(("held", "base", "amount"), [
    ((LOW, LOW), "17000.00", "8400.00"),  # both stays count: (17000 − 5000) × 70%
    ((None, LOW), "9000.00", "2800.00"),  # the first stay was before the category
    ((LOW, None), "8000.00", "2100.00"),  # the second after it ended
    ((None, None), None, None),
])
def test_re_assistance_as_held_counts_only_the_settlements_held(held, base, amount):
    settlements = [HeldSettlement(category, amounts) for category, amounts in zip(held, _year("8000.00", "9000.00"))]
    result = reassistance_as_held(RULE, settlements)
    if base is None:
        assert result is None
    else:
        assert (result[0], result[1].base, result[1].amount) == (LOW, D(base), D(amount))


@pytest.mark.django_db
def test_people_without_a_category_get_nothing(demo, demo_policies, wang):
    _settle("8000.00")
    assert reassistance_compute(year=2022, city=region("370300000000")).not_eligible == 1
    assert not ReassistanceGrant.objects.exists()


@pytest.mark.django_db
def test_without_a_published_policy_the_officer_is_told(demo_policies, wang):
    from benefits.models import BenefitPolicy

    BenefitPolicy.objects.filter(year=2022).update(status=BenefitPolicy.Status.DRAFT)
    with pytest.raises(ValidationError, match="还没有发布待遇政策"):
        reassistance_compute(year=2022, city=region("370300000000"))


@pytest.mark.django_db
def test_an_approved_grant_is_never_recomputed(demo, demo_policies, wang, officer):
    set_category(wang, "minimum_living")
    _settle("8000.00")
    city = region("370300000000")
    reassistance_compute(year=2022, city=city)
    assert reassistance_approve(grant_ids=[ReassistanceGrant.objects.get().pk], officer=officer) == 1
    _settle("4000.00", day="2022-05-01")
    assert reassistance_compute(year=2022, city=city).approved_kept == 1
    grant = ReassistanceGrant.objects.get()
    assert (grant.amount, grant.status, grant.approved_by) == (D("2100.00"), "approved", officer)


@pytest.mark.django_db
def test_a_clerk_cannot_approve(demo, demo_policies, wang, clerk_chezhan):
    set_category(wang, "minimum_living")
    _settle("8000.00")
    reassistance_compute(year=2022, city=region("370300000000"))
    with pytest.raises(ValidationError, match="审批人员"):
        reassistance_approve(grant_ids=[ReassistanceGrant.objects.get().pk], officer=clerk_chezhan)
    assert ReassistanceGrant.objects.get().status == "computed"


@pytest.mark.django_db
def test_an_officer_of_another_county_approves_nothing_here(demo, demo_policies, wang):
    from tests.factories import staff_user

    set_category(wang, "minimum_living")
    _settle("8000.00")
    reassistance_compute(year=2022, city=region("370300000000"))
    other = staff_user(role="officer", scope=region("370302000000"), username="officer_zichuan")
    assert reassistance_approve(grant_ids=[ReassistanceGrant.objects.get().pk], officer=other) == 0


@pytest.mark.django_db
def test_officers_approve_and_export_in_the_admin_with_masked_ids(demo, demo_policies, wang, officer, client):
    set_category(wang, "minimum_living")
    _settle("8000.00")
    reassistance_compute(year=2022, city=region("370300000000"))
    pk = ReassistanceGrant.objects.get().pk
    client.force_login(officer)
    url = "/admin/assistance/reassistancegrant/"
    client.post(url, {"action": "approve", "_selected_action": [pk]})
    assert ReassistanceGrant.objects.get().status == "approved"
    export = client.post(url, {"action": "export_csv", "_selected_action": [pk]})
    text = export.content.decode("utf-8-sig")
    assert "370303********1223" in text and WANG not in text and "2100.00" in text


@pytest.mark.django_db
def test_officers_compute_from_the_admin_page(demo, demo_policies, wang, officer, client):
    set_category(wang, "minimum_living")
    _settle("8000.00")
    client.force_login(officer)
    response = client.post("/admin/assistance/reassistancegrant/compute/", {"year": "2022"}, follow=True)
    assert "计算再救助 1 人" in response.content.decode()
    assert ReassistanceGrant.objects.get().amount == D("2100.00")


_burdens = st.lists(st.decimals(min_value=0, max_value=200000, places=2), min_size=1, max_size=8)


@given(burdens=_burdens, held=st.lists(st.sampled_from([None, *AssistanceCategory]), min_size=8, max_size=8))
def test_re_assistance_as_held_is_the_rule_on_the_settlements_held(burdens, held):
    settlements = [HeldSettlement(category, amounts) for category, amounts in zip(held, _year(*map(str, burdens)))]
    counted = [s.amounts for s in settlements if s.category in RULE.categories]
    result = reassistance_as_held(RULE, settlements)
    if not counted:
        assert result is None
        return
    expected = reassistance_for(RULE, assistance=result[0], settlements=counted)
    assert result[1] == expected
    # Held all year in one category, it is the one-category rule on every settlement.
    same = [HeldSettlement(result[0], s.amounts) for s in settlements]
    assert reassistance_as_held(RULE, same)[1] == reassistance_for(RULE, assistance=result[0],
                                                                     settlements=[s.amounts for s in settlements])


# -- Paying: the export finance pays from, and its confirmation back --------------------------


@pytest.fixture
def approved(demo, demo_policies, wang, officer, client):
    set_category(wang, "minimum_living")
    _settle("8000.00")
    reassistance_compute(year=2022, city=region("370300000000"))
    grant = ReassistanceGrant.objects.get()
    client.force_login(officer)
    client.post("/admin/assistance/reassistancegrant/", {"action": "approve", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    assert grant.status == "approved"
    return grant


def _confirmation(*rows, name="回执.csv") -> SimpleUploadedFile:
    lines = ["业务编号,金额,发放日期,财务凭证号", *(",".join(row) for row in rows)]
    return SimpleUploadedFile(name, ("\ufeff" + "\n".join(lines) + "\n").encode())


def test_the_xlsx_export_has_numbers_dates_and_what_finance_needs(approved, client):
    export = client.post("/admin/assistance/reassistancegrant/", {"action": "export_xlsx",
                                                                   "_selected_action": [approved.pk]})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    header, row = [cell.value for cell in sheet[1]], sheet[2]
    values = dict(zip(header, (cell.value for cell in row)))
    assert values["业务编号"] == approved.reference and values["收款人"] == "王秀兰"
    assert values["年度"] == 2022 and values["再救助金额（元）"] == 2100
    amount_cell = row[header.index("再救助金额（元）")]
    assert amount_cell.data_type == "n" and amount_cell.number_format == "0.00"
    assert values["用途"] == "2022 年度医疗再救助"
    assert values["收款账号"] in (None, "")  # none recorded for her


def test_the_export_pays_to_the_account_recorded(approved, client):
    from enrollment.services import payout_account_set

    resident = approved.resident
    payout_account_set(resident, "6217001234567890123")
    resident.save()
    export = client.post("/admin/assistance/reassistancegrant/", {"action": "export_csv",
                                                                   "_selected_action": [approved.pk]})
    assert "6217001234567890123" in export.content.decode("utf-8-sig")


def test_finance_confirmation_marks_the_grants_paid_all_or_nothing(approved, client, officer):
    url = reverse("admin:assistance_reassistancegrant_confirm_payments")
    paid_on = timezone.localdate()  # approved today: paid today at the earliest
    good = (approved.reference, "2100.00", paid_on.isoformat(), "CW-0007")
    wrong = ("ZJ2022-9999999", "10.00", paid_on.isoformat(), "CW-0008")
    page = client.post(url, {"file": _confirmation(good, wrong)}).content.decode()
    assert "不是您管辖范围内的再救助" in page and "什么都没有登记" in page
    approved.refresh_from_db()
    assert approved.status == "approved"
    page = client.post(url, {"file": _confirmation((approved.reference, "2000.00", paid_on.isoformat(), ""))}).content.decode()
    assert "金额应为 2100.00 元" in page
    early = client.post(url, {"file": _confirmation((approved.reference, "2100.00", "2022-12-20", ""))}).content.decode()
    assert "早于审批日期" in early
    assert "1 条可登记" in client.post(url, {"file": _confirmation(good), "dry_run": "on"}).content.decode()
    approved.refresh_from_db()
    assert approved.status == "approved"
    client.post(url, {"file": _confirmation(good)})
    approved.refresh_from_db()
    assert (approved.status, approved.paid_on, approved.paid_voucher, approved.paid_recorded_by) == (
        "paid", paid_on, "CW-0007", officer)
    assert approved.history.latest().history_change_reason == "财务回执：CW-0007"
    again = client.post(url, {"file": _confirmation(good)}).content.decode()
    assert f"已于 {paid_on} 登记发放" in again


def test_a_grant_not_approved_is_not_paid(demo, demo_policies, wang, officer):
    set_category(wang, "minimum_living")
    _settle("8000.00")
    reassistance_compute(year=2022, city=region("370300000000"))
    grant = ReassistanceGrant.objects.get()
    row = PaymentConfirmation(2, grant.reference, grant.amount, date(2022, 12, 20), "")
    count, problems = reassistance_payments_confirm(rows=[row], officer=officer, today=date(2022, 12, 31), dry_run=False)
    assert count == 0 and "还没有审批" in problems[0]
    assert reassistance_mark_paid(grant_ids=[grant.pk], officer=officer, paid_on=date(2022, 12, 20)) == 0


def test_an_officer_marks_paid_in_their_own_scope_only(approved, client):
    from tests.factories import staff_user

    zichuan = staff_user(role="officer", scope=region("370302000000"), username="o_zc_paid")
    assert reassistance_mark_paid(grant_ids=[approved.pk], officer=zichuan, paid_on=timezone.localdate()) == 0
    client.post("/admin/assistance/reassistancegrant/", {"action": "mark_paid_today", "_selected_action": [approved.pk]})
    approved.refresh_from_db()
    assert approved.status == "paid" and approved.paid_on is not None


def test_a_decided_grant_is_never_recomputed_and_a_grant_no_longer_due_goes(approved, officer):
    from assistance.models import AssistanceIdentity

    reassistance_mark_paid(grant_ids=[approved.pk], officer=officer, paid_on=timezone.localdate())
    _settle("4000.00", day="2022-05-01")  # more burden after the payment
    report = reassistance_compute(year=2022, city=region("370300000000"))
    approved.refresh_from_db()
    assert (approved.status, approved.amount, report.approved_kept) == ("paid", D("2100.00"), 1)
    # A computed grant of someone whose category turns out to start later is withdrawn.
    ReassistanceGrant.objects.update(status="computed", approved_by=None, approved_at=None, paid_on=None,
                                     paid_recorded_by=None)
    AssistanceIdentity.objects.update(valid_from=date(2023, 1, 1))
    assert reassistance_compute(year=2022, city=region("370300000000")).not_eligible == 1
    assert not ReassistanceGrant.objects.exists()
