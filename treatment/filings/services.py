"""Writes of cross-region treatment filings (异地就医备案): filing one, cancelling, changing
(a cancellation and a new filing together), their scanned documents; and the place of a visit as
the benefit rules see it, which the manual claims read.

A clerk files for a resident of their scope; a resident files the temporary kinds that need no
referral for themselves online (我的医保), and cancels only what they filed online. Both go
through the same checks and the same write.

A resident has at most one long-term filing in force. It is checked under a lock on the
resident's row, so that two clerks at once wait for each other, and the database constraint
``one_active_long_term_filing`` has the last word.
"""

import secrets
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from enrollment.models import Resident
from portal.accounts.scopes import STATION_PERMISSION, staff_scope
from portal.network.codes import Level
from portal.privacy.scans import scan_attach
from portal.shared.vocabulary import Place
from treatment.filings.models import (
    CANCELLED_ONLINE,
    LONG_TERM_KINDS,
    ONLINE_KINDS,
    PROVINCES,
    TEMPORARY_MONTHS,
    Filing,
    FilingAttachment,
    FilingKind,
)
from treatment.filings.rules import same_city, temporary_valid_until

MAX_ATTACHMENTS = 20
# A start date this far ahead is a typing error rather than a plan.
LATEST_START = timedelta(days=366)
# A filing may be made afterwards (补办) for care begun at most this long ago.
LATEST_BACKDATING = timedelta(days=30)
CHANGE_REASON = "变更"
ONLINE_KINDS_ONLY = (
    "网上只能办理急诊抢救和其他临时外出就医的备案。转诊转院和长期异地居住（异地安置退休、异地长期居住、常驻异地工作）"
    "要带证明材料到村(社区)或乡镇(街道)医保工作站办理。"
)


class FilingAlreadyMade(ValidationError):
    """The same filing holds already: a double-clicked form, or two people filing the same."""

    def __init__(self, message: str, *, filing: Filing):
        super().__init__(message)
        self.filing = filing


def may_file_for(user, resident: Resident) -> bool:
    """Station staff whose scope holds the resident file, cancel and change their filings."""
    scope = staff_scope(user)
    return (scope is not None and user.has_perm(STATION_PERMISSION)
            and resident.region.code.startswith(scope.prefix))


def _existing_long_term(resident: Resident) -> Filing | None:
    return Filing.objects.filter(resident=resident, long_term=True, status=Filing.Status.ACTIVE).first()


def _long_term_refusal(resident: Resident, existing: Filing | None) -> str:
    if existing is None:
        return f"{resident.name} 已有一份有效的长期异地就医备案；一人同时只能有一份长期备案，请刷新后核对。"
    return (
        f"{resident.name} 已有一份有效的长期异地就医备案（编号 {existing.number}，{existing.get_kind_display()}，"
        f"{existing.place}，{existing.valid_from:%Y年%-m月%-d日}起）；一人同时只能有一份长期备案。"
        "要改就医地或类型，请在那份备案的页面办理“变更”。"
    )


def _check_place(resident: Resident, province: str, city: str, who: str) -> None:
    if province not in PROVINCES:
        raise ValidationError({"province": "请从列表中选择就医省份。"})
    if not city.strip():
        raise ValidationError({"city": "请填写就医城市，如 北京市、济南市。"})
    # The pooling region is the resident's city (DESIGN.md section 3): care there is local care.
    home = {region.level: region.name for region in resident.region.ancestors()}
    if province == home.get(Level.PROVINCE) and same_city(city, home.get(Level.CITY, "")):
        raise ValidationError({"city": (
            f"{province}{home[Level.CITY]}是{who}参保的统筹区，在这里看病是本地就医，不需要异地就医备案。"
        )})


def _check_documents(kind: str, hospital: str, referring_hospital: str, referral_number: str) -> None:
    if kind != FilingKind.REFERRAL:
        return
    missing = {}
    if not referring_hospital.strip():
        missing["referring_hospital"] = "转诊转院须填写转出医院（开具转诊单的本地医院）。"
    if not hospital.strip():
        missing["hospital"] = "转诊转院须填写转入医院（外地就医的医院）。"
    if not referral_number.strip():
        missing["referral_number"] = "转诊转院须填写转诊单编号（见医院开具的转诊转院单）。"
    if missing:
        raise ValidationError(missing)


