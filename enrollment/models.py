"""Residents, households, enrollments, payments and refunds, and the contribution standards."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from enrollment.rules import AssistanceSubsidyRule, ContributionSnapshot
from portal.network.codes import Level, province_code
from portal.network.models import Region, ScopedQuerySet
from portal.privacy.id_vault import id_decrypt
from portal.shared.vocabulary import AssistanceCategory, Category, Gender
from portal.standards.versioned import StandardPart, StandardQuerySet, VersionedStandard

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.00"))]}


class ContributionStandard(VersionedStandard):
    """个人缴费标准 of one coverage year and pooling region (DESIGN.md section 5)."""

    contribution_adult = models.DecimalField("成年居民个人缴费", **MONEY)
    contribution_student_child = models.DecimalField("学生儿童个人缴费", **MONEY)
    fiscal_subsidy = models.DecimalField("人均财政补助", **MONEY)
    window_start = models.DateField("集中缴费期开始")
    window_end = models.DateField("集中缴费期结束")
    waiting_days = models.PositiveSmallIntegerField("集中缴费期后参保等待期（天）", default=90)
    newborn_grace_days = models.PositiveSmallIntegerField("新生儿参保宽限期（天）", default=90)
    # 医保发〔2022〕20号: participation held at or above 95%; a city may set its own year's target.
    participation_target = models.DecimalField(
        "参保率目标", max_digits=4, decimal_places=3, default=Decimal("0.950"),
        validators=[MinValueValidator(Decimal("0.500")), MaxValueValidator(Decimal("1.000"))],
        help_text="如 0.95 表示 95%，参保率低于目标的区域在参保进度页上标出。",
    )

    objects = StandardQuerySet.as_manager()
    history = HistoricalRecords()
    child_relations = ("subsidies",)

    class Meta:
        verbose_name = "个人缴费标准"
        verbose_name_plural = "个人缴费标准"
        ordering = ["-year", "region__code", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["year", "region", "revision"], name="contribution_standard_revision"),
            models.CheckConstraint(condition=Q(window_start__lte=models.F("window_end")), name="contribution_window_order"),
        ]

    def clean(self) -> None:
        super().clean()
        if self.window_start and self.window_end:
            if self.window_start > self.window_end:
                raise ValidationError({"window_end": "集中缴费期结束日期不能早于开始日期"})
            if self.year and self.window_end > date(self.year, 12, 31):
                raise ValidationError({"window_end": f"集中缴费期必须在 {self.year} 年度结束（{self.year}-12-31）之前"})

    def validate_for_publishing(self) -> None:
        super().validate_for_publishing()
        have = set(self.subsidies.values_list("category", flat=True))
        missing = [category.label for category in AssistanceCategory if category.value not in have]
        if missing:
            raise ValidationError(
                f"缺少这些困难类别的资助参保标准：{'、'.join(missing)}。每个困难类别都要有一行"
                "（全额资助的勾选“全额资助”，不资助的填定额 0.00 元），否则这些人要全额缴费。"
            )
        earliest = date(self.year - 1, 1, 1)
        if self.window_start < earliest:
            raise ValidationError({"window_start": (
                f"集中缴费期开始日期 {self.window_start.isoformat()} 早于 {earliest.isoformat()}：{self.year} 年度的"
                f"集中缴费期应在 {self.year - 1} 年内开始，请检查年份是否沿用了往年。"
            )})
        floor = ContributionFloor.objects.filter(year=self.year, province__code=province_code(self.region.code)).first()
        if floor is not None:
            floor.check_standard(self)

    def snapshot(self) -> ContributionSnapshot:
        return ContributionSnapshot(
            year=self.year,
            contribution_adult=self.contribution_adult,
            contribution_student_child=self.contribution_student_child,
            fiscal_subsidy=self.fiscal_subsidy,
            window_start=self.window_start,
            window_end=self.window_end,
            waiting_days=self.waiting_days,
            newborn_grace_days=self.newborn_grace_days,
            subsidies={
                AssistanceCategory(s.category): AssistanceSubsidyRule(full=s.full, amount=s.amount)
                for s in self.subsidies.all()
            },
        )


class ContributionFloor(models.Model):
    """The province's floors for one year, which every pooling region's standard must meet
    (e.g. 鲁医保发〔2022〕24号 for 2022: fiscal subsidy at least 610 元 per person, personal
    contribution at least 350 元 on average)."""

    year = models.PositiveSmallIntegerField("年度")
    province = models.ForeignKey(Region, verbose_name="省", on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"level": Level.PROVINCE})
    fiscal_subsidy = models.DecimalField("人均财政补助不低于", **MONEY)
    personal_contribution = models.DecimalField("人均个人缴费不低于", **MONEY)
    source = models.CharField("依据文件", max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "省级最低筹资标准"
        ordering = ["-year", "province__code"]
        constraints = [models.UniqueConstraint(fields=["year", "province"], name="contribution_floor_per_year")]

    def __str__(self) -> str:
        return f"{self.province} {self.year} 年度最低筹资标准"

    def clean(self) -> None:
        if self.province_id and self.province.level != Level.PROVINCE:
            raise ValidationError({"province": "最低筹资标准按省设置，请选择省一级区划"})

    def check_standard(self, standard: "ContributionStandard") -> None:
        """Refuse a standard below these floors. The personal contribution is averaged over the
        two categories (the province's floor is per person on average; a region's head counts
        by category are not known here)."""
        average = (standard.contribution_adult + standard.contribution_student_child) / 2
        problems = []
        if standard.fiscal_subsidy < self.fiscal_subsidy:
            problems.append(f"人均财政补助 {standard.fiscal_subsidy} 元低于全省最低 {self.fiscal_subsidy} 元")
        if average < self.personal_contribution:
            problems.append(f"个人缴费（成年居民与学生儿童平均）{average:.2f} 元低于全省最低 {self.personal_contribution} 元")
        if problems:
            raise ValidationError(f"{'；'.join(problems)}（{self.source}）。请按省里的标准调整后再发布。")


class AssistanceSubsidy(StandardPart):
    """资助参保标准 of one assistance category in a contribution standard revision."""

    standard = models.ForeignKey(
        ContributionStandard, verbose_name="缴费标准", on_delete=models.CASCADE, related_name="subsidies"
    )
    category = models.CharField("困难类别", max_length=30, choices=AssistanceCategory.choices())
    full = models.BooleanField("全额资助", default=False)
    amount = models.DecimalField("定额资助金额", null=True, blank=True, **MONEY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "资助参保标准"
        verbose_name_plural = "资助参保标准"
        constraints = [
            models.UniqueConstraint(fields=["standard", "category"], name="assistance_subsidy_per_category"),
            models.CheckConstraint(
                condition=Q(full=True) | Q(amount__isnull=False), name="assistance_subsidy_full_or_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{'全额资助' if self.full else f'定额 {self.amount} 元'}"

    def clean(self) -> None:
        if not self.full and self.amount is None:
            raise ValidationError({"amount": "定额资助须填写金额；全额资助请勾选“全额资助”"})


class Household(models.Model):
    number = models.CharField("户编号", max_length=30, unique=True)
    address = models.CharField("住址", max_length=200, blank=True)
    region = models.ForeignKey(Region, verbose_name="所在村(社区)", on_delete=models.PROTECT, related_name="households")
    head = models.ForeignKey(
        "Resident", verbose_name="户主", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "家庭户"
        verbose_name_plural = "家庭户"

    def __str__(self) -> str:
        return f"户 {self.number}"


class ResidentQuerySet(ScopedQuerySet):
    def living(self) -> "ResidentQuerySet":
        return self.filter(date_of_death__isnull=True)


class Resident(models.Model):
    # The number itself is only ever stored encrypted; the digest finds it (DESIGN.md section 4).
    id_number_encrypted = models.TextField("身份证号（加密）", editable=False)
    # Unique through Meta.constraints rather than unique=True: on PostgreSQL unique=True also
    # builds a varchar_pattern_ops index (only LIKE uses it; a digest is only ever compared
    # whole), and simple_history would index the digest twice more in the history table. Every
    # imported resident paid for those three random-key indexes (benchmarks/README.md).
    id_digest = models.CharField("身份证号摘要", max_length=64, editable=False)
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=6, choices=Gender.choices(), editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    household = models.ForeignKey(
        Household, verbose_name="家庭户", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    region = models.ForeignKey(Region, verbose_name="居住村(社区)", on_delete=models.PROTECT, related_name="residents")
    residence_permit = models.BooleanField("持居住证参保", default=False)
    # Where assistance money is paid (a social security card's or bank card's account): stored
    # encrypted like the ID number, with the same key and rotation; pages show the masked form.
    payout_account_encrypted = models.TextField("救助金发放账号（加密）", blank=True, editable=False)
    payout_account_masked = models.CharField("救助金发放账号", max_length=30, blank=True, editable=False)
    date_of_death = models.DateField("死亡日期", null=True, blank=True)
    # A newborn registered before it has an ID number (出生一件事): the birth certificate number
    # (出生医学证明编号) is kept like an ID number, encrypted with a keyed digest and masked. Until
    # the ID number is added, id_digest holds the certificate's digest under its own prefix
    # (enrollment.life_events.newborns.certificate_key), so the one-key-per-person constraint and
    # every lookup stay as they are; id_number_encrypted stays empty.
    birth_certificate_encrypted = models.TextField("出生医学证明编号（加密）", blank=True, editable=False)
    birth_certificate_digest = models.CharField("出生医学证明编号摘要", max_length=64, blank=True, editable=False)
    birth_certificate_masked = models.CharField("出生医学证明编号", max_length=12, blank=True, editable=False)
    # The hospital's newborn desk that registered the child, whose staff see only its newborns.
    born_at = models.ForeignKey("portal.ServicePoint", verbose_name="出生登记医院", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+", editable=False)
    # Moved out of the pooling region (转移接续): no longer expected to enrol here after this day.
    moved_out_on = models.DateField("迁出本统筹区日期", null=True, blank=True, editable=False)
    # Written only by the assistance app (DESIGN.md section 2).
    assistance_category = models.CharField(
        "困难类别", max_length=30, choices=AssistanceCategory.choices(), blank=True, editable=False
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(
        excluded_fields=["id_number_encrypted", "payout_account_encrypted", "birth_certificate_encrypted"]
    )

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = "参保居民"
        verbose_name_plural = "参保居民"
        permissions = [("register_newborn", "可以登记新生儿参保")]
        indexes = [models.Index(fields=["region", "name"], name="resident_region_name")]
        constraints = [
            models.UniqueConstraint(fields=["id_digest"], name="resident_id_digest_unique"),
            # Only for the newborns that have one: everyone else's is empty.
            models.UniqueConstraint(fields=["birth_certificate_digest"], condition=~Q(birth_certificate_digest=""),
                                    name="resident_birth_certificate_unique"),
            # Someone is known either by an ID number or, until it is issued, by a birth certificate.
            models.CheckConstraint(condition=~Q(id_number_encrypted="") | ~Q(birth_certificate_digest=""),
                                   name="resident_id_number_or_birth_certificate"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    @property
    def id_number(self) -> str:
        """The full number ("" for a newborn without one yet). Callers show it only to a clerk of
        the resident's region, and log it."""
        return id_decrypt(self.id_number_encrypted) if self.id_number_encrypted else ""

    @property
    def has_id_number(self) -> bool:
        """False for a newborn registered with its birth certificate, until the number is added."""
        return bool(self.id_number_encrypted)

    @property
    def payout_account(self) -> str:
        """The full account, for finance's payment file only (logged with the export)."""
        return id_decrypt(self.payout_account_encrypted) if self.payout_account_encrypted else ""

    @property
    def assistance(self) -> AssistanceCategory | None:
        return AssistanceCategory(self.assistance_category) if self.assistance_category else None

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def default_category(self, on: date) -> Category:
        """Under 18 is student_child; adults who are full-time students are chosen by the clerk."""
        return Category.STUDENT_CHILD if self.age_on(on) < 18 else Category.ADULT


