"""What follows from the settlements: high-cost alerts and their handling, and re-assistance.

The burden and the re-assistance amount are the pure functions of ``assistance.settlements.rules``;
this module gathers each person's settlements with the assistance category they held on each
settlement's date (from the identities' validity periods, never today's category), finds the
threshold or policy that applies, and writes the alerts and grants.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from assistance.identities.rules import category_on
from assistance.identities.services import periods_held
from assistance.models import AlertThreshold, HighCostAlert, ReassistanceGrant, Settlement
from assistance.settlements.rules import (
    HeldSettlement,
    SettlementAmounts,
    alert_threshold_for,
    annual_burden,
    category_of_the_year,
    raises_alert,
    reassistance_as_held,
)
from benefits.services import PolicyNotFound, policy_in_force
from enrollment.models import Resident
from portal.accounts.scopes import staff_scope
from portal.network.codes import SIGNIFICANT_DIGITS, Level, pooling_region_code
from portal.network.models import Region

AMOUNT_FIELDS = ("resident_id", "resident__id_digest", "settled_on", "kind", "policy_range", "basic", "catastrophic",
                 "assistance")


def _held_by_resident(year: int, resident_ids: Iterable[int] | None) -> dict[int, list[HeldSettlement]]:
    """Each resident's settlements of ``year``, with the category held on each one's date."""
    settlements = Settlement.objects.for_year(year).filter(resident__isnull=False)
    if resident_ids is not None:
        settlements = settlements.filter(resident_id__in=list(resident_ids))
    rows = list(settlements.values_list(*AMOUNT_FIELDS).iterator(chunk_size=5000))
    periods = periods_held({digest for _, digest, *_ in rows})
    found = defaultdict(list)
    for resident_id, digest, settled_on, *amounts in rows:
        category = category_on(periods.get(digest, ()), settled_on)
        found[resident_id].append(HeldSettlement(category, SettlementAmounts(*amounts)))
    return found


def settlements_link_residents() -> int:
    """Link the settlements of people who registered after their settlements were imported."""
    registered = Resident.objects.filter(id_digest=OuterRef("person_digest")).values("pk")[:1]
    return Settlement.objects.filter(resident__isnull=True, person_digest__in=Resident.objects.values("id_digest")
                                     ).update(resident=Subquery(registered))


def township_code(village_code: str) -> str:
    digits = SIGNIFICANT_DIGITS[Level.TOWNSHIP]
    return village_code[:digits].ljust(len(village_code), "0")


@dataclass
class AlertReport:
    opened: int = 0
    updated: int = 0
    # Pooling regions with settlements but no threshold for the year: nobody there is alerted.
    without_threshold: set[str] = field(default_factory=set)


@transaction.atomic
def alerts_refresh(*, year: int, resident_ids: Iterable[int] | None = None) -> AlertReport:
    """Open an alert for each person (of ``resident_ids``, or everyone) whose burden of ``year``
    passes their threshold; an existing alert of the same township gets the new figures but
    keeps its status, so an alert is raised once however often this runs."""
    report = AlertReport()
    amounts = _held_by_resident(year, resident_ids)
    residents = Resident.objects.select_related("region").in_bulk(list(amounts))
    thresholds = {t.region.code: t for t in AlertThreshold.objects.filter(year=year).select_related("region")}
    townships = {r.code: r for r in Region.objects.filter(
        code__in={township_code(r.region.code) for r in residents.values()})}
    existing = {
        (a.resident_id, a.township_id): a
        for a in HighCostAlert.objects.select_for_update().filter(year=year, resident_id__in=list(amounts))
    }
    for resident_id, settlements in amounts.items():
        resident = residents[resident_id]
        city = pooling_region_code(resident.region.code)
        threshold_row = thresholds.get(city)
        if threshold_row is None:
            report.without_threshold.add(city)
            continue
        burden = annual_burden(held.amounts for held in settlements)
        category = category_of_the_year(settlements)
        threshold = alert_threshold_for(assistance=category, for_assistance=threshold_row.for_assistance,
                                        for_others=threshold_row.for_others)
        township = townships.get(township_code(resident.region.code))
        if township is None or not raises_alert(burden, threshold):
            continue
        alert = existing.get((resident_id, township.pk))
        held = category.value if category else ""
        if alert is None:
            HighCostAlert.objects.create(
                year=year, resident=resident, township=township, assistance_category=held,
                burden=burden, threshold=threshold,
            )
            report.opened += 1
        elif (alert.burden, alert.threshold, alert.assistance_category) != (burden, threshold, held):
            alert.burden, alert.threshold, alert.assistance_category = burden, threshold, held
            alert.save(update_fields=["burden", "threshold", "assistance_category"])
            report.updated += 1
    return report


def _alert_for_update(alert_id: int, user) -> HighCostAlert:
    scope = staff_scope(user)
    alert = HighCostAlert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None or scope is None or not HighCostAlert.objects.within(scope).filter(pk=alert_id).exists():
        raise ValidationError("没有找到这条预警，或它不在您的管辖范围内。")
    return alert


@transaction.atomic
def alert_acknowledge(*, alert_id: int, clerk, notes: str = "") -> HighCostAlert:
    alert = _alert_for_update(alert_id, clerk)
    if alert.status != HighCostAlert.Status.OPEN:
        raise ValidationError(f"这条预警的状态是“{alert.get_status_display()}”，不需要再确认知悉。")
    alert.status = HighCostAlert.Status.ACKNOWLEDGED
    alert.acknowledged_by, alert.acknowledged_at = clerk, timezone.now()
    if notes.strip():
        alert.notes = notes.strip()
    alert.save()
    return alert


@transaction.atomic
def alert_resolve(*, alert_id: int, clerk, outcome: str, notes: str) -> HighCostAlert:
    alert = _alert_for_update(alert_id, clerk)
    if alert.status != HighCostAlert.Status.ACKNOWLEDGED:
        raise ValidationError(
            "请先确认知悉并核查，再登记处理结果。" if alert.status == HighCostAlert.Status.OPEN
            else "这条预警已处理完毕。"
        )
    if outcome not in HighCostAlert.Outcome.values:
        raise ValidationError("请选择处理结果：纳入救助、已有救助 或 无需处理。")
    if not notes.strip():
        raise ValidationError("请填写处理说明（核查情况和依据）。")
    # The notes of the acknowledgement (what was to be checked) stay; the resolution follows them.
    earlier = alert.notes.strip()
    resolution = f"处理结果：{notes.strip()}"
    alert.status, alert.outcome = HighCostAlert.Status.RESOLVED, outcome
    alert.notes = f"{earlier}\n{resolution}" if earlier else resolution
    alert.resolved_by, alert.resolved_at = clerk, timezone.now()
    alert.save()
    return alert


# -- Re-assistance -------------------------------------------------------------------------

@dataclass
class ReassistanceReport:
    computed: int = 0  # grants written or updated
    approved_kept: int = 0  # approved grants left as they were
    not_eligible: int = 0  # people with settlements but no category the rule covers


@transaction.atomic
def reassistance_compute(*, year: int, city: Region, area: Region | None = None) -> ReassistanceReport:
    """Re-assistance of ``year`` for every resident of ``area`` (by default the whole pooling
    region ``city``) with settlements, by the re-assistance rule of the benefit policy in force
    for that year in ``city``. Grants outside ``area`` are left as they are."""
    try:
        policy = policy_in_force(year=year, region_code=city.code)
    except PolicyNotFound as error:
        raise ValidationError(str(error)) from error
    rule = policy.snapshot().reassistance
    resident_ids = Settlement.objects.for_year(year).within(area or city).values_list("resident_id", flat=True).distinct()
    amounts = _held_by_resident(year, resident_ids)
    residents = Resident.objects.in_bulk(list(amounts))
    # Approved and paid grants are decided: never recomputed, whatever the settlements say now.
    decided = set(ReassistanceGrant.objects.filter(year=year, resident_id__in=list(amounts)).exclude(
        status=ReassistanceGrant.Status.COMPUTED).values_list("resident_id", flat=True))
    report = ReassistanceReport(approved_kept=len(decided))
    now = timezone.now()
    for resident_id, settlements in amounts.items():
        if resident_id in decided:
            continue
        resident = residents[resident_id]
        held = reassistance_as_held(rule, settlements)
        if held is None or held[1].amount <= 0:
            # No longer due (a category corrected, a settlement withdrawn): an earlier computed
            # grant goes, so that nobody approves it.
            ReassistanceGrant.objects.filter(year=year, resident=resident, status=ReassistanceGrant.Status.COMPUTED
                                             ).delete()
            report.not_eligible += held is None
            continue
        category, result = held
        ReassistanceGrant.objects.update_or_create(
            year=year, resident=resident,
            defaults={"assistance_category": category.value, "base": result.base,
                      "amount": result.amount, "policy": policy, "computed_at": now},
        )
        report.computed += 1
    return report


@transaction.atomic
def reassistance_approve(*, grant_ids: Iterable[int], officer) -> int:
    """Approve computed grants inside the officer's scope; returns how many were approved."""
    if not officer.has_perm("assistance.approve_reassistance"):
        raise ValidationError("只有医保部门审批人员可以审批再救助。")
    scope = staff_scope(officer)
    grants = ReassistanceGrant.objects.select_for_update().filter(pk__in=list(grant_ids))
    if not officer.is_superuser:
        if scope is None:
            raise ValidationError("您的账号还没有分配管辖区域。")
        grants = grants.within(scope)
    return grants.filter(status=ReassistanceGrant.Status.COMPUTED).update(
        status=ReassistanceGrant.Status.APPROVED, approved_by=officer, approved_at=timezone.now()
    )


