"""Writes of 门诊慢特病认定 (recognition of an outpatient chronic or special disease): a clerk of a
township station records the application with its documents, a county or city officer recognises
it for a period or refuses it with a reason; and which disease a person is recognised for on a day, which
the manual claims price their chronic visits under.

Who may act is decided here from the actor's scope and permissions (as for the applications for
assistance, assistance/cases/services.py ``roles_for``); each write locks what it changes, and
the database's constraint ``one_pending_recognition`` has the last word on a double submit.
"""

from datetime import date, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from benefits.models import BenefitPolicy, ChronicDisease
from enrollment.models import Resident
from enrollment.selectors import year_that_matters
from portal.accounts.scopes import STATION_PERMISSION, staff_scope
from portal.network.codes import Level, RegionCodeError, pooling_region_code
from portal.network.models import Region
from portal.privacy.id_numbers import mask_id_numbers_in, mask_name
from portal.privacy.scans import scan_attach
from portal.shared.notifications import notify
from portal.standards.cycle import moved
from treatment.chronic.models import DEFAULT_RECOGNITION_YEARS, ChronicRecognition, RecognitionAttachment

DECIDE_PERMISSION = "treatment.decide_recognition"
# A recognition starts at most a year from today, not before the province's unified list, and
# lasts at most this long: dates beyond are typing errors.
EARLIEST_START = date(2000, 1, 1)
MAX_START_DAYS = 366
MAX_RECOGNITION_YEARS = 10
MAX_ATTACHMENTS = 20
Status = ChronicRecognition.Status


def may_record(user, resident: Resident) -> bool:
    """A clerk of a township station or above whose scope holds the applicant: recognition is a
    service of the township stations (portal/network/demo.py), not of the village points."""
    scope = staff_scope(user)
    return (user.has_perm(STATION_PERMISSION) and scope is not None and scope.level <= Level.TOWNSHIP
            and resident.region.code.startswith(scope.prefix))


def may_decide(user, resident: Resident) -> bool:
    """A county or city officer holding the permission, whose scope holds the applicant."""
    scope = staff_scope(user)
    return (user.has_perm(DECIDE_PERMISSION) and scope is not None and scope.level <= Level.COUNTY
            and resident.region.code.startswith(scope.prefix))


# -- the year's list ----------------------------------------------------------------------------

def disease_policy(region: Region, today: date) -> BenefitPolicy | None:
    """The published policy whose list of diseases a recognition in ``region`` is made from today:
    the year that matters today (portal/standards/years.py), or, while that year's policy is not
    published yet, the latest year before it that has one."""
    try:
        city = Region.objects.filter(code=pooling_region_code(region.code)).first()
    except RegionCodeError:
        return None
    if city is None:
        return None
    published = BenefitPolicy.objects.published().filter(region=city)
    wanted = year_that_matters(region, today) or today.year
    years = sorted({year for year in published.values_list("year", flat=True) if year <= max(wanted, today.year)},
                   key=lambda year: (year != wanted, -year))
    for year in years:
        policy = published.in_force(year=year, region=city, on=max(today, date(year, 1, 1)))
        if policy is not None:
            return policy
    return None


def diseases_for(region: Region, today: date) -> tuple[BenefitPolicy | None, list[ChronicDisease]]:
    policy = disease_policy(region, today)
    return policy, list(policy.chronic_diseases.order_by("code")) if policy else []


def _where_the_list_is(policy: BenefitPolicy) -> str:
    return (f"请在受理页面的“认定病种”中选择{policy.region.name} {policy.year} 年度门诊慢特病病种目录中的病种"
            "（目录由市医保局在管理后台“门诊慢特病病种”中维护，也列在待遇测算页的“认定病种”中）。")


# -- recording and deciding ---------------------------------------------------------------------

