"""The station's reconciliation list of tax vouchers that matched no enrollment (税务对账): scoped
to the clerk's region, masked, logged, and each voucher resolved once, by enrolling the person
and applying it or by marking it for refund."""

import re
import uuid
from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from enrollment import services
from enrollment.models import Enrollment, Payment, Resident, TaxPaymentImport, TaxVoucher
from portal.network.models import Region
from portal.privacy.id_vault import id_digest
from portal.privacy.models import AccessLogEntry
from portal.shared.vocabulary import Category
from tests.enrollment.collection.test_tax_import import BEIJING, CHEN, LIU, STRANGER, ZHAO, row, run
from tests.logins import otp_login

pytestmark = pytest.mark.django_db

LIST = reverse("station:tax_vouchers")
FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")


def resolve(client, voucher, **data):
    return client.post(reverse("station:tax_voucher_resolve", args=[voucher.pk]), data, follow=True)


def voucher(number: str) -> TaxVoucher:
    return TaxVoucher.objects.get(voucher_number=number)


@pytest.fixture
def vouchers(demo, officer):
    """One voucher of each kind the clerk of 车站街道 resolves, and one for nobody's village."""
    run([row("R-ZHAO", ZHAO, "赵伟"), row("R-CHEN", CHEN, "陈志强", amount="400.00"),
         row("R-STRANGER", STRANGER, "无名氏"), row("R-LIU", LIU, "刘桂英")], user=officer)
    return {number: voucher(number) for number in ("R-ZHAO", "R-CHEN", "R-STRANGER")}


@pytest.fixture
def clerk(clerk_chezhan):
    return otp_login(Client(), clerk_chezhan)


# -- the list --------------------------------------------------------------------------------

def test_the_clerk_sees_the_vouchers_of_the_township_masked_and_the_view_is_logged(vouchers, clerk):
    before = AccessLogEntry.objects.count()

    page = clerk.get(LIST).content.decode()

    assert "R-ZHAO" in page and "R-CHEN" in page
    assert "R-STRANGER" not in page  # registered nowhere: on the importing officer's list
    assert "R-LIU" not in page  # recorded, nothing to reconcile
    assert "370303********" + ZHAO[-4:] in page and not FULL_ID.findall(page)
    assert "该年度未参保登记" in page and "金额与个人应缴不符" in page and "办理参保" in page
    (entry,) = AccessLogEntry.objects.all()[before:]
    assert entry.action == "view_tax_vouchers" and "共 2 人" in entry.detail


def test_a_clerk_of_another_township_sees_none_of_them(vouchers, clerk_other):
    other = otp_login(Client(), clerk_other)

    page = other.get(LIST).content.decode()

    assert not any(number in page for number in ("R-ZHAO", "R-CHEN", "R-STRANGER", "R-LIU"))
    assert "没有待对账的税务缴费凭证" in page
    answer = other.post(reverse("station:tax_voucher_resolve", args=[vouchers["R-ZHAO"].pk]),
                        {"action": "refund", "note": "不是我的"})
    assert answer.status_code == 404 and voucher("R-ZHAO").resolution == ""


def test_the_officer_sees_the_vouchers_of_people_registered_nowhere(vouchers, officer):
    page = otp_login(Client(), officer).get(LIST).content.decode()

    assert "R-STRANGER" in page and "R-ZHAO" in page


def test_the_list_filters_by_reason(vouchers, clerk):
    page = clerk.get(LIST, {"problem": "amount_differs"}).content.decode()

    assert "R-CHEN" in page and "R-ZHAO" not in page
    assert clerk.get(LIST, {"problem": "nonsense"}).status_code == 200


def test_a_long_list_is_paged_by_the_row_before(demo, officer, clerk):
    batch = TaxPaymentImport.objects.create(filename="多.csv", imported_by=officer, rows=60, recorded=0,
                                            already_imported=0, unmatched=60, amount_recorded=0)
    village = Region.objects.get(code="370303001001")
    TaxVoucher.objects.bulk_create([
        TaxVoucher(voucher_number=f"P-{n:03d}", batch=batch, id_digest=f"{n:064d}", id_masked="370303********0000",
                   name="某人", year=2022, amount="410.00", paid_at=datetime(2021, 10, 1, 8, n, tzinfo=BEIJING),
                   tax_office="税务局", region=village, problem=TaxVoucher.Problem.UNKNOWN_PERSON)
        for n in range(55)
    ])

    first = clerk.get(LIST).content.decode()
    after = re.search(r'href="\?after=(\d+)">下一页', first)[1]
    second = clerk.get(LIST, {"after": after}).content.decode()

    assert "P-000" in first and "P-049" in first and "P-050" not in first
    assert "P-050" in second and "P-054" in second and "第 2 / 2 页，共 55 张" in second


# -- resolving -------------------------------------------------------------------------------