class EnrollmentQuerySet(ScopedQuerySet):
    def for_year(self, year: int) -> "EnrollmentQuerySet":
        return self.filter(year=year)

    def active(self) -> "EnrollmentQuerySet":
        return self.exclude(status=Enrollment.Status.CANCELLED)

    def paid(self) -> "EnrollmentQuerySet":
        return self.active().filter(paid_at__isnull=False)

    def unpaid(self) -> "EnrollmentQuerySet":
        return self.active().filter(paid_at__isnull=True)


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        CANCELLED = "cancelled", "已注销"

    resident = models.ForeignKey(Resident, verbose_name="参保人", on_delete=models.PROTECT, related_name="enrollments")
    year = models.PositiveSmallIntegerField("待遇享受年度")
    # The village responsible for it, the enrollment's scope: where the person was registered, or
    # where they moved within the city while it was unpaid or not yet in force (life_events/moves.py).
    region = models.ForeignKey(Region, verbose_name="参保村(社区)", on_delete=models.PROTECT, related_name="enrollments")
    standard = models.ForeignKey(
        ContributionStandard, verbose_name="适用缴费标准", on_delete=models.PROTECT, related_name="enrollments"
    )
    category = models.CharField("参保类别", max_length=20, choices=Category.choices())
    assistance_category = models.CharField("困难类别", max_length=30, choices=AssistanceCategory.choices(), blank=True)
    # What the person was charged, fixed when the enrollment is made (DESIGN.md section 5).
    standard_amount = models.DecimalField("个人缴费标准", **MONEY)
    subsidy = models.DecimalField("资助金额", **MONEY)
    payable = models.DecimalField("个人应缴", **MONEY)
    late = models.BooleanField("集中缴费期后参保", default=False)
    newborn = models.BooleanField("新生儿", default=False)
    transfer = models.BooleanField("转入参保（不设等待期）", default=False)
    # Where a transferred person was insured before (职工医保 of an employer, another city's
    # resident insurance): 转移接续 records it with the enrollment.
    previous_insurer = models.CharField("原参保地及险种", max_length=100, blank=True)
    coverage_start = models.DateField("待遇开始")
    coverage_end = models.DateField("待遇结束")
    registered_on = models.DateField("登记日期")
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField("缴费时间", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The roll (a school's, a village committee's) this enrollment came in with: a collective
    # payment can then be taken for the whole roll.
    roll_import = models.ForeignKey("RollImport", verbose_name="导入名单", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="enrollments_made", editable=False,
                                    db_index=False)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = "参保登记"
        verbose_name_plural = "参保登记"
        permissions = [("view_collection_progress", "可以查看参保缴费进度")]
        constraints = [
            # One enrollment per person per year in the whole province (DESIGN.md section 5).
            models.UniqueConstraint(
                fields=["resident", "year"], condition=~Q(status="cancelled"), name="one_enrollment_per_person_year"
            ),
            models.CheckConstraint(condition=Q(coverage_start__lte=models.F("coverage_end")), name="enrollment_coverage_order"),
            models.CheckConstraint(condition=Q(subsidy__lte=models.F("standard_amount")), name="enrollment_subsidy_le_standard"),
        ]
        indexes = [
            models.Index(fields=["year", "region"], name="enrollment_year_region"),
            # The dashboard's 今日登记: without it, a count of one township's day scanned the
            # enrollments of the whole province (benchmarks/README.md, station pages).
            models.Index(fields=["registered_on", "region"], name="enrollment_registered_region"),
            # Only enrollments that came with a roll: most came one by one at the counter.
            models.Index(fields=["roll_import"], condition=Q(roll_import__isnull=False), name="enrollment_roll_import"),
        ]

    def __str__(self) -> str:
        return f"{self.resident.name} {self.year} 年度"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class PaymentQuerySet(ScopedQuerySet):
    region_lookup = "enrollment__region"


class Payment(models.Model):
    class Method(models.TextChoices):
        CASH = "cash", "现金"
        BANK_CARD = "bank_card", "银行卡"
        # At the counter by scanning the station's QR code (seed 002: WeChat, Alipay, bank terminals).
        ONLINE = "online", "扫码支付（微信、支付宝）"
        # Paid through the tax office's channels and recorded from its payment file, never by a clerk.
        TAX = "tax", "税务代收"
        # The assistance fund pays the subsidised part by transfer (特殊缴费单据), never a clerk.
        FUND_TRANSFER = "fund_transfer", "基金划拨"

        @classmethod
        def at_the_counter(cls) -> list[tuple[str, str]]:
            return [(value, label) for value, label in cls.choices if value not in (cls.FUND_TRANSFER, cls.TAX)]

    class Payer(models.TextChoices):
        RESIDENT = "resident", "个人"
        ASSISTANCE_FUND = "assistance_fund", "医疗救助基金"

    # Indexed by the unique (enrollment, payer) below, which starts with it.
    enrollment = models.ForeignKey(Enrollment, verbose_name="参保登记", on_delete=models.PROTECT, related_name="payments",
                                   db_index=False)
    payer = models.CharField("付款方", max_length=20, choices=Payer.choices, default=Payer.RESIDENT)
    amount = models.DecimalField("金额", **MONEY)
    method = models.CharField("缴费方式", max_length=20, choices=Method.choices)
    # Unique through Meta.constraints, as Resident.id_digest: unique=True would add a LIKE index on
    # PostgreSQL that nothing uses, and every payment written (a tax file's million) pays for it.
    receipt_number = models.CharField("收据号", max_length=40)
    # A random code for the public receipt check: receipt numbers are sequential and guessable.
    verification_code = models.CharField("核验码", max_length=32, editable=False)
    # The form's token: a double submit or a retry of the same form records one payment.
    idempotency_token = models.UUIDField("提交令牌", unique=True, editable=False)
    # When the money was paid: now at the counter; the tax office's time for a tax-channel payment.
    recorded_at = models.DateTimeField("缴费时间", default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收款人", on_delete=models.PROTECT, related_name="+"
    )
    # One payment for a group (集体代缴): each person still has their own payment and receipt.
    collective = models.ForeignKey("CollectivePayment", verbose_name="集体代缴", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="payments", editable=False)
    # Where the money was taken (the clerk's service point then), named on the receipt.
    taken_at = models.ForeignKey("portal.ServicePoint", verbose_name="收款网点", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+", editable=False)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "缴费记录"
        verbose_name_plural = "缴费记录"
        constraints = [
            # The person's own part is paid once; the assistance fund pays its part once.
            models.UniqueConstraint(fields=["enrollment", "payer"], name="one_payment_per_enrollment_payer"),
            models.UniqueConstraint(fields=["receipt_number"], name="payment_receipt_number_unique"),
            models.UniqueConstraint(fields=["verification_code"], name="payment_verification_code_unique"),
        ]
        indexes = [
            # Only the payments that have one: most have no collective payment, and tax payments no point.
            models.Index(fields=["collective"], condition=Q(collective__isnull=False), name="payment_collective"),
            models.Index(fields=["taken_at"], condition=Q(taken_at__isnull=False), name="payment_taken_at"),
        ]

    def __str__(self) -> str:
        return f"收据 {self.receipt_number}"


class RefundQuerySet(ScopedQuerySet):
    region_lookup = "enrollment__region"

    def awaiting_approval(self) -> "RefundQuerySet":
        return self.filter(approved_at__isnull=True)


class Refund(models.Model):
    class Reason(models.TextChoices):
        DEATH = "death", "参保人死亡"
        DUPLICATE = "duplicate", "重复参保"
        MOVED_OUT = "moved_out", "迁出本统筹区"
        OTHER = "other", "其他"

    enrollment = models.OneToOneField(Enrollment, verbose_name="参保登记", on_delete=models.PROTECT, related_name="refund")
    amount = models.DecimalField("退费金额", **MONEY)
    reason = models.CharField("退费原因", max_length=20, choices=Reason.choices)
    note = models.TextField("说明", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)

    objects = RefundQuerySet.as_manager()

    class Meta:
        verbose_name = "退费记录"
        verbose_name_plural = "退费记录"
        permissions = [("approve_refund", "可以审批退费")]
        constraints = [
            models.CheckConstraint(condition=~Q(requested_by=models.F("approved_by")), name="refund_approved_by_another"),
        ]

    def __str__(self) -> str:
        return f"退费 {self.amount} 元（{self.get_reason_display()}）"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class RollImport(models.Model):
    """A committed roll import, written in the import's own transaction under the token of its
    dry run. The unique token is the one claim on a staged roll: of two confirmations the second
    waits for the first and is then refused; a confirmation that fails or dies commits nothing,
    so the roll stays confirmable (enrollment.imports.confirmation)."""

    token = models.CharField("预检编号", max_length=32, unique=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    year = models.PositiveSmallIntegerField("年度")
    filename = models.CharField("文件名", max_length=100)
    rows = models.PositiveIntegerField("行数")
    new_residents = models.PositiveIntegerField("新登记居民")
    existing_residents = models.PositiveIntegerField("已登记居民")
    enrollments = models.PositiveIntegerField("参保登记人数")
    payable_total = models.DecimalField("个人应缴合计", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "参保名单导入"

    def __str__(self) -> str:
        return f"{self.year} 年度参保名单“{self.filename}”（{self.enrollments} 人）"


class InsuredElsewhereQuerySet(ScopedQuerySet):
    region_lookup = "resident__region"


class InsuredElsewhere(models.Model):
    """A resident insured elsewhere for a year (employee insurance, another province's resident
    insurance): not expected to enrol here that year, so not counted as uninsured."""

    class Scheme(models.TextChoices):
        EMPLOYEE = "employee", "职工基本医疗保险"
        OTHER_REGION = "other_region", "外地城乡居民医保"
        OTHER = "other", "其他（军人、公费医疗等）"

    resident = models.ForeignKey(Resident, verbose_name="居民", on_delete=models.PROTECT, related_name="insured_elsewhere")
    year = models.PositiveSmallIntegerField("年度")
    scheme = models.CharField("参保险种", max_length=20, choices=Scheme.choices)
    note = models.CharField("说明", max_length=200, blank=True, help_text="如单位名称、参保地")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    # The list it came from, when an officer imported it rather than a clerk recording it.
    source_import = models.ForeignKey("ElsewhereImport", verbose_name="来源名单", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="records", editable=False,
                                      db_index=False)

    objects = InsuredElsewhereQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "已在他处参保"
        constraints = [models.UniqueConstraint(fields=["resident", "year"], name="insured_elsewhere_once_a_year")]

    def __str__(self) -> str:
        return f"{self.resident.name} {self.year} 年度：{self.get_scheme_display()}"


class CollectivePaymentQuerySet(ScopedQuerySet):
    region_lookup = "region"


class CollectivePayment(models.Model):
    """集体代缴: one payment by a school or a village committee for a group of enrollments, all or
    nothing. Its token makes a double submit or a retry record it once."""

    token = models.UUIDField("提交令牌", unique=True, editable=False)
    payer_name = models.CharField("代缴单位", max_length=100)
    method = models.CharField("缴费方式", max_length=20, choices=Payment.Method.choices)
    year = models.PositiveSmallIntegerField("年度")
    # The clerk's scope when it was taken: whose list it is on.
    region = models.ForeignKey(Region, verbose_name="所属区域", on_delete=models.PROTECT, related_name="+")
    people = models.PositiveIntegerField("人数")
    total = models.DecimalField("合计金额", max_digits=14, decimal_places=2)
    roll_import = models.ForeignKey(RollImport, verbose_name="导入名单", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="collective_payments")
    recorded_at = models.DateTimeField("缴费时间", auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="收款人", on_delete=models.PROTECT,
                                    related_name="+")
    taken_at = models.ForeignKey("portal.ServicePoint", verbose_name="收款网点", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")

    objects = CollectivePaymentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "集体代缴"

    def __str__(self) -> str:
        return f"{self.payer_name} {self.year} 年度集体代缴 {self.people} 人 {self.total} 元"


class TaxPaymentImport(models.Model):
    """One imported payment file of the tax office (税务代收)."""

    filename = models.CharField("文件名", max_length=100)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    rows = models.PositiveIntegerField("行数")
    recorded = models.PositiveIntegerField("入账笔数")
    already_imported = models.PositiveIntegerField("此前已导入")
    unmatched = models.PositiveIntegerField("待对账笔数")
    amount_recorded = models.DecimalField("入账金额", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "税务缴费导入"
        permissions = [("import_tax_payments", "可以导入税务缴费文件")]

    def __str__(self) -> str:
        return f"税务缴费文件“{self.filename}”（{self.rows} 行）"


class TaxVoucherQuerySet(ScopedQuerySet):
    def to_reconcile(self) -> "TaxVoucherQuerySet":
        return self.filter(payment__isnull=True, resolution="")


class TaxVoucher(models.Model):
    """A row of the tax office's payment file, kept whether it matched or not: its voucher number
    makes a re-import record nothing twice, and a row that matched no enrollment waits here for
    a clerk (对账) instead of being lost."""

    class Problem(models.TextChoices):
        UNKNOWN_PERSON = "unknown_person", "未登记此人"
        NOT_ENROLLED = "not_enrolled", "该年度未参保登记"
        AMOUNT_DIFFERS = "amount_differs", "金额与个人应缴不符"
        YEAR_CLOSED = "year_closed", "该年度已结束"
        ALREADY_PAID = "already_paid", "已在其他渠道缴费"
        NOTHING_DUE = "nothing_due", "个人应缴为 0 元"
        OUTSIDE_SCOPE = "outside_scope", "不在导入人辖区，请转参保地处理"

    class Resolution(models.TextChoices):
        APPLIED = "applied", "已补登入账"
        REFUND = "refund", "转退费"

    voucher_number = models.CharField("缴费凭证号", max_length=40)
    batch = models.ForeignKey(TaxPaymentImport, verbose_name="导入批次", on_delete=models.PROTECT,
                              related_name="vouchers")
    id_digest = models.CharField("身份证号摘要", max_length=64, editable=False)
    id_masked = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=50)
    year = models.PositiveSmallIntegerField("缴费年度")
    amount = models.DecimalField("金额", **MONEY)
    paid_at = models.DateTimeField("缴费时间")
    tax_office = models.CharField("征收机关", max_length=100)
    # The person's village when known, else the importing officer's scope: whose list it is on.
    region = models.ForeignKey(Region, verbose_name="所属区域", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, verbose_name="居民", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    payment = models.OneToOneField(Payment, verbose_name="缴费记录", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="tax_voucher")
    problem = models.CharField("对账原因", max_length=20, choices=Problem.choices, blank=True)
    resolution = models.CharField("处理结果", max_length=20, choices=Resolution.choices, blank=True)
    resolution_note = models.CharField("处理说明", max_length=200, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    objects = TaxVoucherQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "税务缴费凭证"
        permissions = [("reconcile_tax_vouchers", "可以处理税务缴费对账")]
        constraints = [
            # A row either became a payment or says why not.
            models.CheckConstraint(condition=Q(payment__isnull=False) | ~Q(problem=""),
                                   name="tax_voucher_paid_or_problem"),
            # By constraint and index rather than unique=True and db_index=True: no LIKE indexes.
            models.UniqueConstraint(fields=["voucher_number"], name="tax_voucher_number_unique"),
        ]
        indexes = [models.Index(fields=["id_digest"], name="tax_voucher_digest")]

    def __str__(self) -> str:
        return f"凭证 {self.voucher_number}"


class CollectionReminderQuerySet(ScopedQuerySet):
    region_lookup = "enrollment__region"


class CollectionReminder(models.Model):
    """A collection reminder sent to an enrolled-but-unpaid person (the message as sent, which
    never holds an ID number)."""

    enrollment = models.ForeignKey(Enrollment, verbose_name="参保登记", on_delete=models.PROTECT,
                                   related_name="reminders")
    sent_on = models.DateField("发送日期")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发送人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                help_text="空表示每日任务自动发送")
    phone_masked = models.CharField("手机号", max_length=20)
    message = models.CharField("内容", max_length=300)

    objects = CollectionReminderQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "缴费提醒"
        permissions = [("send_collection_reminders", "可以发送缴费提醒")]
        constraints = [
            # Two senders at once on the same day send one reminder.
            models.UniqueConstraint(fields=["enrollment", "sent_on"], name="one_reminder_a_day"),
        ]
        indexes = [
            models.Index(fields=["enrollment", "-sent_on"], name="reminder_latest"),
            # The officers' log of one day, which would otherwise read every reminder of the season.
            models.Index(fields=["sent_on", "id"], name="reminder_of_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.sent_on} 提醒 {self.phone_masked}"


# Births, moves, deaths and duplicates (转移接续, 出生一件事, 清理重复参保) live in their own folder.
from enrollment.life_events.models import (  # noqa: E402
    Death,
    DeathImport,
    DeathImportProblem,
    DuplicateEnrollment,
    ElsewhereImport,
    Move,
)

__all__ = ["Death", "DeathImport", "DeathImportProblem", "DuplicateEnrollment", "ElsewhereImport", "Move"]
