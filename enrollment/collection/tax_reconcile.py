"""Reconciling the tax office's vouchers that matched no enrollment (对账): a clerk of the person's
village either applies the voucher once the person is registered and enrolled (补登入账), or marks
it for refund (转退费), which the tax office then pays back.

Each resolution locks its voucher first, so of two clerks resolving the same voucher at once the
second waits and is then told it is done; applying also locks the enrollment, as the counter's
payment_record does, so a voucher and a payment at the counter never both pay one enrollment.
"""

import secrets
import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enrollment.collection.tax import year_closed
from enrollment.models import Enrollment, Payment, Resident, TaxVoucher
from enrollment.services import payment_receipt_number
from portal.accounts.scopes import staff_scope

NOTE_LENGTH = TaxVoucher._meta.get_field("resolution_note").max_length


def _locked_open_voucher(voucher: TaxVoucher, clerk) -> TaxVoucher:
    voucher = TaxVoucher.objects.select_for_update(of=("self",)).select_related("region").get(pk=voucher.pk)
    scope = staff_scope(clerk)
    if scope is None or not voucher.region.code.startswith(scope.prefix):
        raise ValidationError("这张凭证不在您的管辖范围内。", code="out_of_scope")
    if voucher.payment_id is not None or voucher.resolution:
        done = voucher.get_resolution_display() or "已入账"
        raise ValidationError(f"凭证 {voucher.voucher_number} 已经处理过（{done}），无需再办。", code="resolved")
    return voucher


@transaction.atomic
def tax_voucher_apply(*, voucher: TaxVoucher, clerk, now: datetime) -> Payment:
    """Record the voucher as the person's payment of its year: the person must be registered
    and enrolled for that year, owe exactly the voucher's amount, and not have paid yet."""
    voucher = _locked_open_voucher(voucher, clerk)
    year = voucher.year
    if year_closed(year, voucher.paid_at):
        raise ValidationError(f"这笔税款缴于 {year} 年度结束之后，不能再计入该年度，请转退费。", code="year_closed")
    resident = Resident.objects.filter(id_digest=voucher.id_digest).first()
    if resident is None:
        raise ValidationError(f"还没有登记 {voucher.name}（{voucher.id_masked}）：请先在“新登记居民”中登记此人，"
                              f"办理 {year} 年度参保后再补登入账。", code="unknown_person")
    enrollment = (Enrollment.objects.select_for_update(of=("self",)).active().select_related("region")
                  .filter(resident=resident, year=year).first())
    if enrollment is None:
        raise ValidationError(f"{resident.name} 还没有 {year} 年度的参保登记：请先办理参保登记，再补登入账。",
                              code="not_enrolled")
    scope = staff_scope(clerk)
    if not enrollment.region.code.startswith(scope.prefix):
        raise ValidationError(f"{resident.name} 的 {year} 年度参保登记在{enrollment.region.name}，不在您的管辖范围内，"
                              "请由当地经办人员补登入账。", code="out_of_scope")
    if enrollment.payable == 0:
        raise ValidationError(f"{resident.name} {year} 年度个人应缴为 0 元，这笔税款请转退费。", code="nothing_due")
    paid = enrollment.payments.filter(payer=Payment.Payer.RESIDENT).first()
    if paid is not None or enrollment.paid_at is not None:
        receipt = f"（收据号 {paid.receipt_number}）" if paid else ""
        raise ValidationError(f"{resident.name} {year} 年度已缴费{receipt}，这笔税款请转退费。", code="already_paid")
    if voucher.amount != enrollment.payable:
        raise ValidationError(f"税款 {voucher.amount} 元与个人应缴 {enrollment.payable} 元不符，不能入账；"
                              "请转退费，由本人按应缴金额重新缴纳。", code="amount_differs")
    token = uuid.uuid4()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                enrollment=enrollment, amount=voucher.amount, method=Payment.Method.TAX, recorded_by=clerk,
                recorded_at=voucher.paid_at, idempotency_token=token, receipt_number=f"T{token.hex}",
                verification_code=secrets.token_urlsafe(16),
            )
    except IntegrityError as error:  # paid by a path that does not lock the enrollment
        raise ValidationError(f"{resident.name} {year} 年度刚刚已缴费，这笔税款请转退费。", code="already_paid") from error
    payment.receipt_number = payment_receipt_number(payment)
    payment.save(update_fields=["receipt_number"])
    enrollment.paid_at = voucher.paid_at
    enrollment.save(update_fields=["paid_at"])
    voucher.payment, voucher.resident = payment, resident
    voucher.resolution, voucher.resolved_by, voucher.resolved_at = TaxVoucher.Resolution.APPLIED, clerk, now
    voucher.save(update_fields=["payment", "resident", "resolution", "resolved_by", "resolved_at"])
    return payment


@transaction.atomic
def tax_voucher_refund(*, voucher: TaxVoucher, clerk, note: str, now: datetime) -> TaxVoucher:
    """Mark the voucher for refund by the tax office, with the clerk's note of why."""
    voucher = _locked_open_voucher(voucher, clerk)
    note = note.strip()
    if not note:
        raise ValidationError({"note": "请写明退费说明，如“本人已在村里现金缴费，税款退回”。"})
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": f"退费说明最多 {NOTE_LENGTH} 个字。"})
    voucher.resolution, voucher.resolution_note = TaxVoucher.Resolution.REFUND, note
    voucher.resolved_by, voucher.resolved_at = clerk, now
    voucher.save(update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at"])
    return voucher
