"""Writes of the enrollment app. Each function is atomic, validates before it writes, and lets
the database constraints have the last word when two clerks act at once."""

import secrets
import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from enrollment.life_events import deaths
from enrollment.models import ContributionStandard, Enrollment, Household, Payment, Refund, Resident
from enrollment.rules import Premium, PremiumRefused, premium_for
from portal.accounts.scopes import staff_scope
from portal.network.codes import Level, pooling_region_code
from portal.network.models import Region
from portal.privacy.id_numbers import IdNumberError, mask_name, parse_id_number
from portal.privacy.id_vault import id_digest, id_encrypt
from portal.shared.notifications import notify
from portal.shared.vocabulary import Category


class RegisteredElsewhere(ValidationError):
    """The number is registered outside the clerk's scope. The message names nobody; a view
    replaces it with ``enrollment.elsewhere``'s answer, which is logged and counted."""

    def __init__(self, *, digest: str, region: Region):
        super().__init__({"id_number": "此身份证号的居民登记在您的管辖范围以外，这里不能办理。"})
        self.digest, self.region = digest, region


def require_in_scope(user, region: Region) -> None:
    scope = staff_scope(user)
    if scope is None or not region.code.startswith(scope.prefix):
        raise ValidationError(f"{region.name}（{region.code}）不在您的管辖范围内。", code="out_of_scope")


def payout_account_set(resident: Resident, account: str) -> None:
    """Record (or, given "", clear) where assistance is paid; the caller saves the resident."""
    account = "".join(account.split())
    resident.payout_account_encrypted = id_encrypt(account) if account else ""
    resident.payout_account_masked = f"{account[:4]}****{account[-4:]}" if account else ""


def _require_village(region: Region) -> None:
    if region.level != Level.VILLAGE:
        raise ValidationError("居住地须选到村(社区)一级。", code="not_a_village")


def resident_find_by_id_number(text: str) -> Resident | None:
    """The resident with this number anywhere in the province, or None (no scope applied)."""
    try:
        number = parse_id_number(text, today=timezone.localdate()).number
    except IdNumberError:
        return None
    return Resident.objects.filter(id_digest=id_digest(number)).first()


@transaction.atomic
def resident_register(
    *,
    id_number: str,
    name: str,
    region: Region,
    clerk,
    phone: str = "",
    household: Household | None = None,
    residence_permit: bool = False,
    payout_account: str = "",
    today: date,
) -> Resident:
    try:
        parsed = parse_id_number(id_number, today=today)
    except IdNumberError as error:
        raise ValidationError({"id_number": error.message}) from error
    _require_village(region)
    require_in_scope(clerk, region)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写姓名。"})
    digest = id_digest(parsed.number)
    existing = Resident.objects.filter(id_digest=digest).select_related("region").first()
    if existing and not existing.region.code.startswith(staff_scope(clerk).prefix):
        raise RegisteredElsewhere(digest=digest, region=existing.region)
    if existing:
        raise ValidationError({"id_number": f"此身份证号已登记（{existing.name}，{existing.region.name}），请直接查找该居民。"})
    # A child registered with its birth certificate (life_events/newborns.py) comes back with its
    # new ID number: it gets the number added, not a second record and a second enrollment.
    unnumbered = (Resident.objects.within(staff_scope(clerk)).exclude(birth_certificate_digest="")
                  .filter(id_number_encrypted="", name=name, birth_date=parsed.birth_date).first())
    if unnumbered:
        raise ValidationError({"id_number": (
            f"{name}（{parsed.birth_date.isoformat()} 出生）已凭出生医学证明在{unnumbered.region.name}登记、尚未添加身份证号；"
            "请打开其居民信息页“添加身份证号”，不要重复登记。")})
    resident = Resident(
        id_number_encrypted=id_encrypt(parsed.number), id_digest=digest, id_masked=parsed.masked,
        name=name, gender=parsed.gender.value, birth_date=parsed.birth_date, phone=phone.strip(),
        household=household, region=region, residence_permit=residence_permit, created_by=clerk,
    )
    payout_account_set(resident, payout_account)
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError as error:  # another clerk registered the same number a moment ago
        raise ValidationError({"id_number": "此身份证号刚刚已被登记，请直接查找该居民。"}) from error
    if household and household.head_id is None:
        household.head = resident
        household.save(update_fields=["head"])
    return resident


@transaction.atomic
def resident_update(
    *, resident: Resident, clerk, name: str, phone: str, region: Region, household: Household | None,
    residence_permit: bool, payout_account: str | None = None,
) -> Resident:
    """Change a resident's record; ``payout_account`` None leaves the account as it is, "" clears it.
    Only the fields of the form are written, on the row as it is now: a death or a move recorded
    while the clerk had the form open (an import, another clerk) is never written back over."""
    require_in_scope(clerk, resident.region)
    _require_village(region)
    require_in_scope(clerk, region)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    require_in_scope(clerk, resident.region)
    resident.name = name.strip()
    resident.phone = phone.strip()
    resident.region = region
    resident.household = household
    resident.residence_permit = residence_permit
    fields = ["name", "phone", "region", "household", "residence_permit"]
    if payout_account is not None:
        payout_account_set(resident, payout_account)
        fields += ["payout_account_encrypted", "payout_account_masked"]
    resident.save(update_fields=fields)
    return resident


