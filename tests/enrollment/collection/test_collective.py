"""集体代缴, the service: one payment for a group, each person with their own receipt, all or
nothing, and a second submit of the same form recording nothing twice."""

import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from enrollment import services
from enrollment.collection.collective import collective_payment_record
from enrollment.models import CollectivePayment, Enrollment, Payment, RollImport
from portal.network.models import Region
from portal.privacy.id_numbers import make_id_number
from portal.shared.vocabulary import Category

pytestmark = pytest.mark.django_db

GONGQINGTUAN = "370303001002"  # a village of 车站街道
WINDOW = date(2021, 10, 15)  # inside the demo's 2022 collection window


def unpaid_people(clerk, count: int, *, village: str = GONGQINGTUAN, first: int = 0, year: int = 2022,
                  roll: RollImport | None = None) -> list[Enrollment]:
    """``count`` residents of ``village`` enrolled for ``year`` and not paid, adults (410.00 in 2022)."""
    region = Region.objects.get(code=village)
    enrollments = []
    for n in range(first, first + count):
        resident = services.resident_register(
            id_number=make_id_number(village[:6], date(1980, 1, 1 + n % 28), 100 + n), name=f"代缴{n}",
            region=region, clerk=clerk, phone=f"1390533{n:04d}", today=WINDOW,
        )
        enrollments.append(services.enrollment_register(
            resident=resident, year=year, category=Category.ADULT, clerk=clerk,
            on=WINDOW if year == 2022 else date(2020, 10, 15),
        ))
    if roll is not None:
        Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(roll_import=roll)
        for enrollment in enrollments:
            enrollment.roll_import = roll
    return enrollments


def a_roll(clerk, *, year: int = 2022, people: int = 0) -> RollImport:
    return RollImport.objects.create(
        token=uuid.uuid4().hex, imported_by=clerk, year=year, filename="实验小学.xlsx", rows=people,
        new_residents=people, existing_residents=0, enrollments=people, payable_total=Decimal("410.00") * people,
    )


def record(enrollments, clerk, *, total=None, token=None, **overrides):
    arguments = {
        "enrollment_ids": [e.pk for e in enrollments], "payer_name": "淄博市张店区实验小学", "method": "bank_card",
        "confirmed_total": sum((e.payable for e in enrollments), Decimal("0.00")) if total is None else total,
        "token": token or uuid.uuid4(), "clerk": clerk,
    }
    return collective_payment_record(**{**arguments, **overrides})


def refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_a_group_is_paid_at_once_and_each_person_has_a_receipt_of_their_own(
        clerk_chezhan, outbox, django_capture_on_commit_callbacks):
    people = unpaid_people(clerk_chezhan, 3)

    with django_capture_on_commit_callbacks(execute=True):
        collective = record(people, clerk_chezhan)

    assert (collective.people, collective.total, collective.year) == (3, Decimal("1230.00"), 2022)
    assert collective.region.code == "370303001000"  # the clerk's scope, whose list it is on
    assert collective.payer_name == "淄博市张店区实验小学" and collective.method == "bank_card"
    payments = list(Payment.objects.filter(collective=collective).order_by("pk"))
    assert [p.enrollment_id for p in payments] == [e.pk for e in people]
    assert all(p.amount == Decimal("410.00") and p.payer == "resident" and p.method == "bank_card" for p in payments)
    # Each its own number, as a payment at the counter gets: year, township, the payment's id.
    assert [p.receipt_number for p in payments] == [f"2022370303001{p.pk:08d}" for p in payments]
    assert len({p.verification_code for p in payments} | {p.idempotency_token for p in payments}) == 6
    assert all(Enrollment.objects.get(pk=e.pk).paid_at == collective.recorded_at for e in people)
    assert [n.kind for n in outbox] == ["payment_recorded"] * 3
    assert payments[0].receipt_number in outbox[0].message and "410.00 元" in outbox[0].message


def test_the_same_form_submitted_again_returns_the_first_payment_and_records_nothing(clerk_chezhan):
    people = unpaid_people(clerk_chezhan, 2)
    token = uuid.uuid4()

    first = record(people, clerk_chezhan, token=token)
    again = record(people, clerk_chezhan, token=token)

    assert again.pk == first.pk
    assert CollectivePayment.objects.filter(token=token).count() == 1
    assert Payment.objects.filter(enrollment__in=people).count() == 2


def test_a_token_reused_for_other_people_is_refused(clerk_chezhan):
    people = unpaid_people(clerk_chezhan, 3)
    token = uuid.uuid4()
    record(people[:2], clerk_chezhan, token=token)

    with pytest.raises(ValidationError, match="提交令牌"):
        record(people[2:], clerk_chezhan, token=token)

    assert not Enrollment.objects.get(pk=people[2].pk).is_paid


def test_one_person_already_paid_refuses_the_whole_group_and_names_them(clerk_chezhan, outbox,
                                                                       django_capture_on_commit_callbacks):
    people = unpaid_people(clerk_chezhan, 3)
    paid_alone = services.payment_record(enrollment=people[1], amount=people[1].payable, method="cash",
                                         token=uuid.uuid4(), clerk=clerk_chezhan)
    outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        record(people, clerk_chezhan, total=Decimal("1230.00"))

    message = refusal(refused.value)
    assert "集体代缴没有记录" in message and "已缴费" in message
    assert "代缴1" in message and paid_alone.receipt_number in message and "代缴0" not in message
    assert "移出名单" in message  # what to do about it
    assert not CollectivePayment.objects.exists()
    assert Payment.objects.filter(enrollment__in=people).count() == 1
    assert Enrollment.objects.filter(pk__in=[people[0].pk, people[2].pk], paid_at__isnull=True).count() == 2
    assert outbox == []  # nobody is told of a payment that was not recorded


