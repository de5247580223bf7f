"""Special payment batches: generated -> pushed -> paid, one fund payment per enrollment, and
marking a batch paid twice records the payments once."""

import io
import uuid
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.batches.resources import PaymentBatchItemResource
from assistance.batches.services import batch_generate, batch_mark_paid, batch_push
from assistance.identities.services import categories_refresh
from assistance.models import PaymentBatch, PaymentBatchItem
from enrollment.models import Enrollment, Payment, Resident
from enrollment.services import enrollment_register, payment_record, resident_register
from portal.network.models import Region
from portal.privacy.id_numbers import ID_NUMBER_PATTERN, make_id_number
from portal.privacy.id_vault import id_digest
from portal.shared.vocabulary import Category
from tests.assistance.identity_helpers import NOBODY, identity, second_officer
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

ZHAO_WEI = make_id_number("370303", date(1990, 3, 3), 55)  # 车站街道, not enrolled for 2022 in the demo
FUND = Payment.Payer.ASSISTANCE_FUND


@pytest.fixture
def chezhan():
    return Region.objects.get(code="370303001000")


@pytest.fixture
def subsidised(demo, officer, clerk_chezhan, on_2022_window):
    """赵伟 (低保, 200 subsidy) and 马春兰 (特困, full 410 subsidy) enrolled for 2022 in 车站街道,
    beside the demo's 王秀兰 (低保, 200 subsidy, her own 210 paid)."""
    checker = second_officer()
    identity(ZHAO_WEI, name="赵伟", document="张民低7号", imported_by=officer, verified_by=checker)
    identity(NOBODY, name="马春兰", category="extreme_poverty", document="张民特3号", imported_by=officer, verified_by=checker)
    categories_refresh(on=on_2022_window)
    ma = resident_register(id_number=NOBODY, name="马春兰", region=Region.objects.get(code="370303001002"),
                           clerk=clerk_chezhan, today=on_2022_window)
    zhao = Resident.objects.get(id_digest=id_digest(ZHAO_WEI))
    return [
        enrollment_register(resident=person, year=2022, category=Category.ADULT, clerk=clerk_chezhan, on=on_2022_window)
        for person in (zhao, ma)
    ]


def test_a_batch_holds_one_record_per_subsidised_enrollment(subsidised, officer, chezhan):
    batch = batch_generate(year=2022, region=chezhan, officer=officer)
    assert batch.status == "generated" and batch.total == Decimal("810.00")
    assert sorted(batch.items.values_list("amount", flat=True)) == [Decimal("200.00"), Decimal("200.00"),
                                                                     Decimal("410.00")]
    with pytest.raises(ValidationError, match="没有待由医疗救助基金缴纳"):
        batch_generate(year=2022, region=chezhan, officer=officer)
    assert PaymentBatch.objects.count() == 1


def test_push_then_paid_records_fund_payments_and_twice_is_once(subsidised, officer, chezhan):
    batch = batch_generate(year=2022, region=chezhan, officer=officer)
    with pytest.raises(ValidationError, match="请先推送该批次"):
        batch_mark_paid(batch=batch, officer=officer)
    assert not Payment.objects.filter(payer=FUND).exists()
    batch_push(batch=batch, officer=officer)
    with pytest.raises(ValidationError, match="只有已生成的批次可以推送"):
        batch_push(batch=batch, officer=officer)
    assert batch_mark_paid(batch=batch, officer=officer) == 3
    assert batch_mark_paid(batch=batch, officer=officer) == 0
    payments = Payment.objects.filter(payer=FUND)
    assert sorted(payments.values_list("amount", flat=True)) == [Decimal("200.00"), Decimal("200.00"),
                                                                  Decimal("410.00")]
    batch.refresh_from_db()
    assert batch.status == "paid" and batch.paid_by == officer
    assert set(PaymentBatchItem.objects.values_list("payment__payer", flat=True)) == {FUND}