@transaction.atomic
def household_create(*, region: Region, address: str, clerk) -> Household:
    _require_village(region)
    require_in_scope(clerk, region)
    household = Household.objects.create(number=_household_number(region), address=address.strip(), region=region)
    return household


def _household_number(region: Region) -> str:
    # The hyphen matters: 12 + 6 digits in one run would read as an ID number to a person and to
    # the masking check (tests/test_no_full_id_numbers.py).
    return f"{region.code}-{secrets.randbelow(10**6):06d}"


def standard_in_force(*, year: int, region: Region, on: date) -> ContributionStandard:
    pooling = Region.objects.filter(code=pooling_region_code(region.code)).first()
    standard = (
        ContributionStandard.objects.in_force(year=year, region=pooling, on=on) if pooling else None
    )
    if standard is None:
        raise ValidationError(f"{year} 年度{pooling.name if pooling else ''}还没有发布个人缴费标准。", code="no_standard")
    return standard


def premium_quote(
    *, resident: Resident, year: int, category: Category, on: date, transfer: bool = False
) -> tuple[ContributionStandard, Premium]:
    """The standard in force and what this resident would pay, without writing anything."""
    if resident.date_of_death:
        raise ValidationError(f"{resident.name} 已于 {resident.date_of_death} 死亡，不能参保。", code="deceased")
    if resident.moved_out_on and year > resident.moved_out_on.year:
        # 转移接续: after moving out of the pooling region the person is insured where they went.
        raise ValidationError(
            f"{resident.name} 已于 {resident.moved_out_on} 迁出本统筹区，不能在这里登记 {year} 年度参保；"
            "如已迁回，请先在“迁移（转移接续）”中办理迁入。", code="moved_out",
        )
    standard = standard_in_force(year=year, region=resident.region, on=on)
    try:
        premium = premium_for(
            standard.snapshot(), category=category, assistance=resident.assistance,
            birth_date=resident.birth_date, on=on, transfer_from_employee=transfer,
        )
    except PremiumRefused as refused:
        raise ValidationError(refused.message, code=refused.code) from refused
    return standard, premium


def _already_enrolled_message(existing: Enrollment) -> str:
    when = timezone.localtime(existing.registered_at).strftime("%Y-%m-%d %H:%M")
    return (
        f"{existing.resident.name} 已于 {when} 在{existing.region.name}登记 {existing.year} 年度参保，"
        "同一人同一年度只能参保一次。"
    )


def _existing_enrollment(resident: Resident, year: int) -> Enrollment | None:
    return (
        Enrollment.objects.active().filter(resident=resident, year=year)
        .select_related("resident", "region").first()
    )


@transaction.atomic
def enrollment_register(
    *, resident: Resident, year: int, category: Category, clerk, on: date, transfer: bool = False,
    previous_insurer: str = "",
) -> Enrollment:
    require_in_scope(clerk, resident.region)
    existing = _existing_enrollment(resident, year)
    if existing:
        raise ValidationError(_already_enrolled_message(existing), code="already_enrolled")
    standard, premium = premium_quote(resident=resident, year=year, category=category, on=on, transfer=transfer)
    enrollment = Enrollment(
        resident=resident, year=year, region=resident.region, standard=standard,
        category=premium.category.value,
        assistance_category=premium.assistance.value if premium.assistance else "",
        standard_amount=premium.standard, subsidy=premium.subsidy, payable=premium.payable,
        late=premium.late, newborn=premium.newborn, transfer=premium.transfer,
        # Where a transferred person was insured before (转移接续), as the clerk was told.
        previous_insurer=previous_insurer.strip()[:100] if transfer else "",
        coverage_start=premium.coverage_start, coverage_end=premium.coverage_end,
        registered_on=on, registered_by=clerk,
        # Nothing to collect from the person (full subsidy): their part is settled now.
        paid_at=timezone.now() if premium.payable == 0 else None,
    )
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as error:
        # Two clerks at once: the constraint let one through; tell the other where it went.
        existing = _existing_enrollment(resident, year)
        if existing is None:
            raise
        raise ValidationError(_already_enrolled_message(existing), code="already_enrolled") from error
    return enrollment