def test_a_total_that_differs_from_what_is_due_is_refused_with_the_total_to_confirm(clerk_chezhan):
    people = unpaid_people(clerk_chezhan, 2)

    with pytest.raises(ValidationError) as refused:
        record(people, clerk_chezhan, total=Decimal("1230.00"))

    errors = refused.value.message_dict
    assert "confirmed_total" in errors
    assert "合计现为 820.00 元" in errors["confirmed_total"][0] and "1230.00 元不符" in errors["confirmed_total"][0]
    assert not CollectivePayment.objects.exists() and not Payment.objects.filter(enrollment__in=people).exists()


def test_people_outside_the_clerks_scope_are_refused_without_being_named(clerk_chezhan, clerk_other):
    people = unpaid_people(clerk_chezhan, 2)

    with pytest.raises(ValidationError) as refused:
        record(people, clerk_other)

    message = refusal(refused.value)
    assert "不在您的管辖范围内" in message and "代缴0" not in message
    assert str(people[0].pk) in message
    assert not CollectivePayment.objects.exists()
    assert not Enrollment.objects.filter(pk__in=[e.pk for e in people], paid_at__isnull=False).exists()


def test_an_id_that_does_not_exist_refuses_the_group(clerk_chezhan):
    people = unpaid_people(clerk_chezhan, 1)

    with pytest.raises(ValidationError, match="不存在或不在您的管辖范围内"):
        collective_payment_record(
            enrollment_ids=[people[0].pk, 987654321], payer_name="实验小学", method="cash",
            confirmed_total=people[0].payable, token=uuid.uuid4(), clerk=clerk_chezhan,
        )
    assert not Payment.objects.filter(enrollment=people[0]).exists()


def test_a_group_of_two_years_is_refused(clerk_chezhan):
    this_year = unpaid_people(clerk_chezhan, 1)
    last_year = unpaid_people(clerk_chezhan, 1, first=5, year=2021)

    with pytest.raises(ValidationError, match="只能缴同一年度"):
        record(this_year + last_year, clerk_chezhan)
    assert not CollectivePayment.objects.exists()


def test_cancelled_and_fully_subsidised_enrollments_are_refused(clerk_chezhan):
    cancelled, subsidised, fine = unpaid_people(clerk_chezhan, 3)
    Enrollment.objects.filter(pk=cancelled.pk).update(status=Enrollment.Status.CANCELLED)
    Enrollment.objects.filter(pk=subsidised.pk).update(payable=Decimal("0.00"))

    with pytest.raises(ValidationError) as refused:
        record([cancelled, subsidised, fine], clerk_chezhan, total=Decimal("410.00"))

    message = refusal(refused.value)
    assert "参保登记已注销：代缴0" in message and "无需缴费：代缴1" in message and "代缴2" not in message
    assert not Payment.objects.filter(enrollment=fine).exists()


def test_people_of_another_roll_are_refused_when_the_payment_is_for_a_roll(clerk_chezhan):
    roll = a_roll(clerk_chezhan, people=1)
    on_roll = unpaid_people(clerk_chezhan, 1, roll=roll)
    not_on_roll = unpaid_people(clerk_chezhan, 1, first=3)

    with pytest.raises(ValidationError, match="不是随名单“实验小学.xlsx”导入的：代缴3"):
        record(on_roll + not_on_roll, clerk_chezhan, roll_import=roll)

    collective = record(on_roll, clerk_chezhan, roll_import=roll)
    assert collective.roll_import == roll and collective.people == 1


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"payer_name": "  "}, "payer_name", "请填写代缴单位"),
    ({"payer_name": "校" * 101}, "payer_name", "不能超过 100 个字"),
    ({"method": "fund_transfer"}, "method", "请选择缴费方式"),
    ({"enrollment_ids": []}, None, "请至少选择一人"),
])
def test_a_form_that_is_not_filled_in_is_refused_in_chinese(clerk_chezhan, overrides, field, words):
    people = unpaid_people(clerk_chezhan, 1)

    with pytest.raises(ValidationError) as refused:
        record(people, clerk_chezhan, **overrides)

    if field:
        assert words in refused.value.message_dict[field][0]
    else:
        assert words in refusal(refused.value)
    assert not CollectivePayment.objects.exists()


def test_a_large_roll_is_recorded_in_a_few_statements(clerk_chezhan, django_assert_max_num_queries):
    people = unpaid_people(clerk_chezhan, 60)

    # Not one INSERT and two UPDATEs a person: a roll of thousands must not take minutes.
    with django_assert_max_num_queries(20):
        collective = record(people, clerk_chezhan)

    receipts = Payment.objects.filter(collective=collective).values_list("receipt_number", flat=True)
    assert len(set(receipts)) == 60 and all(re.fullmatch(r"2022370303001\d{8}", r) for r in receipts)
