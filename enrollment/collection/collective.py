"""集体代缴: a school or a village committee pays the personal contributions of a group at once.

Each person still gets a payment of their own, with their own receipt number, exactly as if they
had paid at the counter; the CollectivePayment ties them together. All or nothing: one person the
payment cannot be taken for refuses the whole group, so that the money the payer handed over and
what the portal recorded never differ.
"""

import secrets
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, Sum

from enrollment.models import CollectivePayment, Enrollment, Payment, RollImport
from enrollment.services import payment_receipt_number, payment_recorded_notify
from portal.accounts.scopes import staff_scope
from portal.shared.money import to_cents

# How many people a refusal names before it says "and N more": the clerk fixes the group, not
# a list of thousands read on screen.
NAMED_IN_A_REFUSAL = 20
# Rows per INSERT and UPDATE statement: a roll of a few thousand people in a handful of statements.
BATCH = 500


def collective_payment_record(
    *,
    enrollment_ids: Iterable[int],
    payer_name: str,
    method: str,
    confirmed_total: Decimal,
    token: uuid.UUID,
    clerk,
    roll_import: RollImport | None = None,
) -> CollectivePayment:
    """Record one payment for the whole group, once. The same token again returns the payment it
    recorded (a double submit, a retry after a lost answer) and records nothing."""
    ids = sorted(set(enrollment_ids))
    try:
        return _record(ids=ids, payer_name=payer_name.strip(), method=method, confirmed_total=confirmed_total,
                       token=token, clerk=clerk, roll_import=roll_import)
    except IntegrityError as error:
        # The database had the last word: a submit with the same token committed first (its
        # insert of the token waited for it), or someone paid for one of these people through a
        # channel that took no lock. Nothing of this submit was written.
        earlier = CollectivePayment.objects.filter(token=token).first()
        if earlier is not None:
            return _the_earlier(earlier, ids=ids, clerk=clerk)
        raise ValidationError(
            "名单中有人刚刚通过其他渠道缴费，本次集体代缴没有记录任何一笔。请重新核对名单后再提交。",
            code="paid_meanwhile",
        ) from error
    except OperationalError as error:
        # PostgreSQL broke a deadlock with another writer of the same people (a tax file being
        # imported, say) by rolling this one back: nothing was written, and trying again works.
        raise ValidationError("系统正在处理名单中部分人员的缴费，本次集体代缴没有记录任何一笔。请稍后重新提交。",
                              code="busy") from error


@transaction.atomic
def _record(*, ids: list[int], payer_name: str, method: str, confirmed_total: Decimal, token: uuid.UUID, clerk,
            roll_import: RollImport | None) -> CollectivePayment:
    if not ids:
        raise ValidationError("没有选择任何人员，请至少选择一人。", code="nobody")
    # Locked in id order: two groups that overlap lock their common people in the same order,
    # so one waits for the other instead of each holding what the other needs (a deadlock).
    # ``of=("self",)``: the residents and villages read along are not locked.
    enrollments = list(
        Enrollment.objects.select_for_update(of=("self",)).filter(pk__in=ids)
        .select_related("resident", "region").order_by("pk")
    )
    # Looked for after the locks: a submit with this token that held them has committed by now.
    earlier = CollectivePayment.objects.filter(token=token).first()
    if earlier is not None:
        return _the_earlier(earlier, ids=ids, clerk=clerk)
    scope = staff_scope(clerk)
    if scope is None:
        raise ValidationError("您的账号还没有分配管辖区域，不能收款。", code="no_scope")
    _check_the_form(payer_name=payer_name, method=method)
    year = _check_the_people(enrollments, ids=ids, scope=scope, roll_import=roll_import)
    total = sum((enrollment.payable for enrollment in enrollments), Decimal("0.00"))
    if confirmed_total != total:
        raise ValidationError({"confirmed_total": (
            f"这 {len(enrollments)} 人的个人应缴合计现为 {total} 元，与您确认的 {confirmed_total} 元不符"
            "（可能有人刚刚已缴费，或名单有变）。请与代缴单位核对实收金额后，按合计重新确认。"
        )}, code="total_differs")

    profile = getattr(clerk, "staff_profile", None)
    point = profile.home_service_point if profile else None
    try:
        with transaction.atomic():
            collective = CollectivePayment.objects.create(
                token=token, payer_name=payer_name, method=method, year=year, region=scope,
                people=len(enrollments), total=total, roll_import=roll_import, recorded_by=clerk, taken_at=point,
            )
    except IntegrityError:
        # The same token committed by a submit that locked none of these rows (a different
        # group under a reused token): answer as for that one.
        earlier = CollectivePayment.objects.filter(token=token).first()
        if earlier is None:
            raise
        return _the_earlier(earlier, ids=ids, clerk=clerk)

    payments = []
    for enrollment in enrollments:
        own_token = uuid.uuid4()  # each payment is its own record, retried only through the collective
        payments.append(Payment(
            enrollment=enrollment, payer=Payment.Payer.RESIDENT, amount=enrollment.payable, method=method,
            receipt_number=f"T{own_token.hex}",  # replaced below, once the pk is known
            verification_code=secrets.token_urlsafe(16), idempotency_token=own_token,
            recorded_at=collective.recorded_at, recorded_by=clerk, collective=collective, taken_at=point,
        ))
    Payment.objects.bulk_create(payments, batch_size=BATCH)
    if any(payment.pk is None for payment in payments):  # a database that returns no ids from a bulk insert
        pks = dict(Payment.objects.filter(collective=collective).values_list("idempotency_token", "pk"))
        for payment in payments:
            payment.pk = pks[payment.idempotency_token]
    for payment in payments:
        payment.receipt_number = payment_receipt_number(payment)
    Payment.objects.bulk_update(payments, ["receipt_number"], batch_size=BATCH)
    Enrollment.objects.filter(pk__in=ids).update(paid_at=collective.recorded_at)
    for enrollment, payment in zip(enrollments, payments, strict=True):
        payment_recorded_notify(enrollment, payment)
    return collective


