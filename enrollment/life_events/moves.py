"""Moves of a resident's home (转移接续, seeds 001 and 002: 杜绝发生参保空档期).

Within the pooling region the new township's clerk takes the person in: their home and household
change, and the year they paid for stays valid where they now live (no gap, no second payment).
Enrollments still to be paid or not yet in force move with the person to the new village, so the
new township collects, refunds and follows them up; the rest stay where they were made.
Out of the pooling region: enrollments whose coverage has not started are refunded or
cancelled, the year under way ends on 31 December as every year does, and the person leaves the
lists of people expected to enrol here. Into it: a person who moved out comes back, or a new
person says where they were insured before.

Two townships taking the same person in at once: the resident's row is locked and the region the
clerk saw (``expected_from``) is checked under the lock, so the second is told who was first.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from enrollment.life_events.models import Move
from enrollment.models import Enrollment, Household, Payment, Refund, Resident
from enrollment.services import refund_request
from portal.accounts.scopes import staff_scope
from portal.network.codes import Level, pooling_region_code
from portal.network.models import Region
from portal.network.points import township_of
from portal.privacy.id_numbers import IdNumberError, mask_name, parse_id_number
from portal.privacy.id_vault import id_digest


def move_candidate_find(*, id_number: str, name: str, clerk, today: date) -> Resident | None:
    """The resident registered in the clerk's pooling region with this number and this name, or
    None. A wrong name, an unknown number and a person of another city all give None: the caller
    answers them alike, so a lookup tells nobody who lives where."""
    scope = staff_scope(clerk)
    if scope is None or scope.level < Level.CITY:
        return None
    try:
        number = parse_id_number(id_number, today=today).number
    except IdNumberError:
        return None
    resident = Resident.objects.filter(id_digest=id_digest(number)).select_related("region", "household").first()
    if resident is None or resident.name != name.strip():
        return None
    if pooling_region_code(resident.region.code) != pooling_region_code(scope.code):
        return None
    return resident


def _in_scope(clerk, region: Region) -> bool:
    scope = staff_scope(clerk)
    return scope is not None and region.code.startswith(scope.prefix)


def _check_destination(*, clerk, to_region: Region, household: Household | None) -> None:
    if to_region.level != Level.VILLAGE:
        raise ValidationError({"to_region": "新居住地须选到村(社区)一级。"})
    if not _in_scope(clerk, to_region):
        raise ValidationError({"to_region": f"{to_region.name}不在您的管辖范围内，只能迁入本辖区的村(社区)。"})
    if household is not None and not _in_scope(clerk, household.region):
        raise ValidationError({"household_number": "本辖区内没有这个家庭户编号，请核对，或留空新建一户。"})
    if household is not None and household.region_id != to_region.pk:
        # A household lives in one village: the person's home and their household's must agree.
        raise ValidationError({"household_number": (
            f"这个家庭户在{household.region.name}，不在新居住地{to_region.name}；请核对户编号，或留空新建一户。")})


def _check_date(resident: Resident, moved_on: date, today: date) -> None:
    if moved_on > today:
        raise ValidationError({"moved_on": "迁移日期不能晚于今天。"})
    if moved_on < resident.birth_date:
        raise ValidationError({"moved_on": "迁移日期不能早于出生日期。"})
    last = resident.moves.order_by("-moved_on").values_list("moved_on", flat=True).first()
    if last is not None and moved_on < last:
        raise ValidationError({"moved_on": f"迁移日期不能早于此人上一次迁移的日期（{last:%Y-%m-%d}），请核对。"})


def _check_text(value: str, field_name: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError({field_name: f"请填写{what}。"})
    return value


def _clerk_name(user) -> str:
    return mask_name(f"{user.last_name}{user.first_name}" or user.get_username())


def _taken_in_message(resident: Resident) -> str:
    """Who took the person in first: the township and the clerk's masked name, never the village."""
    move = resident.moves.select_related("to_region", "recorded_by").order_by("-recorded_at", "-pk").first()
    if move is None or move.to_region is None:
        return "此人的居住地刚刚已被其他经办人变更，请重新查找后再办理。"
    township = township_of(move.to_region)
    when = timezone.localtime(move.recorded_at).strftime("%Y-%m-%d %H:%M")
    return (f"此人已于 {when} 由{township.name if township else '其他乡镇(街道)'}"
            f"（经办人 {_clerk_name(move.recorded_by)}）办理迁入，不能重复办理。")