# -- Paying re-assistance -------------------------------------------------------------------

REFERENCE = re.compile(r"ZJ(\d{4})-(\d{7,})")


@dataclass(frozen=True)
class PaymentConfirmation:
    """One row of finance's confirmation: the grant's 业务编号, the amount paid, when, the voucher."""

    row: int
    reference: str
    amount: Decimal | None
    paid_on: date | None
    voucher: str


def _approved_in_scope(officer):
    if not officer.has_perm("assistance.approve_reassistance"):
        raise ValidationError("只有医保部门审批人员可以登记再救助发放。")
    grants = ReassistanceGrant.objects.select_for_update()
    if officer.is_superuser:
        return grants
    scope = staff_scope(officer)
    if scope is None:
        raise ValidationError("您的账号还没有分配管辖区域。")
    return grants.within(scope)


@transaction.atomic
def reassistance_mark_paid(*, grant_ids: Iterable[int], officer, paid_on: date, voucher: str = "") -> int:
    """Mark approved grants of the officer's scope paid on ``paid_on``; returns how many."""
    grants = _approved_in_scope(officer).filter(pk__in=list(grant_ids), status=ReassistanceGrant.Status.APPROVED)
    count = 0
    for grant in grants:
        if paid_on < timezone.localdate(grant.approved_at):
            continue  # paid before it was approved: a mistyped day, left for the officer to see
        _mark_paid(grant, officer, paid_on, voucher, reason="登记已发放")
        count += 1
    return count