@transaction.atomic
def recognition_apply(*, resident: Resident, clerk, disease_code: str, diagnosis: str,
                      today: date) -> ChronicRecognition:
    """Record an application for the recognition of a disease on the year's list. Raises
    ValidationError (Chinese) and writes nothing when it cannot be taken."""
    if not may_record(clerk, resident):
        scope = staff_scope(clerk)
        if clerk.has_perm(STATION_PERMISSION) and scope is not None and scope.level > Level.TOWNSHIP:
            raise ValidationError("门诊慢特病认定申请由乡镇(街道)医保工作站受理；村(社区)服务点可以帮居民准备材料，"
                                  "请居民到乡镇(街道)医保工作站申请。")
        raise ValidationError("只能为您管辖范围内的居民受理门诊慢特病认定申请。")
    # One application per person at a time: a second clerk (or a second click) waits here, then
    # finds the first one.
    resident = Resident.objects.select_for_update(of=("self",)).select_related("region").get(pk=resident.pk)
    if resident.date_of_death:
        raise ValidationError(f"{resident.name} 已登记死亡，不能受理门诊慢特病认定申请。")
    diagnosis = (diagnosis or "").strip()
    if not diagnosis:
        raise ValidationError("请填写诊断医院及诊断，如“淄博市中心医院 原发性高血压3级（高危）”。")
    code = (disease_code or "").strip()
    policy = disease_policy(resident.region, today)
    if policy is None:
        raise ValidationError(f"{resident.region} 所在统筹区还没有发布待遇政策，没有门诊慢特病病种目录，暂不能受理认定。")
    disease = policy.chronic_diseases.filter(code=code).first()
    if disease is None:
        raise ValidationError(f"病种编码“{code}”不在{policy.region.name} {policy.year} 年度门诊慢特病病种目录中。"
                              + _where_the_list_is(policy))
    mine = ChronicRecognition.objects.filter(resident=resident, disease_code=disease.code)
    pending = mine.filter(status=Status.APPLIED).first()
    if pending is not None:
        raise ValidationError(_pending_message(resident, pending))
    valid = mine.valid_on(today).order_by("-valid_until").first()
    if valid is not None:
        raise ValidationError(
            f"{resident.name} 的“{disease.name}”已经认定（编号 {valid.number}），有效期至 "
            f"{valid.valid_until:%Y年%-m月%-d日}；有效期内不需要再申请，到期前可重新申请。"
        )
    recognition = ChronicRecognition(
        resident=resident, disease_code=disease.code, disease_name=disease.name, diagnosis=diagnosis,
        recorded_by=clerk, service_point=getattr(getattr(clerk, "staff_profile", None), "home_service_point", None),
    )
    recognition.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            recognition.save()
    except IntegrityError:
        # The constraint caught what the lock could not (another database session that did not
        # take it): say which application is there.
        pending = mine.filter(status=Status.APPLIED).first()
        if pending is None:
            raise
        raise ValidationError(_pending_message(resident, pending)) from None
    return recognition


def _pending_message(resident: Resident, pending: ChronicRecognition) -> str:
    return (f"{resident.name} 的“{pending.disease_name}”已有待认定的申请（编号 {pending.number}，"
            f"{timezone.localtime(pending.recorded_at):%Y年%-m月%-d日}受理），请等待县级医保部门认定，不要重复受理；"
            "需要补充材料的，请在该申请的页面上传。")


def default_valid_until(valid_from: date) -> date:
    """The last day of DEFAULT_RECOGNITION_YEARS from ``valid_from``: from 1 March 2022, 29 February 2024."""
    return moved(valid_from, DEFAULT_RECOGNITION_YEARS) - timedelta(days=1)


def decision_refusal(recognition: ChronicRecognition, officer) -> str | None:
    """Why ``officer`` may not decide this application now, or None when they may."""
    if not may_decide(officer, recognition.resident):
        return "门诊慢特病由县(区)或市医保部门有认定权限的人员认定，且申请人须在其管辖范围内。"
    if recognition.recorded_by_id == officer.pk:
        return "这份申请由您受理，须由另一位工作人员认定。"
    if recognition.status != Status.APPLIED:
        return f"这份申请已经办结（{recognition.get_status_display()}），不能再次认定。"
    return None