def _locked(resident: Resident) -> Resident:
    """The resident's row, locked until the transaction ends. Locked alone, with no join: after
    waiting for another township's move, PostgreSQL rechecks a join against the old region row
    and would find no row at all (its region changed)."""
    return Resident.objects.select_for_update().get(pk=resident.pk)


def _settle_home(resident: Resident, *, to_region: Region, household: Household | None) -> None:
    """Put the locked resident into the new village and household; the old household keeps its
    other members and loses its head if the head was this person."""
    old = resident.household
    if old is not None and old != household and old.head_id == resident.pk:
        old.head = None
        old.save(update_fields=["head"])
    resident.region = to_region
    resident.household = household
    resident.save()
    if household is not None and household.head_id is None:
        household.head = resident
        household.save(update_fields=["head"])


@transaction.atomic
def move_within(
    *, resident: Resident, to_region: Region, household: Household | None, reason: str, moved_on: date, clerk,
    expected_from: Region, today: date | None = None,
) -> Move:
    """Take a resident of the pooling region into a village of the clerk's scope. Enrollments are
    left as they are: the year in force stays valid, with no gap and no second payment."""
    today = today or timezone.localdate()
    _check_destination(clerk=clerk, to_region=to_region, household=household)
    reason = _check_text(reason, "reason", "迁移原因")
    resident = _locked(resident)
    if resident.region_id != expected_from.pk:
        raise ValidationError(_taken_in_message(resident), code="moved_meanwhile")
    if resident.date_of_death:
        raise ValidationError(f"{resident.name} 已于 {resident.date_of_death:%Y-%m-%d} 登记死亡，不能办理迁入。",
                              code="deceased")
    if resident.moved_out_on:
        raise ValidationError(
            f"{resident.name} 已于 {resident.moved_out_on:%Y-%m-%d} 迁出本统筹区，请按“迁回”办理并填写迁自何地。",
            code="moved_out",
        )
    if pooling_region_code(to_region.code) != pooling_region_code(resident.region.code):
        raise ValidationError({"to_region": "统筹区内迁移只能在同一统筹区（市）内办理。"})
    if to_region.pk == resident.region_id:
        raise ValidationError({"to_region": f"{resident.name} 已居住在{to_region.name}，不需要办理迁移。"})
    _check_date(resident, moved_on, today)
    move = Move.objects.create(
        resident=resident, kind=Move.Kind.WITHIN, from_region=resident.region, to_region=to_region,
        moved_on=moved_on, reason=reason, recorded_by=clerk,
    )
    _settle_home(resident, to_region=to_region, household=household)
    # Whoever must still collect, refund or follow an enrollment up is now the new township.
    (resident.enrollments.active().filter(Q(paid_at__isnull=True) | Q(coverage_start__gt=moved_on))
     .update(region=to_region))
    return move


@transaction.atomic
def move_back_in(
    *, resident: Resident, to_region: Region, household: Household | None, elsewhere: str, reason: str,
    moved_on: date, clerk, today: date | None = None,
) -> Move:
    """Take back a resident who had moved out of the pooling region (迁回): they are expected to
    enrol here again from now on."""
    today = today or timezone.localdate()
    _check_destination(clerk=clerk, to_region=to_region, household=household)
    elsewhere = _check_text(elsewhere, "elsewhere", "迁自何地（原参保地）")
    reason = _check_text(reason, "reason", "迁移原因")
    resident = _locked(resident)
    if resident.date_of_death:
        raise ValidationError(f"{resident.name} 已于 {resident.date_of_death:%Y-%m-%d} 登记死亡，不能办理迁入。",
                              code="deceased")
    if resident.moved_out_on is None:
        raise ValidationError(_taken_in_message(resident), code="moved_meanwhile")
    _check_date(resident, moved_on, today)
    move = Move.objects.create(resident=resident, kind=Move.Kind.IN, to_region=to_region, elsewhere=elsewhere[:100],
                               moved_on=moved_on, reason=reason, recorded_by=clerk)
    resident.moved_out_on = None
    _settle_home(resident, to_region=to_region, household=household)
    return move


