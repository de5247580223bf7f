"""Special payment batches (特殊缴费单据): generate -> push -> paid (DESIGN.md section 8).

The assistance fund pays the subsidised part of each enrolled assistance resident's premium.
Marking a batch paid records one `Payment` with payer 医疗救助基金 per enrollment; the unique
(enrollment, payer) constraint makes a second run, or a race with another officer, record
nothing more.
"""

import secrets
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from assistance.models import PaymentBatch, PaymentBatchItem
from enrollment.models import Enrollment, Payment
from portal.accounts.scopes import staff_scope
from portal.network.models import Region
from portal.shared.money import ZERO

BATCH_PERMISSION = "assistance.change_paymentbatch"
# A fixed namespace: the same batch item always gets the same idempotency token.
TOKEN_NAMESPACE = uuid.UUID("6f1b7f5e-2c39-4c1e-9a43-8a4f1f0d2b11")


def _require_officer_for(officer, region: Region) -> None:
    if not officer.has_perm(BATCH_PERMISSION):
        raise PermissionDenied("只有医保局经办科室人员可以处理特殊缴费单据。")
    scope = staff_scope(officer)
    if scope is None or not region.code.startswith(scope.prefix):
        raise ValidationError(f"{region.name}（{region.code}）不在您的管辖范围内。", code="out_of_scope")


def subsidy_unpaid(*, year: int, region: Region):
    """Enrollments of the year in the region with an assistance subsidy that the fund has not
    paid and that no batch holds yet."""
    fund_paid = Payment.objects.filter(enrollment=OuterRef("pk"), payer=Payment.Payer.ASSISTANCE_FUND)
    in_batch = PaymentBatchItem.objects.filter(enrollment=OuterRef("pk"))
    return (
        Enrollment.objects.within(region).active().for_year(year)
        .exclude(assistance_category="").filter(subsidy__gt=0)
        .exclude(Exists(fund_paid)).exclude(Exists(in_batch))
    )


@transaction.atomic
def batch_generate(*, year: int, region: Region, officer) -> PaymentBatch:
    _require_officer_for(officer, region)
    enrollments = list(subsidy_unpaid(year=year, region=region).select_for_update().order_by("pk"))
    if not enrollments:
        raise ValidationError(f"{region.name} {year} 年度没有待由医疗救助基金缴纳的资助参保费用。", code="nothing_due")
    batch = PaymentBatch.objects.create(
        year=year, region=region, created_by=officer, total=sum((e.subsidy for e in enrollments), ZERO)
    )
    try:
        with transaction.atomic():
            PaymentBatchItem.objects.bulk_create(
                PaymentBatchItem(batch=batch, enrollment=enrollment, amount=enrollment.subsidy)
                for enrollment in enrollments
            )
    except IntegrityError as error:  # another officer's batch took some of them a moment ago
        raise ValidationError("部分参保登记刚刚已被另一批次生成，请重新生成。", code="race") from error
    return batch


@transaction.atomic
def batch_push(*, batch: PaymentBatch, officer) -> PaymentBatch:
    batch = PaymentBatch.objects.select_for_update().select_related("region").get(pk=batch.pk)
    _require_officer_for(officer, batch.region)
    if batch.status != PaymentBatch.Status.GENERATED:
        raise ValidationError(f"该批次状态为“{batch.get_status_display()}”，只有已生成的批次可以推送。", code="not_generated")
    batch.status = PaymentBatch.Status.PUSHED
    batch.pushed_by, batch.pushed_at = officer, timezone.now()
    batch.save()
    return batch


@transaction.atomic
def batch_mark_paid(*, batch: PaymentBatch, officer) -> int:
    """Record the fund's payments of a pushed batch; returns how many were recorded now
    (0 when the batch was already paid: marking it twice is marking it once)."""
    batch = PaymentBatch.objects.select_for_update().select_related("region").get(pk=batch.pk)
    _require_officer_for(officer, batch.region)
    if batch.status == PaymentBatch.Status.PAID:
        return 0
    if batch.status != PaymentBatch.Status.PUSHED:
        raise ValidationError("请先推送该批次，再确认支付。", code="not_pushed")
    recorded = sum(_record(item, officer) for item in batch.items.select_related("enrollment__region").filter(payment__isnull=True))
    batch.status = PaymentBatch.Status.PAID
    batch.paid_by, batch.paid_at = officer, timezone.now()
    batch.save()
    return recorded


def _record(item: PaymentBatchItem, officer) -> int:
    enrollment = item.enrollment
    existing = Payment.objects.filter(enrollment=enrollment, payer=Payment.Payer.ASSISTANCE_FUND).first()
    created = 0
    if existing is None:
        token = uuid.uuid5(TOKEN_NAMESPACE, f"batch-item-{item.pk}")
        try:
            with transaction.atomic():
                existing = Payment.objects.create(
                    enrollment=enrollment, payer=Payment.Payer.ASSISTANCE_FUND, amount=item.amount,
                    # No cash changes hands: the fund pays by transfer, recorded as an online payment.
                    method=Payment.Method.FUND_TRANSFER, recorded_by=officer, idempotency_token=token,
                    receipt_number=f"{enrollment.year}{enrollment.region.code[:9]}J{item.pk:07d}",
                    verification_code=secrets.token_urlsafe(16),
                )
                created = 1
        except IntegrityError:
            existing = Payment.objects.get(enrollment=enrollment, payer=Payment.Payer.ASSISTANCE_FUND)
    item.payment = existing
    item.save(update_fields=["payment"])
    return created