def test_enrolling_the_person_then_applying_records_the_tax_payment(vouchers, clerk, clerk_chezhan):
    zhao = Resident.objects.get(id_digest=id_digest(ZHAO))
    refused = resolve(clerk, vouchers["R-ZHAO"], action="apply").content.decode()
    assert "还没有 2022 年度的参保登记" in refused and voucher("R-ZHAO").payment is None
    enrollment = services.enrollment_register(resident=zhao, year=2022, category=Category.ADULT, clerk=clerk_chezhan,
                                              on=date(2021, 10, 25))

    page = resolve(clerk, vouchers["R-ZHAO"], action="apply").content.decode()

    applied = voucher("R-ZHAO")
    payment = enrollment.payments.get()
    assert "已补登入账" in page and payment.receipt_number in page
    assert applied.payment == payment and applied.resolution == TaxVoucher.Resolution.APPLIED
    assert applied.resolved_by == clerk_chezhan and applied.resolved_at is not None
    assert payment.method == Payment.Method.TAX and payment.amount == enrollment.payable
    assert payment.recorded_at == applied.paid_at and payment.recorded_by == clerk_chezhan
    enrollment.refresh_from_db()
    assert enrollment.paid_at == applied.paid_at
    assert "R-ZHAO" not in clerk.get(LIST).content.decode()


def test_a_voucher_whose_amount_differs_cannot_be_applied_and_is_marked_for_refund(vouchers, clerk, clerk_chezhan):
    refused = resolve(clerk, vouchers["R-CHEN"], action="apply").content.decode()
    assert "税款 400.00 元与个人应缴 410.00 元不符" in refused
    assert not Enrollment.objects.get(resident__id_digest=id_digest(CHEN), year=2022).payments.exists()

    no_note = resolve(clerk, vouchers["R-CHEN"], action="refund", note="  ").content.decode()
    assert "请写明退费说明" in no_note and voucher("R-CHEN").resolution == ""
    done = resolve(clerk, vouchers["R-CHEN"], action="refund", note="金额有误，退回后本人重新缴纳").content.decode()

    refunded = voucher("R-CHEN")
    assert "已转退费" in done and refunded.resolution == TaxVoucher.Resolution.REFUND
    assert refunded.resolution_note == "金额有误，退回后本人重新缴纳" and refunded.resolved_by == clerk_chezhan
    assert refunded.payment is None and "R-CHEN" not in clerk.get(LIST).content.decode()


def test_a_resolved_voucher_is_not_resolved_again(vouchers, clerk):
    resolve(clerk, vouchers["R-CHEN"], action="refund", note="退回")

    again = resolve(clerk, vouchers["R-CHEN"], action="apply").content.decode()

    assert "已经处理过（转退费）" in again and voucher("R-CHEN").payment is None


def test_a_voucher_for_someone_who_paid_at_the_counter_meanwhile_goes_to_refund(vouchers, clerk, clerk_chezhan):
    zhao = Resident.objects.get(id_digest=id_digest(ZHAO))
    enrollment = services.enrollment_register(resident=zhao, year=2022, category=Category.ADULT, clerk=clerk_chezhan,
                                              on=date(2021, 10, 25))
    services.payment_record(enrollment=enrollment, amount=enrollment.payable, method="cash",
                            token=uuid.uuid4(), clerk=clerk_chezhan)

    page = resolve(clerk, vouchers["R-ZHAO"], action="apply").content.decode()

    assert "2022 年度已缴费（收据号" in page and enrollment.payments.count() == 1
    assert voucher("R-ZHAO").resolution == ""


def test_a_voucher_paid_after_the_year_ended_can_only_be_refunded(demo, officer, clerk):
    run([row("R-LATE", ZHAO, "赵伟", at="2023-01-03 10:00:00")], user=officer, now=datetime(2023, 2, 1, tzinfo=BEIJING))

    page = resolve(clerk, voucher("R-LATE"), action="apply").content.decode()

    assert "年度结束之后" in page and voucher("R-LATE").problem == TaxVoucher.Problem.YEAR_CLOSED


def test_someone_registered_nowhere_is_registered_enrolled_and_then_applied_by_the_officer(
        vouchers, officer, clerk_chezhan):
    stranger = services.resident_register(id_number=STRANGER, name="无名氏", region=Region.objects.get(code="370303001003"),
                                          clerk=clerk_chezhan, today=date(2021, 10, 25))
    services.enrollment_register(resident=stranger, year=2022, category=Category.ADULT, clerk=clerk_chezhan,
                                 on=date(2021, 10, 25))
    # 410.00 is what the file said and what an adult owes for 2022.
    page = resolve(otp_login(Client(), officer), vouchers["R-STRANGER"], action="apply").content.decode()

    applied = voucher("R-STRANGER")
    assert "已补登入账" in page and applied.resident == stranger and applied.payment.recorded_by == officer


def test_a_bad_request_is_answered_with_what_to_do(vouchers, clerk):
    page = resolve(clerk, vouchers["R-ZHAO"], action="delete").content.decode()

    assert "请选择处理方式" in page and voucher("R-ZHAO").resolution == ""
    assert clerk.get(reverse("station:tax_voucher_resolve", args=[vouchers["R-ZHAO"].pk])).status_code == 405


def test_the_station_navigation_leads_to_the_list(vouchers, clerk):
    page = clerk.get(LIST).content.decode()

    assert 'aria-current="page" href="/station/tax-vouchers/">税务对账<' in page