def _the_earlier(earlier: CollectivePayment, *, ids: list[int], clerk) -> CollectivePayment:
    """The payment an earlier submit of the same form recorded, if it was for the same people."""
    scope = staff_scope(clerk)
    recorded = sorted(earlier.payments.values_list("enrollment_id", flat=True))
    if scope is None or not earlier.region.code.startswith(scope.prefix) or recorded != ids:
        raise ValidationError("提交令牌与已记录的集体代缴不符，请回到“集体代缴”重新选择名单后提交。", code="token_mismatch")
    return earlier


def _check_the_form(*, payer_name: str, method: str) -> None:
    errors = {}
    if not payer_name:
        errors["payer_name"] = "请填写代缴单位，如“淄博市张店区实验小学”或“某某村村民委员会”。"
    elif len(payer_name) > CollectivePayment._meta.get_field("payer_name").max_length:
        errors["payer_name"] = "代缴单位名称不能超过 100 个字，请写单位的规范简称。"
    if method not in dict(Payment.Method.at_the_counter()):
        errors["method"] = "请选择缴费方式。"
    if errors:
        raise ValidationError(errors)


def _check_the_people(enrollments: list[Enrollment], *, ids: list[int], scope, roll_import: RollImport | None) -> int:
    """The one year of the group; else a refusal naming whom to take out of it and why."""
    found = {enrollment.pk for enrollment in enrollments}
    outside = [pk for pk in ids if pk not in found] + [
        enrollment.pk for enrollment in enrollments if not enrollment.region.code.startswith(scope.prefix)
    ]
    if outside:
        # Named by record number only: a person outside the scope is not the clerk's to see.
        raise ValidationError(
            f"有 {len(outside)} 条参保登记不存在或不在您的管辖范围内（登记编号 {_listed(map(str, outside), unit='条')}），"
            "不能代缴。请回到“集体代缴”重新选择本辖区的名单。", code="out_of_scope",
        )
    paid = dict(
        Payment.objects.filter(enrollment_id__in=found, payer=Payment.Payer.RESIDENT)
        .values_list("enrollment_id", "receipt_number")
    )
    problems = {
        "cancelled": [e for e in enrollments if e.status != Enrollment.Status.ACTIVE],
        "paid": [e for e in enrollments if e.is_active and (e.pk in paid or e.paid_at is not None and e.payable > 0)],
        "nothing_due": [e for e in enrollments if e.is_active and e.pk not in paid and e.payable == 0],
        "other_roll": [e for e in enrollments if roll_import is not None and e.roll_import_id != roll_import.pk],
    }
    reasons = {
        "cancelled": "参保登记已注销",
        "paid": "已缴费",
        "nothing_due": "个人应缴为 0 元（全额资助），无需缴费",
        "other_roll": f"不是随名单“{roll_import.filename if roll_import else ''}”导入的",
    }
    lines = [
        f"{reasons[kind]}：{_listed(_person(e, paid.get(e.pk)) for e in people)}"
        for kind, people in problems.items() if people
    ]
    years = sorted({enrollment.year for enrollment in enrollments})
    if len(years) > 1:
        lines.append(f"所选人员分属 {'、'.join(map(str, years))} 年度，一次集体代缴只能缴同一年度，请按年度分开办理")
    if lines:
        raise ValidationError(
            f"集体代缴没有记录，名单中有人不能代缴。{'；'.join(lines)}。请把他们移出名单（其余人员合计会随之变化）后重新确认。",
            code="people_refused",
        )
    return years[0]


def _person(enrollment: Enrollment, receipt: str | None) -> str:
    resident = enrollment.resident
    return f"{resident.name}（{resident.id_masked}{f'，收据号 {receipt}' if receipt else ''}）"


def _listed(items: Iterable[str], unit: str = "人") -> str:
    items = list(items)
    shown = "、".join(items[:NAMED_IN_A_REFUSAL])
    return shown if len(items) <= NAMED_IN_A_REFUSAL else f"{shown} 等 {len(items)} {unit}"


def collective_total(enrollments) -> tuple[int, Decimal]:
    """How many people and what they owe together, as the confirm step shows it."""
    totals = enrollments.aggregate(people=Count("pk"), total=Sum("payable"))
    # to_cents: SQLite sums decimals to a number without its two places (720, not 720.00).
    return totals["people"], to_cents(totals["total"] or Decimal("0.00"))