@transaction.atomic
def move_in_record(*, resident: Resident, elsewhere: str, moved_on: date, clerk, reason: str = "从统筹区外迁入") -> Move:
    """Record where a newly registered person lived and was insured before (从外地迁入)."""
    elsewhere = _check_text(elsewhere, "moved_in_from", "原参保地")
    if not _in_scope(clerk, resident.region):
        raise ValidationError(f"{resident.region.name}不在您的管辖范围内。", code="out_of_scope")
    return Move.objects.create(resident=resident, kind=Move.Kind.IN, to_region=resident.region,
                               elsewhere=elsewhere[:100], moved_on=moved_on, reason=reason, recorded_by=clerk)


@dataclass
class MovedOut:
    move: Move
    refunds: list[Refund] = field(default_factory=list)
    cancelled: list[Enrollment] = field(default_factory=list)


def _resident_paid(enrollment: Enrollment) -> bool:
    paid = enrollment.payments.filter(payer=Payment.Payer.RESIDENT).aggregate(total=Sum("amount"))["total"]
    return bool(paid)


@transaction.atomic
def move_out(*, resident: Resident, elsewhere: str, reason: str, moved_on: date, clerk, today: date) -> MovedOut:
    """Record a move out of the pooling region. Enrollments whose coverage has not started by the
    move are refunded (the person's own part, on the refund list for approval) or, with nothing
    paid, cancelled; one already under way runs to 31 December as it would have."""
    elsewhere = _check_text(elsewhere, "elsewhere", "迁往何地（何险种）")
    reason = _check_text(reason, "reason", "迁移原因")
    resident = _locked(resident)
    if not _in_scope(clerk, resident.region):
        raise ValidationError(f"{resident.region.name}不在您的管辖范围内。", code="out_of_scope")
    if resident.date_of_death:
        raise ValidationError(f"{resident.name} 已于 {resident.date_of_death:%Y-%m-%d} 登记死亡，不能办理迁出。",
                              code="deceased")
    if resident.moved_out_on:
        raise ValidationError(f"{resident.name} 已于 {resident.moved_out_on:%Y-%m-%d} 迁出本统筹区，不能重复办理。",
                              code="moved_out")
    _check_date(resident, moved_on, today)
    # Locked before their payments are read: a payment taken at this moment is waited for and
    # seen, so a paid enrollment is refunded, never cancelled as unpaid.
    not_started = list(
        resident.enrollments.active().filter(coverage_start__gt=moved_on).select_related("region")
        .select_for_update(of=("self",)).order_by("year")
    )
    # refund_request is the clerk's of the enrollment's region: one registered before an earlier
    # move within the city is still the old township's, which must ask for its refund.
    elsewhere_enrolled = [e for e in not_started if _resident_paid(e) and not _in_scope(clerk, e.region)
                          and not hasattr(e, "refund")]
    if elsewhere_enrolled:
        first = elsewhere_enrolled[0]
        township = township_of(first.region)
        raise ValidationError(
            f"{first.year} 年度的参保登记在{township.name if township else first.region.name}办理并已缴费，"
            "须由该乡镇(街道)申请退费；请联系其办理后再登记迁出。", code="refund_elsewhere",
        )
    result = MovedOut(move=Move.objects.create(
        resident=resident, kind=Move.Kind.OUT, from_region=resident.region, elsewhere=elsewhere[:100],
        moved_on=moved_on, reason=reason, recorded_by=clerk,
    ))
    resident.moved_out_on = moved_on
    resident.save(update_fields=["moved_out_on"])
    for enrollment in not_started:
        if _resident_paid(enrollment):
            if not hasattr(enrollment, "refund"):
                result.refunds.append(refund_request(
                    enrollment=enrollment, reason=Refund.Reason.MOVED_OUT, clerk=clerk,
                    note=f"参保人于 {moved_on:%Y-%m-%d} 迁出本统筹区（迁往{elsewhere}），待遇开始前退还个人缴费",
                ))
        else:
            enrollment.status = Enrollment.Status.CANCELLED
            enrollment.save(update_fields=["status"])
            result.cancelled.append(enrollment)
    return result