def test_a_fund_payment_already_there_is_reused_not_doubled(subsidised, officer, chezhan):
    batch = batch_generate(year=2022, region=chezhan, officer=officer)
    batch_push(batch=batch, officer=officer)
    item = batch.items.get(enrollment=subsidised[0])  # 赵伟's
    # Recorded by another way in between (e.g. a retry that committed): the constraint keeps one.
    Payment.objects.create(enrollment=item.enrollment, payer=FUND, amount=item.amount, method="online",
                           recorded_by=officer, receipt_number="X1", verification_code="v1", idempotency_token=uuid.uuid4())
    assert batch_mark_paid(batch=batch, officer=officer) == 2
    assert Payment.objects.filter(payer=FUND).count() == 3
    assert PaymentBatchItem.objects.get(pk=item.pk).payment.receipt_number == "X1"


def test_the_resident_still_pays_their_own_part_after_the_fund(subsidised, officer, chezhan, clerk_chezhan):
    batch = batch_generate(year=2022, region=chezhan, officer=officer)
    batch_push(batch=batch, officer=officer)
    batch_mark_paid(batch=batch, officer=officer)
    zhao_enrollment = subsidised[0]
    payment_record(enrollment=zhao_enrollment, amount=Decimal("210.00"), method="cash", token=uuid.uuid4(), clerk=clerk_chezhan)
    assert set(zhao_enrollment.payments.values_list("payer", flat=True)) == {"resident", FUND}
    assert Enrollment.objects.get(pk=zhao_enrollment.pk).is_paid


def test_a_clerk_or_an_officer_outside_the_region_cannot_generate(subsidised, clerk_chezhan, chezhan):
    with pytest.raises(PermissionDenied):
        batch_generate(year=2022, region=chezhan, officer=clerk_chezhan)
    other = staff_user(role="officer", scope=Region.objects.get(code="370303002000"), username="park_officer")
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        batch_generate(year=2022, region=chezhan, officer=other)
    assert not PaymentBatch.objects.exists()


def test_the_export_shows_masked_numbers_and_amounts(subsidised, officer, chezhan):
    batch = batch_generate(year=2022, region=chezhan, officer=officer)
    dataset = PaymentBatchItemResource().export(PaymentBatchItem.objects.filter(batch=batch))
    text = dataset.export("csv")
    assert "赵伟" in text and "410.00" in text and "低保对象" in text
    assert not ID_NUMBER_PATTERN.search(text)
    # In XLSX the year and the amount are numbers finance can sum.
    sheet = openpyxl.load_workbook(io.BytesIO(dataset.export("xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2])}
    assert row["资助金额（元）"].data_type == "n" and row["资助金额（元）"].value in (200, 410)  # two people
    assert row["待遇享受年度"].value == 2022


def test_officer_admin_generates_pushes_and_marks_paid(subsidised, officer, chezhan, client):
    client.force_login(officer)
    response = client.post("/admin/assistance/paymentbatch/generate/", {"year": 2022, "region": chezhan.pk})
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302
    for action in ("push_selected", "mark_paid_selected", "mark_paid_selected"):
        client.post("/admin/assistance/paymentbatch/", {"action": action, "_selected_action": [batch.pk]})
    batch.refresh_from_db()
    assert batch.status == "paid" and Payment.objects.filter(payer=FUND).count() == 3
    fields = ("batch", "year", "name", "id_masked", "category", "village", "amount", "receipt")
    export = client.post("/admin/assistance/paymentbatchitem/export/", {
        "format": "0", "resource": "0", **{f"paymentbatchitemresource_{field}": "on" for field in fields},
    })
    body = export.content.decode("utf-8-sig")
    assert export["Content-Type"].startswith("text/csv")
    assert "赵伟" in body and "410.00" in body and not ID_NUMBER_PATTERN.search(body)


# -- the payment notification (enrollment.services.payment_record) ------------------------------

def test_a_recorded_payment_tells_the_resident(demo, clerk_chezhan, outbox, django_capture_on_commit_callbacks, on_2022_window):
    liu = Enrollment.objects.get(resident__name="刘桂英", year=2022)  # enrolled, unpaid
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_record(enrollment=liu, amount=liu.payable, method="cash", token=uuid.uuid4(), clerk=clerk_chezhan)
    assert [(n.phone, n.kind) for n in outbox] == [(liu.resident.phone, "payment_recorded")]
    assert payment.receipt_number in outbox[0].message and f"{liu.payable}" in outbox[0].message
    assert not ID_NUMBER_PATTERN.search(outbox[0].message)
