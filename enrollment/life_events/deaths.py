"""A resident's death, recorded once (确保死亡人员不再享受政府补助, seed 002): by a clerk at the
counter or from the civil-affairs or public-security list (death_import.py). Both end in the same
Death row (one per person, the database's word on it) and the same effects on the person's
enrollments, written here for any number of people at once.

Effects of a death on ``day`` (DESIGN.md section 5; 鲁医保发〔2020〕60号): Resident.date_of_death
is set, and every active enrollment whose coverage starts after ``day`` is refunded (the person's
part goes on the refund list, for the existing approval) when the person paid, else cancelled.
Nothing else: coverage that had started stays as it was. The assistance fund's part is taken back
by the assistance app (assistance/batches/services.py), which enrollment never imports.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from enrollment.life_events.models import Death
from enrollment.models import Enrollment, Payment, Refund, Resident
from portal.accounts.scopes import staff_scope
from portal.shared.bulk import copy_rows
from portal.spreadsheets.lookups import rows_matching

Source = Death.Source
# What the departments' lists write in the 来源 column, and what each means.
SOURCE_NAMES: dict[str, str] = {
    **dict.fromkeys(("民政", "民政部门", "民政局", "民政厅", Source.CIVIL_AFFAIRS.value), Source.CIVIL_AFFAIRS.value),
    **dict.fromkeys(("公安", "公安部门", "公安局", "公安厅", "派出所", Source.PUBLIC_SECURITY.value),
                    Source.PUBLIC_SECURITY.value),
    **dict.fromkeys(("卫健", "卫健委", "卫生健康", "卫生健康部门", "卫生健康委员会", "卫健部门", Source.HEALTH.value),
                    Source.HEALTH.value),
}
HISTORY_REASON_CLERK = "登记死亡"
HISTORY_REASON_IMPORT = "死亡名单导入"
# Under SQLite's limit of parameters a statement takes.
CANCEL_BATCH = 500
REFUND_COLUMNS = ("enrollment_id", "amount", "reason", "note", "requested_by_id", "requested_at")


def refund_note(day: date) -> str:
    return f"参保人于 {day} 死亡，待遇开始前退还个人缴费"


def source_label(value: str) -> str:
    return Source(value).label


def recorded_message(death: Death, name: str) -> str:
    """What a clerk or an officer is told about a death recorded before."""
    when = timezone.localtime(death.recorded_at)
    return (f"{name} 已于 {when:%Y-%m-%d %H:%M} 记录死亡（死亡日期 {death.date_of_death}，"
            f"来源：{source_label(death.source)}）")


class DeathAlreadyRecorded(ValidationError):
    """The same death again: nothing changes, and the clerk is told so (not an error of theirs)."""


@transaction.atomic
def death_record(*, resident: Resident, date_of_death: date, clerk, today: date,
                 source: str = Source.CLERK) -> list[Refund]:
    """Record a clerk's death record of ``resident`` with its effects; the refunds requested.
    The same death recorded before (by anyone) raises DeathAlreadyRecorded; a different date is
    refused with the recorded one and its source."""
    # Locked first, as the import's UPDATE of the residents locks them first: the clerk and an
    # import of the same death wait for each other here, and the second sees the first's Death.
    resident = Resident.objects.select_for_update().select_related("region").get(pk=resident.pk)
    scope = staff_scope(clerk)
    if scope is None or not resident.region.code.startswith(scope.prefix):
        raise ValidationError(f"{resident.region.name}（{resident.region.code}）不在您的管辖范围内。", code="out_of_scope")
    if date_of_death > today:
        raise ValidationError({"date_of_death": "死亡日期不能晚于今天。"})
    if date_of_death < resident.birth_date:
        raise ValidationError({"date_of_death": "死亡日期不能早于出生日期。"})
    existing = Death.objects.filter(resident=resident).first()
    if existing is None:
        try:
            with transaction.atomic():
                Death.objects.create(resident=resident, date_of_death=date_of_death, source=source, recorded_by=clerk)
        except IntegrityError:
            # Recorded by someone else a moment ago, after this resident was read.
            existing = Death.objects.get(resident=resident)
    if existing is not None:
        _refuse_again(existing, resident.name, date_of_death)
    resident.date_of_death = date_of_death
    resident._change_reason = HISTORY_REASON_CLERK  # django-simple-history's documented way
    resident.save(update_fields=["date_of_death"])
    effects = death_effects_apply(deaths={resident.pk: date_of_death}, user=clerk, now=timezone.now())
    return list(Refund.objects.filter(enrollment_id__in=effects.refunded_enrollments).order_by("pk"))


def _refuse_again(existing: Death, name: str, date_of_death: date) -> None:
    if existing.date_of_death == date_of_death:
        raise DeathAlreadyRecorded(recorded_message(existing, name) + "，无需重复登记，未作更改。",
                                   code="already_recorded")
    raise ValidationError(
        recorded_message(existing, name) + f"，与您填写的 {date_of_death} 不同；如需更正死亡日期，请联系医保局核实。",
        code="date_differs",
    )


@dataclass
class Effects:
    refunds: int = 0
    cancelled: int = 0
    refunded_enrollments: tuple[int, ...] = ()


def death_effects_apply(*, deaths: dict[int, date], user, now: datetime, copy: bool = False,
                        dry_run: bool = False) -> Effects:
    """The effects on the enrollments of residents (id -> day of death) whose deaths were just
    recorded, set-based: refund requests for the paid enrollments whose coverage starts after the
    death (the amount the person paid), cancellation of the unpaid ones. ``copy`` writes the
    refunds with COPY (PostgreSQL, an import's thousands); ``dry_run`` only counts."""
    if not deaths:
        return Effects()
    # The earliest death bounds them all: most people die with their year's coverage started,
    # and a list's million enrollments of the year are then never read.
    after_earliest = Enrollment.objects.active().filter(coverage_start__gt=min(deaths.values()))
    future = [
        (pk, resident_id) for pk, resident_id, start in rows_matching(
            after_earliest.values_list("pk", "resident_id", "coverage_start"), "resident", deaths.keys())
        if start > deaths[resident_id]
    ]
    if not future:
        return Effects()
    ids = [pk for pk, _ in future]
    if not dry_run:
        # Locked before their payments are read, in id order: a clerk taking a payment (which
        # locks the enrollment first, services.payment_record) or asking for a refund waits, or
        # has committed and is seen below; a paid enrollment is never cancelled as unpaid.
        resident_of = dict(future)
        ids = []
        for start in range(0, len(resident_of), CANCEL_BATCH):
            ids += Enrollment.objects.select_for_update().filter(
                pk__in=sorted(resident_of)[start:start + CANCEL_BATCH], status=Enrollment.Status.ACTIVE,
            ).order_by("pk").values_list("pk", flat=True)
        future = [(pk, resident_of[pk]) for pk in ids]
    paid = dict(rows_matching(
        Payment.objects.filter(payer=Payment.Payer.RESIDENT, amount__gt=0).values_list("enrollment_id", "amount"),
        "enrollment", ids))
    refunded = set(rows_matching(Refund.objects.values_list("enrollment_id", flat=True), "enrollment", ids))
    refunds = [(pk, paid[pk], Refund.Reason.DEATH.value, refund_note(deaths[resident_id]), user.pk, now)
               for pk, resident_id in future if pk in paid and pk not in refunded]
    unpaid = [pk for pk in ids if pk not in paid]
    if dry_run:
        return Effects(refunds=len(refunds), cancelled=len(unpaid))
    for start in range(0, len(unpaid), CANCEL_BATCH):
        Enrollment.objects.filter(pk__in=unpaid[start:start + CANCEL_BATCH], status=Enrollment.Status.ACTIVE).update(
            status=Enrollment.Status.CANCELLED)
    if copy:
        copy_rows(Refund, REFUND_COLUMNS, refunds)
    else:
        Refund.objects.bulk_create([Refund(**dict(zip(REFUND_COLUMNS, row))) for row in refunds], batch_size=500)
    return Effects(refunds=len(refunds), cancelled=len(unpaid), refunded_enrollments=tuple(row[0] for row in refunds))


def history_write(resident_ids: Iterable[int], *, user, now: datetime, reason: str) -> None:
    """A history row of each resident as it now is (django-simple-history's "~" change), for
    residents changed with a bulk UPDATE, which simple-history does not see."""
    resident_ids = list(resident_ids)
    if not resident_ids:
        return
    history = Resident.history.model
    if connection.vendor != "postgresql":
        residents = list(Resident.objects.filter(pk__in=resident_ids))
        Resident.history.bulk_history_create(residents, update=True, default_user=user, default_change_reason=reason,
                                             default_date=now)
        return
    own = ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")
    columns = [field.column for field in history._meta.concrete_fields if field.column not in own]
    quote = connection.ops.quote_name
    listed = ", ".join(map(quote, columns))
    sql = (f"INSERT INTO {quote(history._meta.db_table)} ({listed}, history_date, history_change_reason, history_type, "
           f"history_user_id) SELECT {listed}, %s, %s, '~', %s FROM {quote(Resident._meta.db_table)} "
           "WHERE id = ANY(%s::bigint[])")
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, reason, user.pk, resident_ids])