@transaction.atomic
def filing_create(
    *, resident: Resident, clerk, kind: str, province: str, city: str, valid_from: date, hospital: str = "",
    referring_hospital: str = "", referral_number: str = "", today: date,
) -> Filing:
    """File for care outside the pooling region. Raises ValidationError (Chinese, by field where
    it is one field's fault) and writes nothing when refused."""
    if not may_file_for(clerk, resident):
        raise ValidationError("只能为您管辖范围内的居民办理异地就医备案。")
    if kind not in FilingKind.values:
        raise ValidationError({"kind": "请选择备案类型。"})
    return _filing_write(
        resident=resident, kind=kind, province=province, city=city, valid_from=valid_from, hospital=hospital,
        referring_hospital=referring_hospital, referral_number=referral_number, today=today, clerk=clerk,
    )


@transaction.atomic
def filing_create_online(
    *, resident: Resident, kind: str, province: str, city: str, valid_from: date, hospital: str = "", today: date,
) -> Filing:
    """The resident files for themselves in 我的医保: 急诊抢救 or 其他临时外出就医 only, with every
    check a clerk's filing gets. Raises ValidationError (FilingAlreadyMade for the same filing
    again) and writes nothing when refused."""
    if kind not in ONLINE_KINDS:
        raise ValidationError({"kind": ONLINE_KINDS_ONLY})
    return _filing_write(
        resident=resident, kind=kind, province=province, city=city, valid_from=valid_from, hospital=hospital,
        referring_hospital="", referral_number="", today=today, clerk=None,
    )


def _filing_write(
    *, resident: Resident, kind: str, province: str, city: str, valid_from: date, hospital: str,
    referring_hospital: str, referral_number: str, today: date, clerk,
) -> Filing:
    """The checks and the write both kinds of filing share; ``clerk`` None: the resident online.
    Runs inside the caller's transaction, under a lock on the resident's row, so that two filings
    of one person (two clerks, or a double-clicked form) wait for each other."""
    online = clerk is None
    resident = Resident.objects.select_for_update(of=("self",)).select_related("region").get(pk=resident.pk)
    who = "您" if online else resident.name
    if resident.date_of_death:
        raise ValidationError(f"{who}已登记死亡（{resident.date_of_death:%Y年%-m月%-d日}），不能办理异地就医备案。")
    _check_place(resident, province, city, who)
    _check_documents(kind, hospital, referring_hospital, referral_number)
    if valid_from > today + LATEST_START:
        raise ValidationError({"valid_from": "开始日期不能晚于一年以后，请核对。"})
    if valid_from < today - LATEST_BACKDATING:
        raise ValidationError({"valid_from": (
            f"开始日期最早为 {today - LATEST_BACKDATING:%Y年%-m月%-d日}：外出就医后 {LATEST_BACKDATING.days} 天内可以补办备案，"
            "更早开始的就医不能补办，按未备案的异地就医报销。")})
    long_term = kind in LONG_TERM_KINDS
    if long_term and (existing := _existing_long_term(resident)) is not None:
        raise ValidationError(_long_term_refusal(resident, existing))
    city = "".join(city.split())
    same = Filing.objects.filter(resident=resident, status=Filing.Status.ACTIVE, kind=kind, province=province,
                                 city=city, valid_from=valid_from).first()
    if same is not None:  # a double-clicked form or a second clerk doing the same
        raise FilingAlreadyMade(f"{who}已有一份相同的有效备案（编号 {same.number}），不用重复办理。", filing=same)
    filing = Filing(
        resident=resident, kind=kind, province=province, city=city, hospital=hospital.strip(),
        referring_hospital=referring_hospital.strip(), referral_number=referral_number.strip(),
        valid_from=valid_from,
        valid_until=None if long_term else temporary_valid_until(valid_from, TEMPORARY_MONTHS),
        verification_code=secrets.token_urlsafe(16), recorded_by=clerk, filed_online=online,
        service_point=None if online else clerk.staff_profile.home_service_point,
    )
    filing.full_clean(exclude=["resident", "recorded_by", "service_point"], validate_constraints=False)
    try:
        with transaction.atomic():
            filing.save()
    except IntegrityError:
        if long_term:
            raise ValidationError(_long_term_refusal(resident, _existing_long_term(resident))) from None
        raise
    return filing


@transaction.atomic
def filing_cancel(*, filing_id: int, clerk, reason: str, today: date | None = None) -> Filing:
    """Cancel a filing from today on. A long-term filing gets today as its end date: it held
    until now, and an active long-term filing is the only kind without one."""
    today = today or timezone.localdate()
    filing = Filing.objects.select_for_update(of=("self",)).select_related("resident__region").get(pk=filing_id)
    if not may_file_for(clerk, filing.resident):
        raise ValidationError("只能撤销您管辖范围内居民的异地就医备案。")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤销原因，如 已回本地居住、备案信息有误。"})
    if filing.status == Filing.Status.CANCELLED:
        raise ValidationError(_cancelled_already(filing))
    return _filing_mark_cancelled(filing, today=today, reason=reason, clerk=clerk)


