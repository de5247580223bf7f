"""Special payment batches (特殊缴费单据): generate -> push -> paid (DESIGN.md section 8).

The assistance fund pays the subsidised part of each enrolled assistance resident's premium.
Marking a batch paid records one `Payment` with payer 医疗救助基金 per enrollment; the unique
(enrollment, payer) constraint makes a second run, or a race with another officer, record
nothing more.

No subsidy for the dead (确保死亡人员不再享受政府补助, seed 002): an enrollment whose person died
before its coverage started is not paid for, and one the fund had already paid is taken back as
a reversal (SubsidyReversal) in the next batch generated for its year and region. So is the
fund's payment for the enrollment of someone who moved out of the city before its coverage
started, and for an enrollment cancelled since (a duplicate with employee insurance:
enrollment/life_events).
"""

import secrets
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from assistance.models import PaymentBatch, PaymentBatchItem, SubsidyReversal
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
        .exclude(resident__date_of_death__lt=F("coverage_start"))
        # Nor for someone who moved out of the city before it (转移接续): they enrol where they went.
        .exclude(resident__moved_out_on__lt=F("coverage_start"))
    )


def reversals_due(*, region: Region, year: int | None = None):
    """The fund's payments for enrollments in the region whose person died before the coverage
    started (whatever the enrollment's status), or who moved out of the city before it, or that were
    cancelled, not yet marked for reversal."""
    reversed_already = SubsidyReversal.objects.filter(enrollment=OuterRef("enrollment"))
    payments = (
        Payment.objects.filter(payer=Payment.Payer.ASSISTANCE_FUND, amount__gt=0,
                               enrollment__region__code__startswith=region.prefix)
        .filter(Q(enrollment__resident__date_of_death__lt=F("enrollment__coverage_start"))
                | Q(enrollment__resident__moved_out_on__lt=F("enrollment__coverage_start"))
                | Q(enrollment__status=Enrollment.Status.CANCELLED))
        .exclude(Exists(reversed_already))
    )
    return payments if year is None else payments.filter(enrollment__year=year)


def reversals_due_by_year(*, region: Region) -> list[dict]:
    """[{"year", "count", "amount"}] of the reversals the next batches of the region will take back."""
    return list(reversals_due(region=region).values(year=F("enrollment__year"))
                .annotate(count=Count("pk"), amount=Sum("amount")).order_by("year"))


def _reversal_reason(payment: Payment) -> str:
    enrollment = payment.enrollment
    died = enrollment.resident.date_of_death
    if died is not None and died < enrollment.coverage_start:
        return (f"参保人于 {died} 死亡，早于 {enrollment.year} 年度待遇开始日 "
                f"{enrollment.coverage_start}，冲销医疗救助基金资助")
    moved = enrollment.resident.moved_out_on
    if moved is not None and moved < enrollment.coverage_start:
        return (f"参保人于 {moved} 迁出本统筹区，早于 {enrollment.year} 年度待遇开始日 "
                f"{enrollment.coverage_start}，冲销医疗救助基金资助")
    refund = getattr(enrollment, "refund", None)
    why = f"（{refund.get_reason_display()}）" if refund is not None else ""
    return f"{enrollment.year} 年度参保登记已注销{why}，冲销医疗救助基金资助"


@transaction.atomic
def batch_generate(*, year: int, region: Region, officer) -> PaymentBatch:
    _require_officer_for(officer, region)
    enrollments = list(subsidy_unpaid(year=year, region=region).select_for_update().order_by("pk"))
    due = list(reversals_due(region=region, year=year).select_related("enrollment__resident", "enrollment__refund")
               .order_by("pk"))
    marked = list(SubsidyReversal.objects.pending().within(region).filter(enrollment__year=year)
                  .select_for_update().order_by("pk"))
    if not (enrollments or due or marked):
        raise ValidationError(f"{region.name} {year} 年度没有待由医疗救助基金缴纳的资助参保费用，也没有待冲销的资助。",
                              code="nothing_due")
    batch = PaymentBatch.objects.create(
        year=year, region=region, created_by=officer, total=sum((e.subsidy for e in enrollments), ZERO),
        reversed_total=sum((p.amount for p in due), ZERO) + sum((r.amount for r in marked), ZERO),
    )
    try:
        with transaction.atomic():
            PaymentBatchItem.objects.bulk_create(
                PaymentBatchItem(batch=batch, enrollment=enrollment, amount=enrollment.subsidy)
                for enrollment in enrollments
            )
            SubsidyReversal.objects.bulk_create(
                SubsidyReversal(enrollment_id=payment.enrollment_id, payment=payment, amount=payment.amount,
                                reason=_reversal_reason(payment), batch=batch)
                for payment in due
            )
            SubsidyReversal.objects.filter(pk__in=[r.pk for r in marked]).update(batch=batch)
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
    # Not for an enrollment cancelled, or of a person who died before its coverage, since the
    # batch was generated: the fund pays nothing it would only take back in the next batch.
    payable = (batch.items.select_related("enrollment__region").filter(payment__isnull=True)
               .exclude(enrollment__status=Enrollment.Status.CANCELLED)
               .exclude(enrollment__resident__date_of_death__lt=F("enrollment__coverage_start"))
               .exclude(enrollment__resident__moved_out_on__lt=F("enrollment__coverage_start")))
    recorded = sum(_record(item, officer) for item in payable)
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