def _mark_paid(grant: ReassistanceGrant, officer, paid_on: date, voucher: str, *, reason: str) -> None:
    grant.status, grant.paid_on, grant.paid_voucher = ReassistanceGrant.Status.PAID, paid_on, voucher[:50]
    grant.paid_recorded_by = officer
    grant._change_reason = f"{reason}：{voucher}" if voucher else reason
    grant.save()


@transaction.atomic
def reassistance_payments_confirm(*, rows: Iterable[PaymentConfirmation], officer, today: date,
                                  dry_run: bool) -> tuple[int, list[str]]:
    """Finance's confirmation file: every row must name an approved grant of the officer's scope
    by its 业务编号, with its exact amount and a payment day not in the future. All rows are
    marked paid, or none (the reasons, row by row, in Chinese). Returns (how many, problems)."""
    rows = list(rows)
    references = {row.reference: REFERENCE.fullmatch(row.reference) for row in rows}
    found = _approved_in_scope(officer).in_bulk([int(match[2]) for match in references.values() if match])
    problems, matched, seen = [], [], {}
    for row in rows:
        match = references[row.reference]
        grant = found.get(int(match[2])) if match else None
        if grant is not None and grant.year != int(match[1]):
            grant = None
        if grant is None:
            problems.append(f"第 {row.row} 行：业务编号“{row.reference}”不是您管辖范围内的再救助")
        elif row.reference in seen:
            problems.append(f"第 {row.row} 行：业务编号 {row.reference} 与第 {seen[row.reference]} 行重复")
        elif grant.status == ReassistanceGrant.Status.PAID:
            problems.append(f"第 {row.row} 行：{row.reference} 已于 {grant.paid_on} 登记发放")
        elif grant.status != ReassistanceGrant.Status.APPROVED:
            problems.append(f"第 {row.row} 行：{row.reference} 还没有审批，不能发放")
        elif row.amount != grant.amount:
            problems.append(f"第 {row.row} 行：{row.reference} 的金额应为 {grant.amount} 元，回执是 {row.amount} 元")
        elif row.paid_on is None or row.paid_on > today:
            problems.append(f"第 {row.row} 行：发放日期须为 {today} 或以前的日期")
        elif row.paid_on < timezone.localdate(grant.approved_at):
            problems.append(f"第 {row.row} 行：发放日期 {row.paid_on} 早于审批日期 {timezone.localdate(grant.approved_at)}")
        else:
            matched.append((grant, row))
        seen.setdefault(row.reference, row.row)
    if problems or dry_run:
        return len(matched), problems
    for grant, row in matched:
        _mark_paid(grant, officer, row.paid_on, row.voucher, reason="财务回执")
    return len(matched), []