def online_cancel_refusal(filing: Filing) -> str | None:
    """Why the resident may not cancel this filing of theirs online, or None if they may."""
    if filing.status == Filing.Status.CANCELLED:
        return _cancelled_already(filing)
    if not filing.filed_online:
        where = filing.service_point.name if filing.service_point_id else "医保工作站"
        return (f"备案 {filing.number} 是在{where}办理的，网上不能撤销；请带身份证或社会保障卡到村(社区)或"
                "乡镇(街道)医保工作站撤销。")
    return None


@transaction.atomic
def filing_cancel_online(*, filing_id: int, resident: Resident, today: date) -> Filing:
    """The resident cancels a filing they made online, from today on; a clerk's filing is
    cancelled at the station. Raises ValidationError and changes nothing when refused."""
    filing = (Filing.objects.select_for_update(of=("self",)).select_related("service_point")
              .filter(resident=resident, pk=filing_id).first())
    if filing is None:
        raise ValidationError("没有找到您的这份备案。")
    if (refusal := online_cancel_refusal(filing)) is not None:
        raise ValidationError(refusal)
    return _filing_mark_cancelled(filing, today=today, reason=CANCELLED_ONLINE, clerk=None)


def _cancelled_already(filing: Filing) -> str:
    return f"备案 {filing.number} 已于 {timezone.localtime(filing.cancelled_at):%Y年%-m月%-d日} 撤销，不用再撤销。"


def _filing_mark_cancelled(filing: Filing, *, today: date, reason: str, clerk) -> Filing:
    """The cancellation both ways share, on a filing locked by the caller; ``clerk`` None: the
    resident online."""
    if filing.long_term:
        # Cancelled before it started: it never held, and the end may not come before the start.
        filing.valid_until = max(today, filing.valid_from)
    filing.status = Filing.Status.CANCELLED
    filing.cancelled_at = timezone.now()
    filing.cancelled_by = clerk
    filing.cancelled_online = clerk is None
    filing.cancel_reason = reason[:200]
    filing.save()
    return filing


@transaction.atomic
def filing_change(
    *, filing_id: int, clerk, kind: str, province: str, city: str, valid_from: date, hospital: str = "",
    referring_hospital: str = "", referral_number: str = "", today: date,
) -> Filing:
    """Change a filing: the old one is cancelled (reason 变更) and stays in the history, the new
    one is filed; both or neither. Returns the new filing."""
    old = Filing.objects.select_related("resident").get(pk=filing_id)
    # The resident first, as filing_create locks it: two changes or a change and a new filing
    # of the same person wait for each other in the same order.
    resident = Resident.objects.select_for_update().get(pk=old.resident_id)
    filing_cancel(filing_id=old.pk, clerk=clerk, reason=CHANGE_REASON, today=today)
    return filing_create(
        resident=resident, clerk=clerk, kind=kind, province=province, city=city, valid_from=valid_from,
        hospital=hospital, referring_hospital=referring_hospital, referral_number=referral_number, today=today,
    )


def place_for(resident: Resident, day: date, outside: bool, city: str = "") -> Place:
    """Where care on ``day`` in ``city`` happened as the benefit rules see it: outside the pooling
    region it is filed care when a filing for that city held on that day (one changed or cancelled
    later still held). A filing is for one place: care in another city is unfiled care, and care
    whose city is not known is matched by no filing."""
    if not outside:
        return Place.LOCAL
    filed = Filing.objects.filter(resident=resident).in_force_on(day).values_list("city", flat=True)
    if any(same_city(city, filed_city) for filed_city in filed):
        return Place.OUTSIDE_FILED
    return Place.OUTSIDE_UNFILED


# -- Attachments ---------------------------------------------------------------------------

@transaction.atomic
def filing_attachment_add(*, filing: Filing, upload, user) -> FilingAttachment:
    """Keep a scanned referral, residence proof or other document (PDF or image, at most 5 MB)."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("resident__region").get(pk=filing.pk)
    if not may_file_for(user, filing.resident):
        raise ValidationError("只能为您管辖范围内居民的备案上传材料。")
    if filing.status == Filing.Status.CANCELLED:
        raise ValidationError("备案已撤销，不能再上传材料。")
    if filing.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(f"每份备案最多上传 {MAX_ATTACHMENTS} 个材料文件。")
    return scan_attach(FilingAttachment, upload=upload, user=user, filing=filing)