@transaction.atomic
def payment_record(
    *, enrollment: Enrollment, amount: Decimal, method: str, token: uuid.UUID, clerk
) -> Payment:
    """Record the resident's payment once. The same token again returns the same payment."""
    enrollment = Enrollment.objects.select_for_update().select_related("region").get(pk=enrollment.pk)
    earlier = Payment.objects.filter(idempotency_token=token).first()
    if earlier is not None:
        if earlier.enrollment_id != enrollment.pk:
            raise ValidationError("提交令牌不匹配，请刷新页面后重新缴费。", code="token_mismatch")
        return earlier
    require_in_scope(clerk, enrollment.region)
    if enrollment.status != Enrollment.Status.ACTIVE:
        raise ValidationError("这条参保登记已注销，不能缴费。", code="cancelled")
    paid = enrollment.payments.filter(payer=Payment.Payer.RESIDENT).first()
    if paid is not None:
        raise ValidationError(f"已缴费，收据号 {paid.receipt_number}，请勿重复收费。", code="already_paid")
    if enrollment.payable == 0:
        raise ValidationError("个人应缴为 0 元，无需缴费。", code="nothing_due")
    if amount != enrollment.payable:
        raise ValidationError({"amount": f"缴费金额须等于个人应缴 {enrollment.payable} 元，您填写的是 {amount} 元。"})
    if method not in dict(Payment.Method.at_the_counter()):
        raise ValidationError({"method": "请选择缴费方式。"})
    profile = getattr(clerk, "staff_profile", None)
    payment = Payment.objects.create(
        enrollment=enrollment, amount=amount, method=method, recorded_by=clerk,
        taken_at=profile.home_service_point if profile else None,
        idempotency_token=token, receipt_number=f"T{token.hex}",  # replaced below, once the pk is known
        verification_code=secrets.token_urlsafe(16),
    )
    payment.receipt_number = payment_receipt_number(payment)
    payment.save(update_fields=["receipt_number"])
    enrollment.paid_at = payment.recorded_at
    enrollment.save(update_fields=["paid_at"])
    payment_recorded_notify(enrollment, payment)
    return payment


def receipt_number(year: int, region_code: str, pk: int) -> str:
    """Sequential, readable receipt numbers: year, township code, then the payment's own number."""
    return f"{year}{region_code[:9]}{pk:08d}"


def payment_receipt_number(payment: Payment) -> str:
    """The receipt number of a saved payment. It needs the pk, so a payment is first saved under a
    unique placeholder."""
    enrollment = payment.enrollment
    return receipt_number(enrollment.year, enrollment.region.code, payment.pk)


def payment_recorded_notify(enrollment: Enrollment, payment: Payment) -> None:
    resident = enrollment.resident
    message = (
        f"{mask_name(resident.name)}：您 {enrollment.year} 年度居民医保个人缴费 {payment.amount} 元已收到，"
        f"收据号 {payment.receipt_number}。"
    )
    # Sent once the payment is committed: a rolled-back payment must not be announced.
    # robust: a message that cannot be sent is logged, and never turns the recorded payment's
    # answer into an error page.
    transaction.on_commit(lambda: notify(phone=resident.phone, kind="payment_recorded", message=message),
                          robust=True)


def _resident_paid(enrollment: Enrollment) -> Decimal:
    total = enrollment.payments.filter(payer=Payment.Payer.RESIDENT).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


@transaction.atomic
def refund_request(*, enrollment: Enrollment, reason: str, note: str = "", clerk) -> Refund:
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    require_in_scope(clerk, enrollment.region)
    if hasattr(enrollment, "refund"):
        raise ValidationError("这条参保登记已经申请过退费。", code="already_refunded")
    if reason not in Refund.Reason.values:
        raise ValidationError({"reason": "请选择退费原因。"})
    if reason == Refund.Reason.OTHER and not note.strip():
        raise ValidationError({"note": "原因为“其他”时，请写明退费说明。"})
    amount = _resident_paid(enrollment)
    if amount == 0:
        raise ValidationError("这条参保登记个人未缴费，没有可退的金额。", code="nothing_paid")
    return Refund.objects.create(enrollment=enrollment, amount=amount, reason=reason, note=note.strip(), requested_by=clerk)


@transaction.atomic
def refund_approve(*, refund: Refund, approver) -> Refund:
    refund = Refund.objects.select_for_update().select_related("enrollment").get(pk=refund.pk)
    if refund.is_approved:
        raise ValidationError("这笔退费已经审批过了。", code="already_approved")
    if refund.requested_by_id == approver.pk:
        raise ValidationError("退费不能由申请人本人审批。", code="own_request")
    refund.approved_by = approver
    refund.approved_at = timezone.now()
    refund.save(update_fields=["approved_by", "approved_at"])
    enrollment = refund.enrollment
    enrollment.status = Enrollment.Status.CANCELLED
    enrollment.save(update_fields=["status"])
    return refund


def death_record(*, resident: Resident, date_of_death: date, clerk, today: date) -> list[Refund]:
    """Record a death at the counter: the one place a death is recorded is
    enrollment.life_events.deaths, shared with the civil-affairs list's import."""
    return deaths.death_record(resident=resident, date_of_death=date_of_death, clerk=clerk, today=today)


def enrollment_refusal_check(*, resident: Resident, year: int) -> None:
    """Refusals known before the amounts: tell the clerk at the preview, not at the confirm."""
    existing = _existing_enrollment(resident, year)
    if existing:
        raise ValidationError(_already_enrolled_message(existing), code="already_enrolled")