@transaction.atomic
def recognition_decide(*, recognition_id: int, officer, recognise: bool, valid_from: date | None = None,
                       valid_until: date | None = None, notes: str = "") -> ChronicRecognition:
    """Recognise the application from ``valid_from`` (for DEFAULT_RECOGNITION_YEARS unless
    ``valid_until`` is given) or refuse it with ``notes`` as the reason. Raises ValidationError
    (Chinese) and changes nothing when the decision cannot be taken."""
    recognition = (ChronicRecognition.objects.select_for_update(of=("self",)).select_related("resident__region")
                   .get(pk=recognition_id))
    refusal = decision_refusal(recognition, officer)
    if refusal:
        raise ValidationError(refusal)
    notes = (notes or "").strip()
    if recognise:
        if valid_from is None:
            raise ValidationError("请填写认定起始日期。")
        latest = timezone.localdate() + timedelta(days=MAX_START_DAYS)
        if not EARLIEST_START <= valid_from <= latest:
            raise ValidationError(f"认定起始日期 {valid_from:%Y-%m-%d} 不在 {EARLIEST_START:%Y-%m-%d} 至 "
                                  f"{latest:%Y-%m-%d} 之间，请核对。")
        if valid_until is not None and valid_until > moved(valid_from, MAX_RECOGNITION_YEARS):
            raise ValidationError(f"认定有效期最长 {MAX_RECOGNITION_YEARS} 年，请核对有效期至 {valid_until:%Y-%m-%d}。")
        valid_until = valid_until or default_valid_until(valid_from)
        if valid_until < valid_from:
            raise ValidationError(f"认定有效期至 {valid_until:%Y-%m-%d} 早于起始日期 {valid_from:%Y-%m-%d}，请核对。")
        recognition.status, recognition.valid_from, recognition.valid_until = Status.RECOGNISED, valid_from, valid_until
    else:
        if not notes:
            raise ValidationError("不予认定须写明理由，申请人会收到这条理由。")
        recognition.status = Status.REFUSED
    recognition.decision_notes = notes
    recognition.decided_at = timezone.now()
    recognition.decided_by = officer
    recognition._history_user = officer  # django-simple-history's documented way to name who changed it
    recognition.full_clean(validate_constraints=False)
    recognition.save()
    resident, message = recognition.resident, _decision_message(recognition)
    # robust: a message the gateway refuses is logged and never turns the committed decision's
    # answer into an error page.
    transaction.on_commit(lambda: notify(phone=resident.phone, kind="recognition_decided", message=message), robust=True)
    return recognition


def _decision_message(recognition: ChronicRecognition) -> str:
    head = f"{mask_name(recognition.resident.name)}您好，您的门诊慢特病认定申请（{recognition.disease_name}，编号 {recognition.number}）"
    if recognition.status == Status.RECOGNISED:
        return (f"{head}已经认定，有效期 {recognition.valid_from:%Y年%-m月%-d日} 至 "
                f"{recognition.valid_until:%Y年%-m月%-d日}，期间的门诊费用按认定病种报销。")
    # The officer's words may hold an ID number (a mistyped note): a message never carries one whole.
    reason = mask_id_numbers_in(recognition.decision_notes).rstrip("。. ")
    return f"{head}未予认定，理由：{reason}。如有异议，请联系受理的医保工作站。"


# -- what the claims ask --------------------------------------------------------------------------

def recognised_disease_on(resident, day: date) -> str | None:
    """The code of the disease ``resident`` (a Resident or its id) is recognised for on ``day``;
    of several, the one recorded first. None without a recognition valid that day."""
    resident_id = getattr(resident, "pk", resident)
    return (ChronicRecognition.objects.filter(resident_id=resident_id).valid_on(day)
            .order_by("recorded_at", "pk").values_list("disease_code", flat=True).first())


# -- attachments ----------------------------------------------------------------------------------

def may_attach(user, recognition: ChronicRecognition) -> bool:
    return recognition.status == Status.APPLIED and (
        may_record(user, recognition.resident) or may_decide(user, recognition.resident))


@transaction.atomic
def attachment_add(*, recognition: ChronicRecognition, upload, user) -> RecognitionAttachment:
    """Keep an uploaded PDF or image of at most 5 MB of an application waiting for its decision."""
    recognition = ChronicRecognition.objects.select_for_update(of=("self",)).select_related("resident__region").get(
        pk=recognition.pk)
    if not (may_record(user, recognition.resident) or may_decide(user, recognition.resident)):
        raise ValidationError("只能为您管辖范围内居民的认定申请上传材料。")
    if recognition.status != Status.APPLIED:
        raise ValidationError(f"这份申请已经办结（{recognition.get_status_display()}），不能再上传材料。")
    if recognition.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(f"每份认定申请最多上传 {MAX_ATTACHMENTS} 个材料文件。")
    return scan_attach(RecognitionAttachment, upload=upload, user=user, recognition=recognition)


def attachment_path(attachment: RecognitionAttachment) -> Path:
    return attachment.path
